// The sequence sets of ume-tiny's quality gate: held-out real sequences, the same sequences with
// their residue tokens shuffled (composition kept), and lobster-style random synthetic sequences
// (the procedure of lobster's examples/generate_synthetic_dataset.py, re-implemented on our seeded
// RNG: SMILES grown from a base pattern to 10-50 characters, uniform amino acids 20-100, uniform
// ACGT 50-200). Everything is a pure function of the seed.

import type { Modality } from '../../server/src/engine/seq/types';
import { Rng } from '../../server/src/engine/train/rng';
import { encode, type Encoding } from '../../server/src/engine/ume/tokenizer';
import type { CorpusRow } from './mlm-data';

/** n held-out rows of one modality, picked by a seeded shuffle (not the file's order). */
export function pickHeldout(rows: readonly CorpusRow[], modality: Modality, n: number, seed: number): CorpusRow[] {
  const mine = rows.filter((r) => r.modality === modality);
  return new Rng(seed).shuffle(mine.slice()).slice(0, n);
}

/** The same tokens between <cls_*> and <eos>, in a random order. */
export function shuffleEncoding(e: Encoding, rng: Rng): Encoding {
  const inner = rng.shuffle(e.ids.slice(1, -1));
  const ids = [e.ids[0]!, ...inner, e.ids[e.ids.length - 1]!];
  // Offsets no longer describe a text; keep one placeholder per token.
  return { modality: e.modality, ids, offsets: ids.map(() => [0, 0] as [number, number]), truncated: e.truncated };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

/** lobster's random SMILES: a base pattern extended by atoms, bonds, ring digits and branches. */
export function lobsterRandomSmiles(rng: Rng): string {
  const atoms = ['C', 'N', 'O', 'S', 'P', 'F', 'Cl', 'Br', 'I'];
  const bonds = ['', '=', '#'];
  const rings = ['1', '2', '3', '4', '5', '6'];
  const branches = ['(', ')'];
  const bases = ['CCO', 'c1ccccc1', 'CC(=O)O', 'CC(C)C', 'C1CCCCC1', 'CCN', 'CCOC', 'CC#N', 'CCOCC', 'CC(C)(C)C'];
  let s = pick(rng, bases);
  const length = between(rng, 10, 50);
  // As lobster does, every test draws a fresh random number (so the odds are not 30/20/10/10/30).
  const next = (): string => {
    if (rng.uniform() < 0.3) return pick(rng, atoms);
    if (rng.uniform() < 0.2) return pick(rng, bonds);
    const ring = rng.uniform() < 0.1;
    if (ring) return pick(rng, rings);
    const branch = rng.uniform() < 0.1;
    if (branch) return pick(rng, branches);
    return String(between(rng, 1, 9));
  };
  while (s.length < length) s += next();
  return s;
}

export function lobsterRandomProtein(rng: Rng): string {
  const aa = 'ACDEFGHIKLMNPQRSTVWY';
  return Array.from({ length: between(rng, 20, 100) }, () => aa[rng.int(aa.length)]).join('');
}

export function lobsterRandomDna(rng: Rng): string {
  return Array.from({ length: between(rng, 50, 200) }, () => 'ATGC'[rng.int(4)]).join('');
}

export function lobsterSynthetic(modality: Modality, n: number, seed: number): string[] {
  const rng = new Rng(seed);
  const gen = modality === 'SMILES' ? lobsterRandomSmiles : modality === 'amino_acid' ? lobsterRandomProtein : lobsterRandomDna;
  return Array.from({ length: n }, () => gen(rng));
}

export interface QualitySets {
  real: Encoding[];
  shuffled: Encoding[];
  synthetic: Encoding[];
}

export function qualitySets(heldout: readonly CorpusRow[], modality: Modality, n: number, seed: number, maxLength: number): QualitySets {
  const real = pickHeldout(heldout, modality, n, seed).map((r) => encode(r.text, modality, { maxLength }));
  const rng = new Rng(seed + 1);
  return {
    real,
    shuffled: real.map((e) => shuffleEncoding(e, rng)),
    synthetic: lobsterSynthetic(modality, n, seed + 2).map((t) => encode(t, modality, { maxLength })),
  };
}

/** Mann-Whitney AUROC: P(score of a positive > score of a negative), ties counted half. */
export function auroc(positives: readonly number[], negatives: readonly number[]): number {
  const all = [...positives.map((v) => ({ v, pos: true })), ...negatives.map((v) => ({ v, pos: false }))].sort((a, b) => a.v - b.v);
  // Average ranks over ties.
  let rankSumPos = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.pos) rankSumPos += avg;
    i = j + 1;
  }
  const P = positives.length;
  const N = negatives.length;
  return (rankSumPos - (P * (P + 1)) / 2) / (P * N);
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]!.v === order[i]!.v) j++;
    for (let k = i; k <= j; k++) r[order[k]!.i] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

/** Population standard deviation. */
export function stdev(x: readonly number[]): number {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length);
}

/**
 * Entropy (nats) of the residue composition of an encoding (tokens between <cls_*> and <eos>): what
 * a model that knows only the sequence's own composition pays per residue, and a shuffle keeps.
 */
export function compositionEntropy(e: Encoding): number {
  const inner = e.ids.slice(1, -1);
  const counts = new Map<number, number>();
  for (const id of inner) counts.set(id, (counts.get(id) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / inner.length) * Math.log(c / inner.length);
  return h;
}

/** z of the standard normal at AUROC a (two normals: AUROC = Phi(gap / sqrt(sd1^2 + sd2^2))). */
const Z_AT: Record<string, number> = { '0.9': 1.2816 };

/**
 * The mean-score gap two normal score sets with these spreads need for a given AUROC: how far a
 * model's real-vs-shuffled gap is from the gate, in the scores' own units.
 */
export function gapForAuroc(sdPositive: number, sdNegative: number, target = 0.9): number {
  const z = Z_AT[String(target)];
  if (z === undefined) throw new Error(`gapForAuroc: no z for AUROC ${target}; add it to Z_AT`);
  return z * Math.sqrt(sdPositive ** 2 + sdNegative ** 2);
}
