// Packs a column-keyed batch (metrics-encoder.ts) into typed columns (protocol/dashboard.ts,
// PackedMetrics): what the 127.0.0.1 server sends as the `init` of a page, where a long run's rows
// would otherwise be megabytes of JSON numbers to print and parse. Updates stay row batches: one
// row is smaller as JSON than as eight bytes per key. The page's decoder is webview/src/state/run-data.ts.

import type { DashboardRun, HostMessage, MetricsBatch, PackedMetrics } from '../protocol/dashboard';
import type { Histogram } from '../protocol/run-format';

const b64 = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** The same rows as columns; `rows` comes back empty. Cells are aligned to `width` keys (the run's key list). */
export function packBatch(batch: MetricsBatch, width: number): MetricsBatch {
  const n = batch.rows.length;
  const numbers: Array<Float64Array | null> = new Array<Float64Array | null>(width).fill(null);
  const hists = new Map<number, { rows: number[]; cells: Histogram[] }>();
  for (let r = 0; r < n; r++) {
    const row = batch.rows[r]!;
    for (let k = 0; k < row.length && k < width; k++) {
      const v = row[k];
      if (typeof v === 'number') {
        let col = numbers[k];
        if (!col) col = numbers[k] = new Float64Array(n).fill(NaN);
        col[r] = v;
      } else if (v && typeof v === 'object') {
        let h = hists.get(k);
        if (!h) hists.set(k, (h = { rows: [], cells: [] }));
        h.rows.push(r);
        h.cells.push(v);
      }
    }
  }
  const packed: PackedMetrics = {
    length: n,
    numbers: numbers.map((c) => (c ? b64(c) : null)),
    histograms: [...hists].map(([key, h]) => ({
      key,
      rows: h.rows,
      sizes: h.cells.map((c) => c.bins.length),
      bins: b64(Float64Array.from(h.cells.flatMap((c) => c.bins))),
      // A histogram has one edge more than bins; a malformed one is padded or cut to that.
      edges: b64(Float64Array.from(h.cells.flatMap((c) => Array.from({ length: c.bins.length + 1 }, (_, i) => c.edges[i] ?? NaN)))),
    })),
  };
  return { keys: batch.keys, rows: [], packed };
}

/** An `init` with every run's metrics packed (its batch holds the run's whole key list). */
export function packInit(init: Extract<HostMessage, { type: 'init' }>): Extract<HostMessage, { type: 'init' }> {
  return { ...init, runs: init.runs.map((r): DashboardRun => ({ ...r, metrics: packBatch(r.metrics, r.metrics.keys.length) })) };
}
