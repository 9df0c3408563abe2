// Pseudo-log-likelihood of tokenized sequences under UME, in three modes. All of them run the
// encoder's `selected_logprob` graph: a batch of rows plus the flat positions to score in it, so
// the MLM head (H x H + H x vocab per position) runs only where a log-prob is wanted.
//
// - unmasked: lobster-compatible. One pass, no masking; the log-prob of every observed token,
//   averaged over ALL non-pad positions INCLUDING <cls_*> and <eos> (what lobster's reward does).
//   Cheap, but only meaningful for models trained with unmasked targets (BERT 80/10/10).
// - masked: true PLL. Each residue position is replaced by <mask> in its own copy of the sequence;
//   the log-prob of the original token there is read. Averaged over the residue positions only:
//   every position except <cls_*>, <eos> and literal special tokens (<unk> counts as a residue).
// - sampled: like masked, but only k residue positions per sequence, drawn with a seeded RNG that
//   depends on (seed, token ids) alone, so a sequence gets the same positions in any batch. The mean
//   is over the sampled positions (an unbiased estimate of the masked mean). With k >= the number of
//   residues it scores every residue and equals `masked` exactly.
//
// Rows of every sequence are pooled, sorted by length and packed into forward passes bounded in
// tokens and attention-score elements (dynamic padding: a batch is as long as its longest row).

import { Rng } from '../train/rng';
import { isSpecial, SPECIAL, type Encoding } from './tokenizer';

export type PllMode = 'masked' | 'unmasked' | 'sampled';
export const PLL_MODES: readonly PllMode[] = ['masked', 'unmasked', 'sampled'];

export interface PllOptions {
  mode: PllMode;
  /** sampled: positions per sequence (default 16). */
  k?: number;
  /** sampled: RNG seed (default 0). */
  seed?: number;
  signal?: AbortSignal;
}

export interface PackLimits {
  /** Max B*T per forward pass. */
  maxTokens: number;
  /** Max B*heads*T*T attention scores per forward pass (the memory that grows fastest). */
  maxAttention: number;
  heads: number;
}

/**
 * The bound on the shared-context masked PLL graph (masked-pll-graph.ts): at most `maxShared`
 * elements of its per-base tensors (S*T*T*hidden, S = distinct sequences) in one pass.
 */
export interface SharedBound {
  maxShared: number;
  hidden: number;
}

/** True when S sequences of length T fit the shared-context graph's bound. */
export function sharedFits(S: number, T: number, bound: SharedBound): boolean {
  return S * T * T * bound.hidden <= bound.maxShared;
}

export const DEFAULT_K = 16;
export const DEFAULT_LIMITS = { maxTokens: 8192, maxAttention: 32 * 1024 * 1024, maxShared: 32 * 1024 * 1024 };

export interface PllResult {
  mode: PllMode;
  /** Token ids including <cls_*> and <eos>. */
  ids: number[];
  /** [start, end) offsets of each token in the input text ([0,0] / [len,len] for cls / eos). */
  offsets: Array<[number, number]>;
  /** Natural-log probability per token; null where this mode did not score the token. */
  logprobs: Array<number | null>;
  /** Mean over the scored tokens (see the mode notes above); null when nothing could be scored. */
  mean: number | null;
  /** Number of tokens averaged. */
  count: number;
  /** True when the text was cut to the max length before scoring. */
  truncated: boolean;
  /** Why `mean` is null or not finite. */
  reason?: string;
}

/** One row of a forward pass: token ids (possibly with a <mask>), and which positions to read. */
export interface Row {
  seq: number;
  ids: number[];
  positions: number[];
  targets: number[];
}

export interface SelectedBatch {
  batch: number;
  length: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  /** Flat b*length+t indices of the scored positions. */
  positions: BigInt64Array;
  /** Token whose log-prob is read at each scored position. */
  targets: BigInt64Array;
}

/** Runs the `selected_logprob` graph on one batch; returns one log-prob per scored position. */
export type SelectedRunner = (batch: SelectedBatch) => Promise<Float32Array>;

/**
 * Masked/sampled rows as the shared-context graph takes them: the original sequences once
 * ([bases, length], right-padded) and one copy per masked position.
 */
export interface CopyBatch {
  bases: number;
  length: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  /** Base row of each copy. */
  copySeq: BigInt64Array;
  /** The masked (and scored) position of each copy. */
  copyPos: BigInt64Array;
  /** The original token there. */
  targets: BigInt64Array;
}

/** Runs the shared-context masked PLL graph; returns one log-prob per copy. */
export type CopyRunner = (batch: CopyBatch) => Promise<Float32Array>;

/** The shared-context graph's runner and the bound its passes are packed to. */
export interface SharedScoring extends SharedBound {
  run: CopyRunner;
}

/** Positions masked/averaged by `masked` and `sampled`: everything but cls, eos and literal specials. */
export function residuePositions(enc: Encoding): number[] {
  const out: number[] = [];
  for (let t = 1; t < enc.ids.length - 1; t++) {
    const id = enc.ids[t]!;
    if (!isSpecial(id) || id === SPECIAL.unk) out.push(t);
  }
  return out;
}

/** FNV-1a over the ids: the per-sequence part of the sampling seed. */
function hashIds(ids: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const id of ids) {
    h ^= id & 0xffff;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= id >>> 16;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** k of the residue positions, ascending; all of them when k >= their number. */
export function sampledPositions(enc: Encoding, k: number, seed: number): number[] {
  const all = residuePositions(enc);
  if (k >= all.length) return all;
  const rng = new Rng((seed ^ hashIds(enc.ids)) >>> 0);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(all.length - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, k).sort((a, b) => a - b);
}

/** The rows a mode needs for each sequence. */
export function planRows(encodings: readonly Encoding[], options: PllOptions): Row[] {
  const rows: Row[] = [];
  const k = options.k ?? DEFAULT_K;
  if (options.mode === 'sampled' && !(Number.isInteger(k) && k > 0)) throw new Error(`sampled PLL needs a positive integer k (positions per sequence), got ${k}`);
  encodings.forEach((enc, seq) => {
    if (options.mode === 'unmasked') {
      rows.push({ seq, ids: enc.ids, positions: enc.ids.map((_, t) => t), targets: enc.ids });
      return;
    }
    const positions = options.mode === 'masked' ? residuePositions(enc) : sampledPositions(enc, k, options.seed ?? 0);
    for (const p of positions) {
      const ids = enc.ids.slice();
      ids[p] = SPECIAL.mask;
      rows.push({ seq, ids, positions: [p], targets: [enc.ids[p]!] });
    }
  });
  return rows;
}

/**
 * Groups rows into forward passes: longest first, each pass as long as its longest row, adding
 * rows while B*T and B*heads*T^2 stay within the limits (a row too big for them runs alone); with
 * `shared`, also while the pass's distinct sequences fit the shared-context graph's bound.
 */
export function packRows<R extends { ids: readonly number[]; seq?: number }>(rows: readonly R[], limits: PackLimits, shared?: SharedBound): R[][] {
  const order = rows.map((_, i) => i).sort((a, b) => rows[b]!.ids.length - rows[a]!.ids.length || a - b);
  const batches: R[][] = [];
  let cur: R[] = [];
  let seqs = new Set<number | undefined>();
  let T = 0;
  for (const i of order) {
    const r = rows[i]!;
    const len = Math.max(T, r.ids.length);
    const n = cur.length + 1;
    const S = seqs.size + (seqs.has(r.seq) ? 0 : 1);
    const sharedOver = shared !== undefined && !sharedFits(S, len, shared);
    if (cur.length > 0 && (n * len > limits.maxTokens || n * limits.heads * len * len > limits.maxAttention || sharedOver)) {
      batches.push(cur);
      cur = [];
      seqs = new Set();
    }
    if (cur.length === 0) T = r.ids.length;
    cur.push(r);
    seqs.add(r.seq);
  }
  if (cur.length) batches.push(cur);
  return batches;
}

/** Right-padded ids and mask for a group of rows (dynamic padding to the group's longest). */
export function collateRows(rows: ReadonlyArray<{ ids: readonly number[] }>): { batch: number; length: number; inputIds: BigInt64Array; attentionMask: BigInt64Array } {
  const length = Math.max(...rows.map((r) => r.ids.length));
  const inputIds = new BigInt64Array(rows.length * length).fill(BigInt(SPECIAL.pad));
  const attentionMask = new BigInt64Array(rows.length * length);
  rows.forEach((r, b) => {
    r.ids.forEach((id, t) => {
      inputIds[b * length + t] = BigInt(id);
      attentionMask[b * length + t] = 1n;
    });
  });
  return { batch: rows.length, length, inputIds, attentionMask };
}

/** The bases and copies of a group of masked/sampled rows (one position each). */
export function collateCopies(group: readonly Row[], encodings: readonly Encoding[]): CopyBatch {
  const baseOf = new Map<number, number>();
  for (const r of group) if (!baseOf.has(r.seq)) baseOf.set(r.seq, baseOf.size);
  const bases = collateRows([...baseOf.keys()].map((seq) => ({ ids: encodings[seq]!.ids })));
  return {
    bases: bases.batch,
    length: bases.length,
    inputIds: bases.inputIds,
    attentionMask: bases.attentionMask,
    copySeq: BigInt64Array.from(group, (r) => BigInt(baseOf.get(r.seq)!)),
    copyPos: BigInt64Array.from(group, (r) => BigInt(r.positions[0]!)),
    targets: BigInt64Array.from(group, (r) => BigInt(r.targets[0]!)),
  };
}

function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const err = new Error('PLL scoring was cancelled');
    err.name = 'AbortError';
    throw err;
  }
}

/**
 * Scores tokenized sequences; `run` executes one packed batch through the encoder. With `shared`,
 * masked/sampled rows go through the shared-context graph instead, except sequences whose per-base
 * tensors alone exceed its bound (they take `run`, one explicit copy per row).
 */
export async function computePll(encodings: readonly Encoding[], options: PllOptions, limits: PackLimits, run: SelectedRunner, shared?: SharedScoring): Promise<PllResult[]> {
  if (!PLL_MODES.includes(options.mode)) throw new Error(`unknown PLL mode "${String(options.mode)}"; use one of ${PLL_MODES.join(', ')}`);
  const results: PllResult[] = encodings.map((e) => ({
    mode: options.mode,
    ids: e.ids,
    offsets: e.offsets,
    logprobs: e.ids.map(() => null),
    mean: null,
    count: 0,
    truncated: e.truncated,
  }));
  const rows = planRows(encodings, options);
  const viaShared = (r: Row) => shared !== undefined && options.mode !== 'unmasked' && sharedFits(1, r.ids.length, shared);
  for (const group of packRows(rows.filter(viaShared), limits, shared)) {
    abortIfNeeded(options.signal);
    const out = await shared!.run(collateCopies(group, encodings));
    if (out.length !== group.length) throw new Error(`the encoder returned ${out.length} log-probs for ${group.length} masked copies`);
    group.forEach((r, j) => (results[r.seq]!.logprobs[r.positions[0]!] = out[j]!));
  }
  for (const group of packRows(rows.filter((r) => !viaShared(r)), limits)) {
    abortIfNeeded(options.signal);
    const { batch, length, inputIds, attentionMask } = collateRows(group);
    const n = group.reduce((s, r) => s + r.positions.length, 0);
    const positions = new BigInt64Array(n);
    const targets = new BigInt64Array(n);
    let j = 0;
    group.forEach((r, b) => {
      r.positions.forEach((p, i) => {
        positions[j] = BigInt(b * length + p);
        targets[j++] = BigInt(r.targets[i]!);
      });
    });
    const out = await run({ batch, length, inputIds, attentionMask, positions, targets });
    if (out.length !== n) throw new Error(`the encoder returned ${out.length} log-probs for ${n} scored positions`);
    j = 0;
    for (const r of group) for (const p of r.positions) results[r.seq]!.logprobs[p] = out[j++]!;
  }
  for (const res of results) {
    let sum = 0;
    let count = 0;
    for (const lp of res.logprobs) {
      if (lp === null) continue;
      sum += lp;
      count++;
    }
    res.count = count;
    if (count === 0) {
      res.reason = 'no residue tokens to score (the sequence is empty or only special tokens)';
      continue;
    }
    res.mean = sum / count;
    if (!Number.isFinite(res.mean)) res.reason = 'the model returned a non-finite log-prob (corrupt weights?)';
  }
  return results;
}

/** The n scored tokens with the lowest log-prob (ties: earlier first), for editor reports. */
export function leastLikely(result: PllResult, n = 3): Array<{ index: number; id: number; offsets: [number, number]; logprob: number }> {
  return result.logprobs
    .map((lp, index) => ({ index, id: result.ids[index]!, offsets: result.offsets[index]!, logprob: lp }))
    .filter((x): x is { index: number; id: number; offsets: [number, number]; logprob: number } => x.logprob !== null && (!isSpecial(x.id) || x.id === SPECIAL.unk))
    .sort((a, b) => a.logprob - b.logprob || a.index - b.index)
    .slice(0, n);
}
