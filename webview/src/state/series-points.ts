// The point arrays a chart draws for one SeriesView (Chart.js reads them as they are: parsing off),
// kept in step with the view's buckets by patching, not rebuilding: after an append only the last
// bucket's points are replaced and any new buckets' points added (Chart.js sees the splice and
// re-parses just those); a halving of the buckets, or a zoomed span, replaces every point. The
// arrays keep their identity, so a chart built on them never has its datasets swapped.

import { decimateRange, type Bucket } from './decimate';
import type { SeriesView } from './series-view';

export interface XY {
  x: number;
  y: number | null;
}

export const pointOf = (b: Bucket, which: 'y' | 'min' | 'max'): XY => ({ x: b.x, y: Number.isFinite(b[which]) ? b[which] : null });

/** Replaces arr[from..] with `items` in one splice (what Chart.js's array listener picks up). */
function patch(arr: XY[], from: number, items: XY[]): void {
  arr.splice(from, arr.length - from, ...items);
}

export class SeriesPoints {
  /** Bucket means, minima and maxima of the raw values, and means of the smoothed values. */
  readonly raw: XY[] = [];
  readonly rawMin: XY[] = [];
  readonly rawMax: XY[] = [];
  readonly smooth: XY[] = [];
  /** Some bucket holds more than one point: the chart draws its min..max band. */
  decimated = false;
  private seenVersion = -1;
  private seenPoints = -1;
  private zoomed = false;

  constructor(readonly view: SeriesView) {}

  /**
   * Brings the arrays to the view's buckets (call after view.refresh()): over the whole run, or
   * re-bucketed to about `target` over `range` when zoomed. Returns whether any point changed.
   */
  sync(range: [number, number] | null, target: number): boolean {
    const v = this.view;
    if (range) {
      const raw = decimateRange(v.xs, v.ys, range[0], range[1], target);
      const smooth = decimateRange(v.xs, v.smoothed, range[0], range[1], target);
      this.put(0, raw, smooth);
      this.decimated = raw.some((b) => b.n > 1);
      this.zoomed = true;
      this.seenVersion = -1;
      return true;
    }
    const rb = v.rawBuckets;
    if (!this.zoomed && rb.version === this.seenVersion && rb.length === this.seenPoints) return false;
    // Same layout as last time: only the old last bucket can have changed, and buckets after it are new.
    const from = !this.zoomed && rb.version === this.seenVersion ? Math.max(0, this.raw.length - 1) : 0;
    const raw = rb.bucketsFrom(from);
    this.put(from, raw, v.smoothBuckets.bucketsFrom(from));
    this.decimated = (from > 0 && this.decimated) || raw.some((b) => b.n > 1);
    this.zoomed = false;
    this.seenVersion = rb.version;
    this.seenPoints = rb.length;
    return true;
  }

  private put(from: number, raw: Bucket[], smooth: Bucket[]): void {
    patch(this.raw, from, raw.map((b) => pointOf(b, 'y')));
    patch(this.rawMin, from, raw.map((b) => pointOf(b, 'min')));
    patch(this.rawMax, from, raw.map((b) => pointOf(b, 'max')));
    patch(this.smooth, from, smooth.map((b) => pointOf(b, 'y')));
  }
}
