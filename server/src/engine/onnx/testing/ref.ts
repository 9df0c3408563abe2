// Plain TypeScript reference implementations of ONNX ops, in float64, written for clarity, not
// speed: the independent side of the ORT round-trip tests (and usable by gradient checks).
// An Nd is a row-major array of numbers with a concrete shape.

export interface Nd {
  shape: number[];
  data: number[];
}

export const nd = (shape: number[], data: ArrayLike<number | bigint>): Nd => ({ shape: [...shape], data: Array.from(data, Number) });

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  const st = strides(shape);
  return idx.reduce((acc, v, i) => acc + v * st[i]!, 0);
}

const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

export function broadcastShape(...shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
}

/** Element of `x` at output index `idx` under numpy broadcasting. */
function at(x: Nd, idx: readonly number[]): number {
  const off = idx.length - x.shape.length;
  const own = x.shape.map((d, i) => (d === 1 ? 0 : idx[i + off]!));
  return x.data[ravel(own, x.shape)]!;
}

/** Broadcasting elementwise op over any number of inputs. */
export function zip(fn: (...v: number[]) => number, ...xs: Nd[]): Nd {
  const shape = broadcastShape(...xs.map((x) => x.shape));
  const data = Array.from({ length: size(shape) }, (_, f) => {
    const idx = unravel(f, shape);
    return fn(...xs.map((x) => at(x, idx)));
  });
  return { shape, data };
}

export const map = (x: Nd, fn: (v: number) => number): Nd => ({ shape: [...x.shape], data: x.data.map(fn) });

export function expand(x: Nd, shape: number[]): Nd {
  return zip((v) => v, x, { shape, data: new Array(size(shape)).fill(0) });
}

/** Batched matmul with broadcast batch dims (both operands rank >= 2). */
export function matmul(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const data = new Array<number>(size(shape)).fill(0);
  for (let bi = 0; bi < size(batch); bi++) {
    const bidx = unravel(bi, batch);
    const aOff = ravel([...bidx.slice(bidx.length - (a.shape.length - 2)).map((v, i) => (a.shape[i] === 1 ? 0 : v)), 0, 0], a.shape);
    const bOff = ravel([...bidx.slice(bidx.length - (b.shape.length - 2)).map((v, i) => (b.shape[i] === 1 ? 0 : v)), 0, 0], b.shape);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a.data[aOff + i * k + t]! * b.data[bOff + t * n + j]!;
        data[bi * m * n + i * n + j] = s;
      }
    }
  }
  return { shape, data };
}

/** Reduces over `axes` (all when empty) with a lane function. */
export function reduce(x: Nd, axes: number[], keepdims: boolean, lane: (v: number[]) => number): Nd {
  const ax = new Set((axes.length ? axes : x.shape.map((_, i) => i)).map((a) => norm(a, x.shape.length)));
  const keptShape = x.shape.map((d, i) => (ax.has(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  for (let f = 0; f < x.data.length; f++) {
    const idx = unravel(f, x.shape).map((v, i) => (ax.has(i) ? 0 : v));
    const key = ravel(idx, keptShape);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(x.data[f]!);
  }
  const data = Array.from({ length: size(keptShape) }, (_, i) => lane(groups.get(i)!));
  return { shape: keepdims ? keptShape : x.shape.filter((_, i) => !ax.has(i)), data };
}

export const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);

/** Applies a vector -> vector function to every 1-D lane along `axis`. */
export function alongAxis(x: Nd, axis: number, fn: (lane: number[]) => number[]): Nd {
  const a = norm(axis, x.shape.length);
  const out = new Array<number>(x.data.length);
  const st = strides(x.shape)[a]!;
  const n = x.shape[a]!;
  for (let f = 0; f < x.data.length; f++) {
    if (unravel(f, x.shape)[a] !== 0) continue;
    const lane = Array.from({ length: n }, (_, i) => x.data[f + i * st]!);
    fn(lane).forEach((v, i) => (out[f + i * st] = v));
  }
  return { shape: [...x.shape], data: out };
}

export function softmaxLane(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = sum(e);
  return e.map((x) => x / s);
}

export function logSoftmaxLane(v: number[]): number[] {
  const m = Math.max(...v);
  const lse = m + Math.log(sum(v.map((x) => Math.exp(x - m))));
  return v.map((x) => x - lse);
}

export function transpose(x: Nd, perm: number[]): Nd {
  const shape = perm.map((p) => x.shape[p]!);
  const data = Array.from({ length: x.data.length }, (_, f) => {
    const idx = unravel(f, shape);
    const src = new Array<number>(perm.length);
    perm.forEach((p, i) => (src[p] = idx[i]!));
    return x.data[ravel(src, x.shape)]!;
  });
  return { shape, data };
}

/** Elements whose index satisfies `keep`, reshaped to `shape` (slices, gathers by predicate). */
export function select(x: Nd, shape: number[], source: (outIdx: number[]) => number[]): Nd {
  return { shape, data: Array.from({ length: size(shape) }, (_, f) => x.data[ravel(source(unravel(f, shape)), x.shape)]!) };
}

export function concat(xs: Nd[], axis: number): Nd {
  const a = norm(axis, xs[0]!.shape.length);
  const shape = [...xs[0]!.shape];
  shape[a] = sum(xs.map((x) => x.shape[a]!));
  const data = Array.from({ length: size(shape) }, (_, f) => {
    const idx = unravel(f, shape);
    let k = idx[a]!;
    let i = 0;
    while (k >= xs[i]!.shape[a]!) k -= xs[i++]!.shape[a]!;
    idx[a] = k;
    return xs[i]!.data[ravel(idx, xs[i]!.shape)]!;
  });
  return { shape, data };
}

export function gather(x: Nd, indices: Nd, axis: number): Nd {
  const a = norm(axis, x.shape.length);
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  return select(x, shape, (idx) => {
    const pre = idx.slice(0, a);
    const ii = idx.slice(a, a + indices.shape.length);
    const post = idx.slice(a + indices.shape.length);
    let k = indices.data[ravel(ii, indices.shape)]!;
    if (k < 0) k += x.shape[a]!;
    return [...pre, k, ...post];
  });
}

export function gatherElements(x: Nd, indices: Nd, axis: number): Nd {
  const a = norm(axis, x.shape.length);
  return select(x, [...indices.shape], (idx) => {
    const src = [...idx];
    const k = indices.data[ravel(idx, indices.shape)]!;
    src[a] = k < 0 ? k + x.shape[a]! : k;
    return src;
  });
}

export function scatterElementsAdd(data: Nd, indices: Nd, updates: Nd, axis: number): Nd {
  const a = norm(axis, data.shape.length);
  const out = [...data.data];
  for (let f = 0; f < updates.data.length; f++) {
    const idx = unravel(f, updates.shape);
    const k = indices.data[f]!;
    idx[a] = k < 0 ? k + data.shape[a]! : k;
    out[ravel(idx, data.shape)]! += updates.data[f]!;
  }
  return { shape: [...data.shape], data: out };
}

/** ScatterND with reduction add: indices [..., q] address slices of data. */
export function scatterNDAdd(data: Nd, indices: Nd, updates: Nd): Nd {
  const q = indices.shape[indices.shape.length - 1]!;
  const sliceSize = size(data.shape.slice(q));
  const out = [...data.data];
  const n = indices.data.length / q;
  for (let i = 0; i < n; i++) {
    const pos = indices.data.slice(i * q, i * q + q);
    const off = ravel([...pos, ...data.shape.slice(q).map(() => 0)], data.shape);
    for (let j = 0; j < sliceSize; j++) out[off + j]! += updates.data[i * sliceSize + j]!;
  }
  return { shape: [...data.shape], data: out };
}

/** erf to ~1e-15: Taylor series near 0, continued fraction for erfc in the tails. */
export function erf(x: number): number {
  if (Math.abs(x) < 2.5) {
    let term = x;
    let s = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      s += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * s;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) (Lentz-free backward form).
  const ax = Math.abs(x);
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}
