// Molecular descriptors and QED (RDKit.js; QED ported from RDKit's QED.py in chem/qed.ts).
// One table row per component type: what it reads from the molecule.

import type { MoleculeRecord } from '../chem/molecule';
import type { RewardComponentType } from '../../../protocol/reward-config';
import { perMolecule, type BuildContext, type Component, type ComponentRow } from './types';
import type { ParamSpec } from './params';

type Reader = (m: MoleculeRecord, params: Record<string, unknown>) => number;

/** What each descriptor component measures, and how. */
export const DESCRIPTORS: Partial<Record<RewardComponentType, { doc: string; read: Reader; spec?: ParamSpec }>> = {
  qed: { doc: 'QED drug-likeness in [0, 1] (RDKit QED.py, mean weights)', read: (m) => m.qed() },
  mw: { doc: 'average molecular weight (RDKit MolWt / amw)', read: (m) => m.descriptors().amw },
  clogp: { doc: 'Wildman-Crippen logP (RDKit MolLogP)', read: (m) => m.descriptors().CrippenClogP },
  tpsa: { doc: 'topological polar surface area (RDKit TPSA, N and O only)', read: (m) => m.descriptors().tpsa },
  hbd: { doc: 'hydrogen-bond donors (RDKit CalcNumHBD)', read: (m) => m.descriptors().NumHBD },
  hba: {
    doc: 'hydrogen-bond acceptors',
    spec: {
      definition: {
        kind: 'string',
        values: ['rdkit-2022', 'rdkit-js'],
        default: 'rdkit-2022',
        doc: 'rdkit-2022: CalcNumHBA as RDKit 2022 (Debian python3-rdkit) counts (Gobbi SMARTS); rdkit-js: RDKit.js 2026 NumHBA (no pyrrole-type n)',
      },
    },
    read: (m, p) => (p['definition'] === 'rdkit-js' ? m.descriptors().NumHBA : m.hbaGobbi()),
  },
  rotatable_bonds: { doc: 'rotatable bonds (RDKit CalcNumRotatableBonds, strict)', read: (m) => m.descriptors().NumRotatableBonds },
  rings: { doc: 'rings (RDKit CalcNumRings)', read: (m) => m.descriptors().NumRings },
  aromatic_rings: { doc: 'aromatic rings (RDKit CalcNumAromaticRings)', read: (m) => m.descriptors().NumAromaticRings },
  heavy_atoms: { doc: 'heavy atoms (RDKit CalcNumHeavyAtoms)', read: (m) => m.descriptors().NumHeavyAtoms },
};

export function descriptorComponent(type: RewardComponentType, name: string, params: Record<string, unknown>, ctx: BuildContext): Component {
  const d = DESCRIPTORS[type];
  if (!d) throw new Error(`"${type}" is not a descriptor component`);
  return {
    name,
    type,
    measure: async (rows: readonly ComponentRow[]) => perMolecule(ctx, rows, type, (p) => ({ raw: d.read(p.mol, params) })),
  };
}
