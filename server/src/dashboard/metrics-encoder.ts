// Turns metrics rows into the dashboard's column-keyed batches (protocol/dashboard.ts): a run keeps
// one growing key list; a batch names only the keys it adds, and each row is an array aligned to
// the whole list with trailing nulls trimmed. Non-finite numbers become null.

import type { MetricCell, MetricsBatch } from '../protocol/dashboard';
import type { MetricsRow } from '../protocol/run-format';

export class MetricsEncoder {
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();

  encode(rows: readonly MetricsRow[]): MetricsBatch {
    const added: string[] = [];
    const out: MetricCell[][] = [];
    for (const row of rows) {
      const cells: MetricCell[] = [];
      for (const [k, v] of Object.entries(row)) {
        let i = this.index.get(k);
        if (i === undefined) {
          i = this.keys.length;
          this.keys.push(k);
          this.index.set(k, i);
          added.push(k);
        }
        while (cells.length < i) cells.push(null);
        cells[i] = cell(v);
      }
      let n = cells.length;
      while (n > 0 && cells[n - 1] === null) n--;
      cells.length = n;
      out.push(cells);
    }
    return { keys: added, rows: out };
  }

  reset(): void {
    this.keys.length = 0;
    this.index.clear();
  }
}

function cell(v: unknown): MetricCell {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v && typeof v === 'object' && Array.isArray((v as { bins?: unknown }).bins) && Array.isArray((v as { edges?: unknown }).edges)) {
    const h = v as { bins: unknown[]; edges: unknown[] };
    return { bins: h.bins.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : 0)), edges: h.edges.map((x) => (typeof x === 'number' ? x : NaN)) };
  }
  return null;
}

/** Rows back from batches (tests, CSV): the inverse of encode. */
export function decodeBatches(batches: readonly MetricsBatch[]): Array<Record<string, MetricCell>> {
  const keys: string[] = [];
  const rows: Array<Record<string, MetricCell>> = [];
  for (const b of batches) {
    keys.push(...b.keys);
    for (const r of b.rows) rows.push(Object.fromEntries(r.map((v, i) => [keys[i]!, v]).filter(([, v]) => v !== null)));
  }
  return rows;
}
