// Finite-difference gradient checks through real ONNX Runtime sessions.
//
// Each case builds f(inputs); the harness forms loss = sum(f * R) with fixed random weights R,
// asks autodiff for d(loss)/d(inputs), and compares with central differences
// (loss(x + eps e_k) - loss(x - eps e_k)) / (2 eps) on fresh random inputs.
//
// All cases share one graph per dtype, so one session checks them all: run k perturbs the k-th
// element of every case at once (the cases' losses are independent). Cases run in float64; a case
// whose ops lack ORT CPU float64 kernels is moved to float32 (detected from ORT's error, which names
// the node) with the looser tolerance below.

import { Graph, isFloat, tensorData, type DType, type Shape, type TensorData, type Value } from '../../server/src/engine/onnx/ir';
import { mul, reduceSum } from '../../server/src/engine/onnx/ops';
import { gradients } from '../../server/src/engine/onnx/autodiff';
import { compile } from '../../server/src/engine/onnx/runtime';
import { nodeNamesIn } from '../../server/src/engine/onnx/runtime/errors';
import { Rng as EngineRng } from '../../server/src/engine/train/rng';

export type FloatDType = 'float32' | 'float64';

/** Step and tolerance per dtype: pass when |fd - ad| <= atol + rtol * max(|fd|, |ad|). */
export const TOLERANCE: Record<FloatDType, { eps: number; rtol: number; atol: number }> = {
  // float64: FD truncation ~eps^2 and round-off ~1e-16/eps are both far below these.
  float64: { eps: 1e-6, rtol: 1e-6, atol: 1e-7 },
  // float32: round-off of the loss (~6e-8 * |loss|) divided by eps dominates.
  float32: { eps: 4e-3, rtol: 1e-2, atol: 3e-3 },
};

/** A source of uniform numbers in [0, 1) (the engine's seeded xoshiro128**). */
export type Rng = () => number;

export function rng(seed: number): Rng {
  const r = new EngineRng(seed);
  return () => r.uniform();
}

export type Gen = (n: number, r: Rng) => number[];
export const uniform = (lo = -1, hi = 1): Gen => (n, r) => Array.from({ length: n }, () => lo + (hi - lo) * r());
/** |x| in [lo, hi] with a random sign: keeps inputs away from kinks at 0 (Relu, Abs). */
export const awayFromZero = (lo = 0.2, hi = 1): Gen => (n, r) => Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r()));
/** Values on a lattice k * step + offset (+ small noise): two inputs with different offsets never tie. */
export const lattice = (step: number, offset: number, k = 8): Gen => (n, r) => Array.from({ length: n }, () => Math.floor(r() * k) * step + offset + (r() - 0.5) * step * 0.1);
/** A random permutation of distinct well-separated values (ReduceMax without ties). */
export const distinct = (gap = 0.1): Gen => (n, r) => {
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * gap);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v.map((x) => x + (r() - 0.5) * gap * 0.1);
};
/** Uniform in [lo, hi] but at least `margin` from each of `points` (Clip bounds). */
export const avoiding = (points: number[], margin = 0.05, lo = -1, hi = 1): Gen => (n, r) =>
  Array.from({ length: n }, () => {
    for (;;) {
      const x = lo + (hi - lo) * r();
      if (points.every((p) => Math.abs(x - p) > margin)) return x;
    }
  });

export interface FloatInput {
  shape: Shape;
  gen?: Gen;
  /** Fed but not differentiated (e.g. a mask or a Clip bound held fixed). */
  constant?: boolean;
}
export interface IntInput {
  shape: Shape;
  int: { low: number; high: number; dtype?: 'int64' | 'int32'; values?: number[] };
}
export type CaseInput = FloatInput | IntInput;

export interface GradCase {
  name: string;
  /** Sizes of the symbolic dims used in input shapes. */
  dims?: Record<string, number>;
  inputs: Record<string, CaseInput>;
  build: (x: Record<string, Value>, dtype: FloatDType) => Value;
  /** Cases that must run in float32 (e.g. ops ORT has only for float). */
  float32Only?: boolean;
}

export interface CaseResult {
  name: string;
  dtype: FloatDType;
  /** Ops whose gradient rules ran for this case. */
  ops: string[];
  checked: number;
  maxAbsErr: number;
  maxRelErr: number;
  failures: string[];
}

const isInt = (s: CaseInput): s is IntInput => 'int' in s;

interface Built {
  graph: Graph;
  perCase: Array<{
    c: GradCase;
    index: number;
    feeds: Record<string, TensorData>;
    wrt: Array<{ name: string; size: number }>;
    loss: string;
    grads: string[];
    ops: Set<string>;
    nodeNames: Set<string>;
    nodeOps: Set<string>;
  }>;
}

function concreteShape(shape: Shape, dims: Record<string, number>, what: string): number[] {
  return shape.map((d) => {
    if (typeof d === 'number') return d;
    const v = dims[d];
    if (v === undefined) throw new Error(`${what}: symbolic dim "${d}" has no size in the case's dims`);
    return v;
  });
}

function build(cases: Array<{ c: GradCase; index: number }>, dtype: FloatDType, seed: number): Built {
  const g = new Graph(`gradcheck_${dtype}`);
  const perCase: Built['perCase'] = [];
  for (const { c, index } of cases) {
    const r = rng(seed + index * 7919);
    const prefix = `c${index}_`;
    const dims = c.dims ?? {};
    // Symbolic dims are per case (the runtime binds a name to one size across all inputs).
    const rename = (s: Shape): Shape => s.map((d) => (typeof d === 'string' ? `${prefix}${d}` : d));
    const prefixedDims = Object.fromEntries(Object.entries(dims).map(([k, v]) => [`${prefix}${k}`, v]));
    const values: Record<string, Value> = {};
    const feeds: Record<string, TensorData> = {};
    const wrt: Array<{ name: string; size: number }> = [];
    const wrtValues: Value[] = [];
    const firstNode = g.nodes.length;
    for (const [name, spec] of Object.entries(c.inputs)) {
      const shape = concreteShape(spec.shape, dims, `${c.name}/${name}`);
      const n = shape.reduce((p, d) => p * d, 1);
      if (isInt(spec)) {
        const idt = spec.int.dtype ?? 'int64';
        const v = g.input(prefix + name, idt, rename(spec.shape));
        values[name] = v;
        const data = spec.int.values ?? Array.from({ length: n }, () => spec.int.low + Math.floor(r() * (spec.int.high - spec.int.low)));
        feeds[v.name] = tensorData(idt, shape, data);
      } else {
        const v = g.input(prefix + name, dtype, rename(spec.shape));
        values[name] = v;
        feeds[v.name] = tensorData(dtype, shape, (spec.gen ?? uniform())(n, r));
        if (!spec.constant) {
          wrt.push({ name: v.name, size: n });
          wrtValues.push(v);
        }
      }
    }
    const f = c.build(values, dtype);
    if (!f.shape) throw new Error(`${c.name}: the output's static shape is unknown; the harness needs it to shape the loss weights`);
    const fShape = concreteShape(f.shape, prefixedDims, `${c.name}/output`);
    const R = g.input(`${prefix}R`, f.dtype, f.shape);
    feeds[R.name] = tensorData(f.dtype, fShape, uniform()(fShape.reduce((p, d) => p * d, 1), r));
    const loss = g.output(reduceSum(mul(f, R), undefined, false), `${prefix}loss`);
    const ops = new Set<string>();
    const grads = gradients(loss, wrtValues, { onRule: (node) => ops.add(node.domain ? `${node.domain}:${node.op}` : node.op) });
    const gradNames = grads.map((d, i) => g.output(d, `${prefix}grad_${i}`).name);
    const nodeNames = new Set(g.nodes.slice(firstNode).map((nd) => nd.name));
    const nodeOps = new Set(g.nodes.slice(firstNode).map((nd) => nd.op));
    perCase.push({ c, index, feeds, wrt, loss: loss.name, grads: gradNames, ops, nodeNames, nodeOps });
  }
  return { graph: g, perCase };
}

const asNumbers = (t: TensorData): number[] => Array.from(t.data as ArrayLike<number>, Number);

/**
 * Runs all cases; returns one result per case. `seed` makes inputs reproducible (print it on failure).
 * Cases that fail to build or compile in float64 because ORT lacks a kernel move to float32.
 */
export interface GradCheckRun {
  results: CaseResult[];
  /** Ops ORT CPU has no float64 kernel for (their cases ran in float32). */
  float32Ops: string[];
}

export async function runGradChecks(cases: GradCase[], seed: number): Promise<GradCheckRun> {
  const indexed = cases.map((c, index) => ({ c, index }));
  let f64 = indexed.filter((x) => !x.c.float32Only);
  const f32 = indexed.filter((x) => x.c.float32Only);
  const results: CaseResult[] = [];
  const fallbackOps: string[] = [];
  // Try float64; move cases named in ORT's "no kernel" errors to float32 until the session loads.
  for (;;) {
    if (f64.length === 0) break;
    const built = build(f64, 'float64', seed);
    let model;
    try {
      model = await compile(built.graph, { device: 'cpu', threads: 1 });
    } catch (err) {
      const msg = `${String(err)} ${String((err as Error).cause ?? '')}`;
      // "Could not find an implementation for Erf(13) node with name 'Erf_109'": every case
      // using that op type moves to float32 at once.
      const names = [...nodeNamesIn(msg), ...[...msg.matchAll(/name '([^']+)'/g)].map((m) => m[1]!)];
      const badOps = new Set(built.graph.nodes.filter((nd) => names.includes(nd.name)).map((nd) => nd.op));
      const culprits = built.perCase.filter((p) => [...badOps].some((o) => p.nodeOps.has(o)));
      if (culprits.length === 0 || !/implementation|kernel|NOT_IMPLEMENTED/i.test(msg)) throw err;
      fallbackOps.push(...badOps);
      f64 = f64.filter((x) => !culprits.some((p) => p.index === x.index));
      f32.push(...culprits.map((p) => ({ c: p.c, index: p.index })));
      continue;
    }
    results.push(...(await check(built, model, 'float64')));
    await model.release();
    break;
  }
  if (f32.length > 0) {
    const built = build(f32, 'float32', seed);
    const model = await compile(built.graph, { device: 'cpu', threads: 1 });
    results.push(...(await check(built, model, 'float32')));
    await model.release();
  }
  const order = new Map(cases.map((c, i) => [c.name, i]));
  results.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  return { results, float32Ops: [...new Set(fallbackOps)].sort() };
}

async function check(built: Built, model: Awaited<ReturnType<typeof compile>>, dtype: FloatDType): Promise<CaseResult[]> {
  const { eps, rtol, atol } = TOLERANCE[dtype];
  const feeds: Record<string, TensorData> = Object.assign({}, ...built.perCase.map((p) => p.feeds));
  const lossNames = built.perCase.map((p) => p.loss);
  const base = await model.run(feeds);
  const analytic = built.perCase.map((p) => p.grads.flatMap((n) => asNumbers(base[n]!)));
  const numeric = built.perCase.map((p) => new Array<number>(p.wrt.reduce((s, w) => s + w.size, 0)).fill(0));
  const maxN = Math.max(0, ...numeric.map((v) => v.length));

  // Locates flat element k of a case's wrt inputs.
  const locate = (p: Built['perCase'][number], k: number): { name: string; at: number } | undefined => {
    for (const w of p.wrt) {
      if (k < w.size) return { name: w.name, at: k };
      k -= w.size;
    }
    return undefined;
  };
  for (let k = 0; k < maxN; k++) {
    const losses: number[][] = [];
    for (const sign of [1, -1]) {
      const perturbed: Record<string, TensorData> = { ...feeds };
      for (const p of built.perCase) {
        const loc = locate(p, k);
        if (!loc) continue;
        const t = feeds[loc.name]!;
        const data = (t.data as Float64Array | Float32Array).slice();
        data[loc.at] = data[loc.at]! + sign * eps;
        perturbed[loc.name] = { ...t, data };
      }
      const out = await model.run(perturbed, lossNames);
      losses.push(lossNames.map((n) => Number(out[n]!.data[0])));
    }
    built.perCase.forEach((p, i) => {
      if (k < numeric[i]!.length) {
        // The perturbed value as stored (float32 rounding changes the effective step).
        const loc = locate(p, k)!;
        const x = Number(feeds[loc.name]!.data[loc.at]);
        const hiX = dtype === 'float32' ? Math.fround(x + eps) : x + eps;
        const loX = dtype === 'float32' ? Math.fround(x - eps) : x - eps;
        numeric[i]![k] = (losses[0]![i]! - losses[1]![i]!) / (hiX - loX);
      }
    });
  }

  return built.perCase.map((p, i) => {
    const ad = analytic[i]!;
    const fd = numeric[i]!;
    const failures: string[] = [];
    let maxAbsErr = 0;
    let maxRelErr = 0;
    if (ad.length !== fd.length) failures.push(`gradient has ${ad.length} elements, expected ${fd.length}`);
    fd.forEach((num, k) => {
      const an = ad[k]!;
      const err = Math.abs(num - an);
      const scale = Math.max(Math.abs(num), Math.abs(an));
      maxAbsErr = Math.max(maxAbsErr, err);
      if (scale > 0) maxRelErr = Math.max(maxRelErr, err / scale);
      if (!(err <= atol + rtol * scale)) {
        const loc = locate(p, k)!;
        if (failures.length < 5) failures.push(`${loc.name}[${loc.at}]: autodiff ${an}, finite differences ${num}`);
      }
    });
    return { name: p.c.name, dtype, ops: [...p.ops].sort(), checked: fd.length, maxAbsErr, maxRelErr, failures };
  });
}

export function isFloatDType(d: DType): d is FloatDType {
  return isFloat(d) && d !== 'float16';
}
