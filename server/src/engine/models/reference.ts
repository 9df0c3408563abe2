// Plain TypeScript implementations of the reference models' math, in float64 with loops and no
// ONNX at all: the independent oracle the forward tests compare ORT against (and, later, the
// UME encoder test). Written for clarity on tiny sizes, not speed.

import type { TensorData } from '../onnx/ir';
import type { BertConfig } from './bert';
import type { GptConfig } from './gpt';
import type { MlpConfig } from './mlp';

/** A row-major matrix of `rows` x `cols`. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Anything that hands out parameter tensors by name (a ParameterSet). */
export interface Params {
  get(name: string): TensorData;
}

const mat = (rows: number, cols: number): Mat => ({ rows, cols, data: new Float64Array(rows * cols) });

function fromParam(params: Params, name: string): Mat {
  const t = params.get(name);
  const [r, c] = t.shape.length === 1 ? [1, t.shape[0]!] : [t.shape[0]!, t.shape[1]!];
  return { rows: r, cols: c, data: Float64Array.from(t.data as Float32Array) };
}

export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`reference matmul ${a.rows}x${a.cols} @ ${b.rows}x${b.cols}`);
  const out = mat(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const av = a.data[i * a.cols + k]!;
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j]! += av * b.data[k * b.cols + j]!;
    }
  return out;
}

function map(a: Mat, f: (x: number, i: number) => number): Mat {
  const out = mat(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = f(a.data[i]!, i);
  return out;
}

export const addMat = (a: Mat, b: Mat): Mat => map(a, (x, i) => x + b.data[i]!);
/** Adds a row vector to every row. */
const addRow = (a: Mat, row: Mat): Mat => map(a, (x, i) => x + row.data[i % a.cols]!);

export function rmsNorm(a: Mat, w: Mat, eps: number): Mat {
  const out = mat(a.rows, a.cols);
  for (let r = 0; r < a.rows; r++) {
    let ss = 0;
    for (let c = 0; c < a.cols; c++) ss += a.data[r * a.cols + c]! ** 2;
    const inv = 1 / Math.sqrt(ss / a.cols + eps);
    for (let c = 0; c < a.cols; c++) out.data[r * a.cols + c] = a.data[r * a.cols + c]! * inv * w.data[c]!;
  }
  return out;
}

/** erf by its Maclaurin series (|x| < 3) or continued-fraction erfc tail: double precision. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 100; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) (Lentz-free backward form).
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

export const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
export const silu = (x: number): number => x / (1 + Math.exp(-x));

export function sinusoid(T: number, d: number, temperature: number, layout: 'interleaved' | 'halves'): Mat {
  const out = mat(T, d);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < d / 2; i++) {
      const a = t / Math.pow(temperature, (2 * i) / d);
      const [si, ci] = layout === 'interleaved' ? [2 * i, 2 * i + 1] : [i, d / 2 + i];
      out.data[t * d + si] = Math.sin(a);
      out.data[t * d + ci] = Math.cos(a);
    }
  return out;
}

/** Multi-head attention of one sequence x [T, d]; `allowed(i, j)` says whether query i sees key j. */
export function attention(x: Mat, Wqkv: Mat, Wo: Mat, heads: number, allowed: (i: number, j: number) => boolean): Mat {
  const T = x.rows;
  const d = Wo.rows;
  const dh = d / heads;
  const qkv = matmul(x, Wqkv);
  const ctx = mat(T, d);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < T; i++) {
      const scores: number[] = [];
      for (let j = 0; j < T; j++) {
        let s = 0;
        for (let e = 0; e < dh; e++) s += qkv.data[i * 3 * d + h * dh + e]! * qkv.data[j * 3 * d + d + h * dh + e]!;
        scores.push(allowed(i, j) ? s / Math.sqrt(dh) : -Infinity);
      }
      const m = Math.max(...scores);
      const ex = scores.map((s) => (s === -Infinity ? 0 : Math.exp(s - m)));
      const z = ex.reduce((a, b) => a + b, 0);
      for (let e = 0; e < dh; e++) {
        let acc = 0;
        for (let j = 0; j < T; j++) acc += (ex[j]! / z) * qkv.data[j * 3 * d + 2 * d + h * dh + e]!;
        ctx.data[i * d + h * dh + e] = acc;
      }
    }
  return matmul(ctx, Wo);
}

function block(x: Mat, P: Params, prefix: string, heads: number, eps: number, allowed: (i: number, j: number) => boolean): Mat {
  const w = (n: string) => fromParam(P, `${prefix}.${n}`);
  const h = addMat(x, attention(rmsNorm(x, w('attn_norm.weight'), eps), w('attn.Wqkv.weight'), w('attn.Wo.weight'), heads, allowed));
  const m = matmul(map(matmul(rmsNorm(h, w('mlp_norm.weight'), eps), w('mlp.Wi.weight')), gelu), w('mlp.Wo.weight'));
  return addMat(h, m);
}

function embed(table: Mat, ids: readonly number[]): Mat {
  const out = mat(ids.length, table.cols);
  ids.forEach((id, t) => out.data.set(table.data.subarray(id * table.cols, (id + 1) * table.cols), t * table.cols));
  return out;
}

/** GPT logits for one sequence (length T) -> [T, vocab]. `mask` marks real tokens (1) vs padding (0). */
export function refGptForward(c: GptConfig, P: Params, ids: readonly number[], mask?: readonly number[]): Mat {
  const T = ids.length;
  let h = embed(fromParam(P, 'embed.weight'), ids);
  h = addMat(h, c.positions === 'learned' ? embed(fromParam(P, 'pos_embed.weight'), ids.map((_, t) => t)) : sinusoid(T, c.dModel, 10000, 'interleaved'));
  const allowed = (i: number, j: number) => j <= i && (mask ? mask[j] !== 0 : true);
  for (let l = 0; l < c.nLayers; l++) h = block(h, P, `layers.${l}`, c.nHeads, c.normEps, allowed);
  return matmul(rmsNorm(h, fromParam(P, 'final_norm.weight'), c.normEps), fromParam(P, 'lm_head.weight'));
}

/** BERT/UME-style encoder logits for one sequence -> [T, vocab]. */
export function refBertForward(c: BertConfig, P: Params, ids: readonly number[], mask: readonly number[]): Mat {
  const T = ids.length;
  let h = rmsNorm(embed(fromParam(P, 'embeddings.tok_embeddings.weight'), ids), fromParam(P, 'embeddings.norm.weight'), c.normEps);
  h = addMat(h, sinusoid(T, c.dModel, c.posTemperature, c.posLayout));
  const allowed = (_i: number, j: number) => mask[j] !== 0;
  for (let l = 0; l < c.nLayers; l++) h = block(h, P, `encoder.layers.${l}`, c.nHeads, c.normEps, allowed);
  const d = rmsNorm(map(matmul(h, fromParam(P, 'head.dense.weight')), silu), fromParam(P, 'head.norm.weight'), c.normEps);
  return addRow(matmul(d, fromParam(P, 'decoder.weight')), fromParam(P, 'decoder.bias'));
}

/** MLP logits for a batch x [B, in]. */
export function refMlpForward(c: MlpConfig, P: Params, x: Mat): Mat {
  let h = x;
  const n = c.hidden.length + 1;
  for (let i = 0; i < n; i++) {
    h = addRow(matmul(h, fromParam(P, `layers.${i}.weight`)), fromParam(P, `layers.${i}.bias`));
    if (i + 1 < n) h = map(h, gelu);
  }
  return h;
}

/** Mean cross-entropy over rows whose label is not `ignore`. */
export function refCrossEntropy(logits: Mat, labels: readonly number[], ignore = -100): number {
  let total = 0;
  let count = 0;
  labels.forEach((y, r) => {
    if (y === ignore) return;
    const row = logits.data.subarray(r * logits.cols, (r + 1) * logits.cols);
    const m = Math.max(...row);
    let z = 0;
    for (const v of row) z += Math.exp(v - m);
    total += -(row[y]! - m - Math.log(z));
    count++;
  });
  return total / Math.max(count, 1);
}
