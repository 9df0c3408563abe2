// Decodes the typed columns of a packed metrics batch (protocol/dashboard.ts, PackedMetrics; the
// server's packer is server/src/dashboard/metrics-pack.ts): base64 of little-endian float64.

import type { PackedMetrics } from '../../../server/src/protocol/dashboard';
import type { Histogram } from '../../../server/src/protocol/run-format';

type FromBase64 = (s: string) => Uint8Array;

export function float64FromBase64(b64: string): Float64Array {
  const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
  let bytes: Uint8Array;
  if (native) bytes = native(b64);
  else {
    const s = atob(b64);
    bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  }
  if (bytes.byteLength % 8) throw new Error(`a packed metrics column is ${bytes.byteLength} bytes, not a whole number of float64`);
  // A fresh array starts at offset 0, so the view is aligned.
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

/** The numeric columns (by key index, length `p.length`) and histogram cells of a packed batch. */
export function unpack(p: PackedMetrics): { numbers: Map<number, Float64Array>; histograms: Map<number, Array<[row: number, h: Histogram]>> } {
  const numbers = new Map<number, Float64Array>();
  p.numbers.forEach((c, k) => {
    if (c === null) return;
    const col = float64FromBase64(c);
    if (col.length !== p.length) throw new Error(`packed column ${k} holds ${col.length} values for ${p.length} rows`);
    numbers.set(k, col);
  });
  const histograms = new Map<number, Array<[number, Histogram]>>();
  for (const h of p.histograms) {
    const bins = float64FromBase64(h.bins);
    const edges = float64FromBase64(h.edges);
    const cells: Array<[number, Histogram]> = [];
    let b = 0;
    let e = 0;
    h.rows.forEach((row, i) => {
      const size = h.sizes[i] ?? 0;
      cells.push([row, { bins: Array.from(bins.subarray(b, b + size)), edges: Array.from(edges.subarray(e, e + size + 1)) }]);
      b += size;
      e += size + 1;
    });
    histograms.set(h.key, cells);
  }
  return { numbers, histograms };
}
