// What a reward component is: a batched measurement of one property per row (QED, a length, a
// UME PLL ...). The composite (composite.ts) applies the transform and the weight; a component
// only measures. A row it cannot measure gets raw null with an error saying why, never 0.

import type { Chemistry } from '../chem/molecule';
import type { SmilesValidator } from '../../seq/rdkit';
import type { Extracted } from '../sequence';
import type { RewardInput, RewardScoreOptions } from '../types';
import type { RewardComponentType } from '../../../protocol/reward-config';

export interface ComponentRow {
  input: RewardInput;
  seq: Extracted;
}

export interface Measurement {
  raw: number | null;
  /** The component's own score when the config gives no transform (e.g. length's range step); default: raw. */
  value?: number | null;
  error?: string;
  /** A penalty's kind (ume), passed to RewardResult.kind. */
  kind?: string;
}

export interface Component {
  readonly name: string;
  readonly type: RewardComponentType;
  measure(rows: readonly ComponentRow[], options?: RewardScoreOptions): Promise<Measurement[]>;
  close?(): Promise<void>;
}

export interface BuildContext {
  chem: Chemistry;
  rdkit: SmilesValidator;
  /** Folder that relative paths in params are resolved against (the config file's). */
  baseDir: string;
}

/** The measurement for a row whose sequence could not be read. */
export function unreadable(seq: Extracted & { ok: false }): Measurement {
  return { raw: null, error: seq.reason, kind: seq.kind };
}

/** Measures SMILES rows with `f`; other modalities get null with the reason. Throws become the row's error. */
export function perMolecule(ctx: BuildContext, rows: readonly ComponentRow[], what: string, f: (mol: ReturnType<Chemistry['parse']> & { ok: true }) => Measurement): Measurement[] {
  return rows.map((r) => {
    if (!r.seq.ok) return unreadable(r.seq);
    if (r.seq.modality !== 'SMILES') return { raw: null, error: `${what} judges SMILES only; this is a ${r.seq.modality} sequence` };
    const p = ctx.chem.parse(r.seq.text);
    if (!p.ok) return { raw: null, error: p.reason, kind: 'invalid-smiles' };
    try {
      return f(p);
    } catch (e) {
      return { raw: null, error: `${what} failed: ${(e as Error).message}` };
    }
  });
}
