// similarity: Tanimoto similarity of the molecule's Morgan fingerprint (RDKit.js, radius 2,
// 2048 bits by default) to reference molecules, max or mean over them. References come inline
// ("references": [...SMILES]) or from a file (one SMILES per line, first word; .smi/.txt).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tanimoto } from '../chem/fingerprint';
import type { ParamSpec } from './params';
import { perMolecule, type BuildContext, type Component } from './types';

export const SIMILARITY_PARAMS: ParamSpec = {
  references: { kind: 'string[]', doc: 'reference SMILES' },
  references_file: { kind: 'string', doc: 'file of reference SMILES, one per line (relative to the config file)' },
  radius: { kind: 'integer', default: 2, min: 0, max: 6, doc: 'Morgan radius (2 = ECFP4)' },
  nbits: { kind: 'integer', default: 2048, min: 64, max: 16384, doc: 'fingerprint length' },
  aggregate: { kind: 'string', values: ['max', 'mean'], default: 'max', doc: 'over the references' },
};

export function readSmilesList(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((w) => w !== '' && !w.startsWith('#'));
}

export function similarityComponent(name: string, params: Record<string, unknown>, ctx: BuildContext): Component {
  const where = `component "${name}" (similarity)`;
  const smiles = [...((params['references'] as string[] | undefined) ?? [])];
  if (typeof params['references_file'] === 'string') {
    const file = resolve(ctx.baseDir, params['references_file']);
    try {
      smiles.push(...readSmilesList(file));
    } catch (e) {
      throw new Error(`${where}: cannot read references_file ${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (smiles.length === 0) throw new Error(`${where}: give "references" (SMILES) or "references_file"`);
  const radius = params['radius'] as number;
  const nbits = params['nbits'] as number;
  const refs = smiles.map((s, i) => {
    const p = ctx.chem.parse(s);
    if (!p.ok) throw new Error(`${where}: reference ${i + 1} ("${s}") is not a valid SMILES: ${p.reason}`);
    return p.mol.morgan(radius, nbits).slice();
  });
  const mean = params['aggregate'] === 'mean';
  return {
    name,
    type: 'similarity',
    measure: async (rows) =>
      perMolecule(ctx, rows, 'similarity', ({ mol }) => {
        const fp = mol.morgan(radius, nbits);
        let best = 0;
        let sum = 0;
        for (const r of refs) {
          const t = tanimoto(fp, r);
          sum += t;
          if (t > best) best = t;
        }
        return { raw: mean ? sum / refs.length : best };
      }),
  };
}
