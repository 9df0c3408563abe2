// diversity_filter: REINVENT 4's diversity filters (reinvent/runmodes/RL/memories/), a memory
// across scoring calls that zeroes what the policy keeps repeating:
// - IdenticalMurckoScaffold / IdenticalTopologicalScaffold: per valid molecule its (generic)
//   Murcko scaffold; a SMILES seen before scores 0; when the score is >= minscore the SMILES and
//   scaffold are memorised, and once a scaffold's bucket holds more than bucket_size molecules
//   every further molecule of it scores 0;
// - ScaffoldSimilarity: as Murcko, but a scaffold whose atom-pair Dice similarity to a stored one
//   is >= minsimilarity joins that bucket (REINVENT uses count-based unhashed atom pairs; RDKit.js
//   gives 2048-bit hashed atom pairs, so similarities near the threshold can differ);
// - PenalizeSameSmiles: a SMILES seen before has its score multiplied by penalty_multiplier.
// Sequences (proteins, DNA/RNA) have no scaffold: sequence_filter "IdenticalSequence" treats an
// exact repeat as REINVENT treats a repeated SMILES; "SimilarSequence" also buckets sequences
// whose k-mer Jaccard similarity to a stored one is >= minsimilarity; "none" leaves them alone.
//
// Under arithmetic_mean / geometric_mean the filter scales the aggregated score, as in REINVENT
// (minscore compares the aggregated score). Under weighted_sum it is its own reward function whose
// raw value is the factor (1 kept, 0 filtered, penalty_multiplier for a repeat), added with its
// weight: TRL sums reward functions, so there is no product to apply it to; memorisation then
// treats every valid row as scoring 1.

import type { ParamSpec } from './params';
import type { BuildContext, ComponentRow } from './types';
import type { Modality } from '../../seq/types';

export const FILTER_KINDS = ['IdenticalMurckoScaffold', 'IdenticalTopologicalScaffold', 'ScaffoldSimilarity', 'PenalizeSameSmiles'] as const;
export const SEQUENCE_FILTERS = ['IdenticalSequence', 'SimilarSequence', 'none'] as const;

export const DIVERSITY_PARAMS: ParamSpec = {
  filter: { kind: 'string', values: FILTER_KINDS, default: 'IdenticalMurckoScaffold', doc: "REINVENT's filter type for SMILES" },
  bucket_size: { kind: 'integer', min: 1, default: 25, doc: 'molecules a scaffold bucket holds before further ones score 0' },
  minscore: { kind: 'number', default: 0.4, doc: 'only rows scoring at least this are memorised' },
  minsimilarity: { kind: 'number', min: 0, max: 1, default: 0.4, doc: 'ScaffoldSimilarity / SimilarSequence threshold' },
  penalty_multiplier: { kind: 'number', min: 0, max: 1, default: 0.5, doc: 'PenalizeSameSmiles: factor for a repeat' },
  sequence_filter: { kind: 'string', values: SEQUENCE_FILTERS, default: 'IdenticalSequence', doc: 'what to do with proteins and nucleotides' },
  k: { kind: 'integer', min: 1, max: 12, default: 3, doc: 'SimilarSequence: k-mer length' },
};

type Counter = Map<string, number>;

function kmers(s: string, k: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + k <= s.length; i++) out.add(s.slice(i, i + k));
  return out;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    for (let x = a[i]!, y = b[i]!, bit = 0; bit < 8; bit++, x >>= 1, y >>= 1) {
      na += x & 1;
      nb += y & 1;
      inter += x & y & 1;
    }
  }
  return na + nb === 0 ? 0 : (2 * inter) / (na + nb);
}

export interface FilterOutcome {
  /** The score after filtering (null when the row had none). */
  score: number | null;
  /** score / input score as applied: 1 kept, 0 filtered, penalty_multiplier for a repeat. */
  factor: number | null;
  /** The bucket key (scaffold SMILES, or the sequence's representative). */
  bucket?: string;
  reason?: string;
}

export class DiversityFilter {
  private readonly seen = new Set<string>();
  private readonly buckets: Counter = new Map();
  private readonly scaffoldFps = new Map<string, Uint8Array>();
  private readonly seqKmers = new Map<string, Set<string>>();
  readonly p: { filter: (typeof FILTER_KINDS)[number]; bucket_size: number; minscore: number; minsimilarity: number; penalty_multiplier: number; sequence_filter: (typeof SEQUENCE_FILTERS)[number]; k: number };

  constructor(
    readonly name: string,
    params: Record<string, unknown>,
    private readonly ctx: BuildContext,
  ) {
    this.p = params as DiversityFilter['p'];
  }

  /** Molecules memorised so far, and scaffold buckets (for metrics). */
  get memorised(): { smiles: number; buckets: number } {
    return { smiles: this.seen.size, buckets: this.buckets.size };
  }

  /** Forgets every molecule, sequence and bucket: the next batch is filtered as the first one. */
  reset(): void {
    this.seen.clear();
    this.buckets.clear();
    this.scaffoldFps.clear();
    this.seqKmers.clear();
  }

  private bucketFull(key: string): boolean {
    return (this.buckets.get(key) ?? 0) > this.p.bucket_size;
  }

  private scaffoldKey(smiles: string): { key: string; canonical: string } | { error: string } {
    const parsed = this.ctx.chem.parse(smiles);
    if (!parsed.ok) return { error: parsed.reason };
    const mol = parsed.mol;
    const canonical = mol.canonical;
    if (this.p.filter === 'PenalizeSameSmiles') return { key: '', canonical };
    let key = this.p.filter === 'IdenticalTopologicalScaffold' ? mol.genericScaffold() : mol.murckoScaffold();
    if (this.p.filter === 'ScaffoldSimilarity' && key !== '') {
      const sp = this.ctx.chem.parse(key);
      if (sp.ok) {
        const fp = new Uint8Array(sp.mol.raw().get_atom_pair_fp_as_uint8array(JSON.stringify({ nBits: 2048 })) as ArrayLike<number>);
        let best = -1;
        let bestKey = key;
        for (const [k, f] of this.scaffoldFps) {
          const d = dice(fp, f);
          if (d > best) {
            best = d;
            bestKey = k;
          }
        }
        if (best >= this.p.minsimilarity) key = bestKey;
        else this.scaffoldFps.set(key, fp);
      }
    }
    return { key, canonical };
  }

  private sequenceKey(seq: string): string {
    if (this.p.sequence_filter !== 'SimilarSequence') return seq;
    const km = kmers(seq, this.p.k);
    let best = -1;
    let bestKey = seq;
    for (const [k, set] of this.seqKmers) {
      const j = jaccard(km, set);
      if (j > best) {
        best = j;
        bestKey = k;
      }
    }
    if (best >= this.p.minsimilarity) return bestKey;
    this.seqKmers.set(seq, km);
    return seq;
  }

  /** Filters one batch in order (a row can be filtered by an earlier row of the same batch, as in REINVENT). */
  apply(rows: readonly ComponentRow[], scores: ReadonlyArray<number | null>): FilterOutcome[] {
    return rows.map((r, i) => {
      const s0 = scores[i]!;
      if (s0 === null || !r.seq.ok) return { score: s0, factor: null, reason: r.seq.ok ? 'no score to filter' : r.seq.reason };
      const modality: Modality = r.seq.modality;
      let id: string;
      let key: string;
      if (modality === 'SMILES') {
        const k = this.scaffoldKey(r.seq.text);
        if ('error' in k) return { score: s0, factor: null, reason: k.error };
        id = `smiles:${k.canonical}`;
        key = `scaffold:${k.key}`;
      } else {
        if (this.p.sequence_filter === 'none') return { score: s0, factor: 1 };
        const seq = r.seq.text.toUpperCase();
        id = `${modality}:${seq}`;
        key = `${modality}:${this.sequenceKey(seq)}`;
      }
      let score = s0;
      if (modality === 'SMILES' && this.p.filter === 'PenalizeSameSmiles') {
        if (this.seen.has(id)) score *= this.p.penalty_multiplier;
        this.seen.add(id);
        return { score, factor: s0 === 0 ? (score === 0 ? 1 : 0) : score / s0, ...(score !== s0 ? { reason: 'repeated SMILES' } : {}) };
      }
      let reason: string | undefined;
      if (this.seen.has(id)) {
        score = 0;
        reason = modality === 'SMILES' ? 'repeated SMILES' : 'repeated sequence';
      }
      if (score >= this.p.minscore) {
        this.seen.add(id);
        this.buckets.set(key, (this.buckets.get(key) ?? 0) + 1);
        if (this.bucketFull(key)) {
          score = 0;
          reason = `bucket ${key.replace(/^scaffold:/, 'scaffold ')} is full (> ${this.p.bucket_size})`;
        }
      }
      const display = key.startsWith('scaffold:') ? key.slice(9) : key;
      return { score, factor: score === s0 ? 1 : s0 === 0 ? 1 : score / s0, bucket: display, ...(reason ? { reason } : {}) };
    });
  }
}
