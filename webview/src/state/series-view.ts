// One line of one run on one chart, ready to draw: x values for the axis mode, the raw values
// decimated into min/max buckets, and the smoothed (debiased EMA) values decimated the same way.
// refresh() consumes only the rows added since the last call (a live append is O(new rows));
// a change of x mode or smoothing weight needs a new SeriesView.

import { Ema } from './ema';
import { IncrementalBuckets, decimateRange, type Bucket } from './decimate';
import type { RunData } from './run-data';
import type { XAxisMode } from './store';

export const HOUR_MS = 3_600_000;

/** x of row i in a run for an axis mode (relative: hours since the run's first row). */
export function xColumn(run: RunData, mode: XAxisMode): (i: number) => number {
  const step = run.column('step') ?? [];
  const wall = run.column('wall_time') ?? [];
  if (mode === 'step') return (i) => step[i]!;
  if (mode === 'wall') return (i) => wall[i]!;
  const t0 = wall.find(Number.isFinite) ?? 0;
  return (i) => (wall[i]! - t0) / HOUR_MS;
}

export class SeriesView {
  private readonly raw: IncrementalBuckets;
  private readonly smooth: IncrementalBuckets;
  private readonly ema: Ema;
  private consumed = 0;
  private generation: number;
  readonly xs: number[] = [];
  readonly ys: number[] = [];
  readonly smoothed: number[] = [];

  constructor(
    readonly run: RunData,
    readonly key: string,
    readonly mode: XAxisMode,
    readonly weight: number,
    readonly maxBuckets: number,
    /** Values computed from several columns (mean ± std) instead of the key's column. */
    private readonly derive?: (run: RunData) => ((i: number) => number) | null,
  ) {
    this.raw = new IncrementalBuckets(maxBuckets);
    this.smooth = new IncrementalBuckets(maxBuckets);
    this.ema = new Ema(weight);
    this.generation = run.generation;
  }

  /** Takes the run's new rows; false when the view is stale (the run was reset) and must be rebuilt. */
  refresh(): boolean {
    if (this.generation !== this.run.generation) return false;
    const col = this.run.column(this.key);
    const value = this.derive ? this.derive(this.run) : col ? (i: number) => col[i]! : null;
    if (!value) return true;
    const x = xColumn(this.run, this.mode);
    for (let i = this.consumed; i < this.run.length; i++) {
      const xi = x(i);
      const y = value(i);
      if (!Number.isFinite(xi)) continue;
      // Rows of a step logged again after a resume would go backwards: skip them for drawing.
      if (this.xs.length && xi < this.xs[this.xs.length - 1]!) continue;
      const s = this.ema.push(y);
      this.xs.push(xi);
      this.ys.push(y);
      this.smoothed.push(s);
      this.raw.push(xi, y);
      this.smooth.push(xi, s);
    }
    this.consumed = this.run.length;
    return true;
  }

  /** The whole run's buckets as they grow (series-points.ts patches charts from their tails). */
  get rawBuckets(): Readonly<IncrementalBuckets> {
    return this.raw;
  }

  get smoothBuckets(): Readonly<IncrementalBuckets> {
    return this.smooth;
  }

  /** Buckets of the raw and smoothed values over the whole run, or over [lo, hi] when zoomed. */
  buckets(range: [number, number] | null, target: number): { raw: Bucket[]; smooth: Bucket[] } {
    if (!range) return { raw: this.raw.buckets(), smooth: this.smooth.buckets() };
    return { raw: decimateRange(this.xs, this.ys, range[0], range[1], target), smooth: decimateRange(this.xs, this.smoothed, range[0], range[1], target) };
  }

  get points(): number {
    return this.xs.length;
  }
}
