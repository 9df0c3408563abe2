// Min/max-bucket decimation that keeps spikes (W&B and trackio's way, REFERENCE §7): consecutive
// points are grouped into buckets; each bucket is drawn as its mean on the line and as its
// min..max as a band, so a one-step spike in a 10k-step run still shows. IncrementalBuckets takes
// points one by one (live appends) and halves its resolution when it holds too many buckets
// (merging neighbours), so an append costs O(1) amortized and touches only the last bucket (or adds
// one) until a halving, which `version` counts; decimateRange re-buckets a zoomed span.

export interface Bucket {
  /** x of the first and last point, and the mean x. */
  x0: number;
  x1: number;
  x: number;
  /** Mean, min and max of the finite y values (NaN when none). */
  y: number;
  min: number;
  max: number;
  /** Points in the bucket (finite y only). */
  n: number;
}

interface Acc {
  x0: number;
  x1: number;
  xs: number;
  count: number;
  sum: number;
  n: number;
  min: number;
  max: number;
}

const emptyAcc = (x: number): Acc => ({ x0: x, x1: x, xs: 0, count: 0, sum: 0, n: 0, min: Infinity, max: -Infinity });

function add(a: Acc, x: number, y: number): void {
  a.x1 = x;
  a.xs += x;
  a.count++;
  if (Number.isFinite(y)) {
    a.sum += y;
    a.n++;
    if (y < a.min) a.min = y;
    if (y > a.max) a.max = y;
  }
}

function merge(a: Acc, b: Acc): Acc {
  return { x0: a.x0, x1: b.x1, xs: a.xs + b.xs, count: a.count + b.count, sum: a.sum + b.sum, n: a.n + b.n, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

function toBucket(a: Acc): Bucket {
  const has = a.n > 0;
  return { x0: a.x0, x1: a.x1, x: a.count ? a.xs / a.count : a.x0, y: has ? a.sum / a.n : NaN, min: has ? a.min : NaN, max: has ? a.max : NaN, n: a.n };
}

export class IncrementalBuckets {
  private accs: Acc[] = [];
  /** Points per bucket (a power of two). */
  private width = 1;
  private inLast = 0;
  private points = 0;
  /** Bumped by every halving: buckets before the last one change only then. */
  version = 0;

  /** At most 2*maxBuckets buckets are kept; at least maxBuckets once there are that many points. */
  constructor(readonly maxBuckets: number) {
    if (!(maxBuckets >= 2)) throw new Error(`maxBuckets must be >= 2, got ${maxBuckets}`);
  }

  get length(): number {
    return this.points;
  }

  /** Buckets held. */
  get count(): number {
    return this.accs.length;
  }

  /** Points per bucket now. */
  get pointsPerBucket(): number {
    return this.width;
  }

  push(x: number, y: number): void {
    this.points++;
    let last = this.accs[this.accs.length - 1];
    if (!last || this.inLast >= this.width) {
      if (this.accs.length >= 2 * this.maxBuckets) this.halve();
      last = this.accs[this.accs.length - 1];
    }
    if (!last || this.inLast >= this.width) {
      last = emptyAcc(x);
      this.accs.push(last);
      this.inLast = 0;
    }
    add(last, x, y);
    this.inLast++;
  }

  private halve(): void {
    const out: Acc[] = [];
    for (let i = 0; i < this.accs.length; i += 2) out.push(i + 1 < this.accs.length ? merge(this.accs[i]!, this.accs[i + 1]!) : this.accs[i]!);
    // The last merged bucket holds a full pair unless the count was odd.
    const lastFull = this.accs.length % 2 === 0;
    this.width *= 2;
    this.inLast = lastFull ? this.width : this.inLast;
    this.accs = out;
    this.version++;
  }

  buckets(): Bucket[] {
    return this.accs.map(toBucket);
  }

  /** Buckets from index `from` on (the tail an append changed). */
  bucketsFrom(from: number): Bucket[] {
    const out: Bucket[] = [];
    for (let i = Math.max(0, from); i < this.accs.length; i++) out.push(toBucket(this.accs[i]!));
    return out;
  }
}

/** Buckets of the points whose x lies in [lo, hi] (xs ascending), about `target` of them. */
export function decimateRange(xs: ArrayLike<number>, ys: ArrayLike<number>, lo: number, hi: number, target: number): Bucket[] {
  let i0 = lowerBound(xs, lo);
  let i1 = upperBound(xs, hi);
  // One point either side so the line reaches the edges of the view.
  if (i0 > 0) i0--;
  if (i1 < xs.length) i1++;
  const count = i1 - i0;
  if (count <= 0) return [];
  const per = Math.max(1, Math.ceil(count / Math.max(1, target)));
  const out: Bucket[] = [];
  for (let s = i0; s < i1; s += per) {
    const a = emptyAcc(xs[s]!);
    for (let i = s; i < Math.min(i1, s + per); i++) add(a, xs[i]!, ys[i]!);
    out.push(toBucket(a));
  }
  return out;
}

/** First index with xs[i] >= v (xs ascending). */
export function lowerBound(xs: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (xs[m]! < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** First index with xs[i] > v (xs ascending). */
export function upperBound(xs: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (xs[m]! <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
