// length: the sequence's length (characters of a SMILES, residues of a protein, bases of a
// nucleotide; unit "heavy_atoms" counts a SMILES's heavy atoms instead), scored against a range
// or a target, per modality if the params say so:
//   {"min": 20, "max": 120}                       1 inside [min, max], 0 outside (REINVENT "step")
//   {"target": 60, "tolerance": 10}               REINVENT's double_sigmoid on [target - tol, target + tol]
//   {"amino_acid": {"min": 50, "max": 300}, "SMILES": {"target": 40, "tolerance": 15}}
// An explicit transform in the config replaces this scoring (raw stays the length).

import { MODALITIES, type Modality } from '../../seq/types';
import { doubleSigmoid } from '../transforms';
import { checkParams, type ParamSpec } from './params';
import type { BuildContext, Component, ComponentRow, Measurement } from './types';

const RANGE: ParamSpec = {
  min: { kind: 'number', min: 0, doc: 'shortest length scoring 1' },
  max: { kind: 'number', min: 0, doc: 'longest length scoring 1' },
  target: { kind: 'number', min: 0, doc: 'ideal length (scored by a double sigmoid)' },
  tolerance: { kind: 'number', min: 0, doc: 'half-width around target where the score stays above 0.5 (default 10% of target)' },
};

export const LENGTH_PARAMS: ParamSpec = {
  ...RANGE,
  unit: { kind: 'string', values: ['characters', 'heavy_atoms'], default: 'characters', doc: 'what a SMILES length counts' },
  SMILES: { kind: 'object', doc: 'range or target for SMILES' },
  amino_acid: { kind: 'object', doc: 'range or target for proteins' },
  nucleotide: { kind: 'object', doc: 'range or target for DNA/RNA' },
};

type Scorer = ((n: number) => number) | null;

function scorer(where: string, p: Record<string, unknown>): Scorer {
  const { min, max, target, tolerance } = p as { min?: number; max?: number; target?: number; tolerance?: number };
  if (target !== undefined) {
    if (min !== undefined || max !== undefined) throw new Error(`${where}: give either "target" (with "tolerance") or "min"/"max", not both`);
    const tol = tolerance ?? Math.max(1, 0.1 * target);
    return (n) => doubleSigmoid(n, target - tol, target + tol);
  }
  if (min !== undefined || max !== undefined) {
    if (min !== undefined && max !== undefined && min > max) throw new Error(`${where}: min ${min} is above max ${max}`);
    return (n) => ((min === undefined || n >= min) && (max === undefined || n <= max) ? 1 : 0);
  }
  return null;
}

export function lengthComponent(name: string, params: Record<string, unknown>, ctx: BuildContext): Component {
  const where = `component "${name}" (length)`;
  const base = scorer(where, params);
  const per = new Map<Modality, Scorer>();
  for (const m of MODALITIES) {
    const sub = params[m];
    per.set(m, sub === undefined ? base : scorer(`${where}.${m}`, checkParams(`${where}.${m}`, RANGE, sub)));
  }
  const heavy = params['unit'] === 'heavy_atoms';
  const measure = (r: ComponentRow): Measurement => {
    if (!r.seq.ok) return { raw: null, error: r.seq.reason, kind: r.seq.kind };
    let n = r.seq.text.length;
    if (heavy && r.seq.modality === 'SMILES') {
      const p = ctx.chem.parse(r.seq.text);
      if (!p.ok) return { raw: null, error: p.reason, kind: 'invalid-smiles' };
      n = p.mol.descriptors().NumHeavyAtoms;
    }
    const s = per.get(r.seq.modality)!;
    return s ? { raw: n, value: s(n) } : { raw: n };
  };
  return { name, type: 'length', measure: async (rows) => rows.map(measure) };
}
