// What a line chart draws straight onto its canvas under the Chart.js lines instead of as Chart.js
// datasets: the bands (min–max reward, ± std, each bucket's min..max) and the faint raw line behind
// the smoothed one. They have no tooltip or legend entry, and as datasets each cost Chart.js a
// controller, option resolution and an element per point on every update and draw: most of a
// chart's work. Their y extent is handed to the y axis (suggestedMin/Max) so spikes stay in view.

import type { XY } from '../state/series-points';

export type Underlay = { kind: 'band'; lo: XY[]; hi: XY[]; fill: string } | { kind: 'line'; data: XY[]; stroke: string; width: number; dash: number[] };

interface Axis {
  getPixelForValue(v: number): number;
}

interface Area {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Bands filled first, then lines, in the order given; clipped to the chart area; nulls skipped. */
export function drawUnderlays(ctx: CanvasRenderingContext2D, area: Area, x: Axis, y: Axis, layers: readonly Underlay[]): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
  ctx.clip();
  for (const l of layers) {
    ctx.beginPath();
    if (l.kind === 'band') {
      let started = false;
      for (const p of l.hi) {
        if (p.y === null) continue;
        const px = x.getPixelForValue(p.x);
        const py = y.getPixelForValue(p.y);
        if (started) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
        started = true;
      }
      for (let i = l.lo.length - 1; i >= 0; i--) {
        const p = l.lo[i]!;
        if (p.y !== null && started) ctx.lineTo(x.getPixelForValue(p.x), y.getPixelForValue(p.y));
      }
      ctx.closePath();
      ctx.fillStyle = l.fill;
      ctx.fill();
    } else {
      let started = false;
      for (const p of l.data) {
        if (p.y === null) continue;
        const px = x.getPixelForValue(p.x);
        const py = y.getPixelForValue(p.y);
        if (started) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
        started = true;
      }
      ctx.strokeStyle = l.stroke;
      ctx.lineWidth = l.width;
      ctx.lineJoin = 'round';
      ctx.setLineDash(l.dash);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** Smallest and largest y of the layers (only y > 0 for a log axis), or null when they hold none. */
export function underlayExtent(layers: readonly Underlay[], positiveOnly = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  const see = (pts: readonly XY[]) => {
    for (const p of pts) {
      const v = p.y;
      if (v === null || (positiveOnly && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  };
  for (const l of layers) {
    if (l.kind === 'band') {
      see(l.lo);
      see(l.hi);
    } else see(l.data);
  }
  return lo <= hi ? [lo, hi] : null;
}
