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
    histograms: [...hists].map(([key, h]) => packHistograms(key, h.rows, h.cells)),
  };
  return { keys: batch.keys, rows: [], packed };
}

/** One key's histogram cells: bins and edges concatenated into two float64 columns, written in place. */
function packHistograms(key: number, rows: number[], cells: Histogram[]): PackedMetrics['histograms'][number] {
  const sizes = cells.map((c) => c.bins.length);
  const total = sizes.reduce((a, n) => a + n, 0);
  const bins = new Float64Array(total);
  // A histogram has one edge more than bins; a malformed one is padded (NaN) or cut to that.
  const edges = new Float64Array(total + cells.length).fill(NaN);
  let b = 0;
  let e = 0;
  for (const c of cells) {
    for (let i = 0; i < c.bins.length; i++) bins[b++] = c.bins[i]!;
    for (let i = 0; i <= c.bins.length; i++) if (i < c.edges.length) edges[e + i] = c.edges[i]!;
    e += c.bins.length + 1;
  }
  return { key, rows, sizes, bins: b64(bins), edges: b64(edges) };
}

/** An `init` with every run's metrics packed (its batch holds the run's whole key list). */
export function packInit(init: Extract<HostMessage, { type: 'init' }>): Extract<HostMessage, { type: 'init' }> {
  return { ...init, runs: init.runs.map((r): DashboardRun => ({ ...r, metrics: packBatch(r.metrics, r.metrics.keys.length) })) };
}
