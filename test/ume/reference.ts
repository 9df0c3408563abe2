// An independent plain-TypeScript UME forward pass in float64, written from lobster's modules
// (FlexBertLinEmbeddings + posemb_sincos_1d, FlexBertUnpadPreNormLayer, FlexBertMLP,
// FlexBertPredictionHead + Linear) and reading lobster-named, torch-layout ([out, in]) tensors
// directly, so it also checks our name mapping and the transposes done at load.
// One unpadded sequence at a time, as lobster's unpadded attention sees it.

import type { TensorData } from '../../server/src/engine/onnx/ir';
import { attention, gelu, matmul, rmsNorm, silu, type Mat } from '../../server/src/engine/models/reference';
import type { UmeConfig } from '../../server/src/engine/ume/config';

type Tensors = Map<string, TensorData>;

function get(t: Tensors, name: string): TensorData {
  const v = t.get(name);
  if (!v) throw new Error(`reference: missing ${name}`);
  return v;
}

/** A torch Linear weight [out, in] as the [in, out] matrix x is multiplied by. */
function linearT(t: Tensors, name: string): Mat {
  const w = get(t, name);
  const [o, i] = w.shape as [number, number];
  const data = new Float64Array(i * o);
  for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) data[c * o + r] = (w.data as Float32Array)[r * i + c]!;
  return { rows: i, cols: o, data };
}

const vec = (t: Tensors, name: string): Mat => {
  const w = get(t, name);
  return { rows: 1, cols: w.shape[0]!, data: Float64Array.from(w.data as Float32Array) };
};

const mapMat = (a: Mat, f: (x: number, i: number) => number): Mat => ({ rows: a.rows, cols: a.cols, data: a.data.map(f) });
const addMat = (a: Mat, b: Mat): Mat => mapMat(a, (x, i) => x + b.data[i]!);

/** lobster's posemb_sincos_1d: omega_i = 1 / T^(i / (d/2 - 1)), [sin(n*omega), cos(n*omega)]. */
export function posembSincos1d(n: number, d: number, temperature: number): Mat {
  const half = d / 2;
  const out: Mat = { rows: n, cols: d, data: new Float64Array(n * d) };
  for (let p = 0; p < n; p++)
    for (let i = 0; i < half; i++) {
      const a = p / Math.pow(temperature, i / (half - 1));
      out.data[p * d + i] = Math.sin(a);
      out.data[p * d + half + i] = Math.cos(a);
    }
  return out;
}

export interface RefOutput {
  /** [L, H] final hidden states. */
  hidden: Mat;
  /** [L, V] log-softmax of the MLM logits. */
  logprobs: Mat;
}

const E = 'model.model.';

/** UME forward for one sequence of real tokens (no padding). */
export function refUmeForward(c: UmeConfig, t: Tensors, ids: readonly number[]): RefOutput {
  const L = ids.length;
  const H = c.hiddenSize;
  const table = get(t, `${E}embeddings.tok_embeddings.weight`).data as Float32Array;
  let h: Mat = { rows: L, cols: H, data: new Float64Array(L * H) };
  ids.forEach((id, p) => {
    for (let j = 0; j < H; j++) h.data[p * H + j] = table[id * H + j]!;
  });
  h = addMat(rmsNorm(h, vec(t, `${E}embeddings.norm.weight`), c.normEps), posembSincos1d(L, H, c.posTemperature));
  for (let l = 0; l < c.numLayers; l++) {
    const p = `${E}encoder.layers.${l}.`;
    const a = attention(rmsNorm(h, vec(t, `${p}attn_norm.weight`), c.normEps), linearT(t, `${p}attn.Wqkv.weight`), linearT(t, `${p}attn.Wo.weight`), c.numHeads, () => true);
    h = addMat(h, a);
    const m = matmul(mapMat(matmul(rmsNorm(h, vec(t, `${p}mlp_norm.weight`), c.normEps), linearT(t, `${p}mlp.Wi.weight`)), gelu), linearT(t, `${p}mlp.Wo.weight`));
    h = addMat(h, m);
  }
  const d = rmsNorm(mapMat(matmul(h, linearT(t, 'model.decoder.0.dense.weight')), silu), vec(t, 'model.decoder.0.norm.weight'), c.normEps);
  const bias = vec(t, 'model.decoder.1.bias');
  const logits = mapMat(matmul(d, linearT(t, 'model.decoder.1.weight')), (x, i) => x + bias.data[i % bias.cols]!);
  const V = logits.cols;
  const logprobs = mapMat(logits, (x) => x);
  for (let r = 0; r < L; r++) {
    const row = logits.data.subarray(r * V, (r + 1) * V);
    const m = Math.max(...row);
    let z = 0;
    for (const v of row) z += Math.exp(v - m);
    const lse = m + Math.log(z);
    for (let j = 0; j < V; j++) logprobs.data[r * V + j] = row[j]! - lse;
  }
  return { hidden: h, logprobs };
}

/** Random lobster-named weights for a config: every tensor N(mean, std), norms around 1. */
export function randomLobsterTensors(specs: Array<{ name: string; shape: number[] }>, seed: number, std = 0.3): Tensors {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const out: Tensors = new Map();
  for (const sp of specs) {
    const n = sp.shape.reduce((a, b) => a * b, 1);
    const mean = /norm\.weight$/.test(sp.name) ? 1 : 0;
    out.set(sp.name, { dtype: 'float32', shape: [...sp.shape], data: Float32Array.from({ length: n }, () => mean + std * normal()) });
  }
  return out;
}
