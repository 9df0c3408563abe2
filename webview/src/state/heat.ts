// The reward histogram over steps as a heat strip: each logged step's 20-bin histogram (its own
// edges, from that step's min to max) re-binned onto one shared reward grid, with steps grouped
// into at most `columns` columns. A cell holds the share of that column's completions whose reward
// falls in the cell (bins split across cells in proportion to their overlap).

import type { Histogram } from '../../../server/src/protocol/run-format';

export interface HeatGrid {
  /** Reward range of the grid. */
  lo: number;
  hi: number;
  rows: number;
  /** x (step) span of each column. */
  x0: number[];
  x1: number[];
  /** cells[c][r]: share in [0, 1] of column c's completions in reward row r (row 0 = lowest). */
  cells: Float64Array[];
  /** Largest cell (for colour scaling). */
  max: number;
}

export function heatGrid(xs: ArrayLike<number>, hists: ReadonlyArray<Histogram | null>, columns: number, rows: number, xRange?: [number, number]): HeatGrid | null {
  let lo = Infinity;
  let hi = -Infinity;
  const idx: number[] = [];
  for (let i = 0; i < hists.length; i++) {
    const h = hists[i];
    const x = xs[i]!;
    if (!h || h.edges.length !== h.bins.length + 1 || !Number.isFinite(x)) continue;
    if (xRange && (x < xRange[0] || x > xRange[1])) continue;
    const a = h.edges[0]!;
    const b = h.edges[h.edges.length - 1]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
    idx.push(i);
  }
  if (!idx.length) return null;
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const per = Math.max(1, Math.ceil(idx.length / columns));
  const grid: HeatGrid = { lo, hi, rows, x0: [], x1: [], cells: [], max: 0 };
  const dy = (hi - lo) / rows;
  for (let s = 0; s < idx.length; s += per) {
    const col = new Float64Array(rows);
    let total = 0;
    const group = idx.slice(s, s + per);
    for (const i of group) {
      const h = hists[i]!;
      for (let b = 0; b < h.bins.length; b++) {
        const c = h.bins[b]!;
        if (!(c > 0)) continue;
        total += c;
        const e0 = h.edges[b]!;
        const e1 = h.edges[b + 1]!;
        if (e1 - e0 <= 1e-12) {
          col[Math.min(rows - 1, Math.max(0, Math.floor((e0 - lo) / dy)))]! += c;
          continue;
        }
        const r0 = Math.max(0, Math.floor((e0 - lo) / dy));
        const r1 = Math.min(rows - 1, Math.floor((e1 - lo) / dy - 1e-9));
        for (let r = r0; r <= r1; r++) {
          const overlap = Math.min(e1, lo + (r + 1) * dy) - Math.max(e0, lo + r * dy);
          if (overlap > 0) col[r]! += (c * overlap) / (e1 - e0);
        }
      }
    }
    if (total > 0) for (let r = 0; r < rows; r++) col[r]! /= total;
    for (let r = 0; r < rows; r++) grid.max = Math.max(grid.max, col[r]!);
    grid.x0.push(xs[group[0]!]!);
    grid.x1.push(xs[group[group.length - 1]!]!);
    grid.cells.push(col);
  }
  return grid;
}
