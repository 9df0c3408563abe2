// A metrics.jsonl row as a TensorBoard event: every finite number becomes a scalar under its own
// name (TRL's and lobster's names, so TensorBoard groups them by their prefix: train/, rewards/,
// completions/, ...), and lobster's reward histogram becomes a histogram. step is the event's
// step and wall_time its time; neither is also a scalar.

import type { Histogram, MetricsRow } from '../../../protocol/run-format';
import type { TbEvent, TbHistogram } from './event-proto';

const NOT_SCALARS = new Set(['step', 'wall_time']);

const isHistogram = (v: unknown): v is Histogram =>
  typeof v === 'object' && v !== null && Array.isArray((v as Histogram).bins) && Array.isArray((v as Histogram).edges) && (v as Histogram).edges.length === (v as Histogram).bins.length + 1;

/**
 * lobster's bins as TensorBoard buckets. The run keeps counts only, so sum and sum of squares
 * are taken at the bucket centres (TensorBoard draws from the buckets; these two feed only its
 * tooltips).
 */
export function histogramOf(h: Histogram): TbHistogram | null {
  if (!h.bins.every(Number.isFinite) || !h.edges.every(Number.isFinite)) return null;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  h.bins.forEach((n, i) => {
    const c = (h.edges[i]! + h.edges[i + 1]!) / 2;
    num += n;
    sum += n * c;
    sumSquares += n * c * c;
  });
  return { min: h.edges[0]!, max: h.edges[h.edges.length - 1]!, num, sum, sumSquares, bucketLimit: h.edges.slice(1), bucket: [...h.bins] };
}

export function metricsEvent(row: MetricsRow): TbEvent | null {
  if (!Number.isInteger(row.step)) return null;
  const scalars: [string, number][] = [];
  const histograms: [string, TbHistogram][] = [];
  for (const [k, v] of Object.entries(row)) {
    if (NOT_SCALARS.has(k)) continue;
    if (typeof v === 'number') {
      if (Number.isFinite(v)) scalars.push([k, v]);
    } else if (isHistogram(v)) {
      const h = histogramOf(v);
      if (h) histograms.push([k, h]);
    }
  }
  const wall = typeof row.wall_time === 'number' && Number.isFinite(row.wall_time) ? row.wall_time / 1000 : Date.now() / 1000;
  return { wallTime: wall, step: row.step, scalars, histograms };
}
