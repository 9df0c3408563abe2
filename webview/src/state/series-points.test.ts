// A chart's points patched on every append must equal the points built from scratch from the same
// rows: random runs (NaN gaps, steps logged again after a resume, batches of any size), many cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsEncoder } from '../../../server/src/dashboard/metrics-encoder';
import type { MetricsRow } from '../../../server/src/protocol/run-format';
import { RunData } from './run-data';
import { SeriesView } from './series-view';
import { SeriesPoints, pointOf } from './series-points';
import { emaDebiased } from './ema';
import type { XAxisMode } from './store';

/** Small seeded generator (mulberry32), so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRows(r: () => number, n: number): MetricsRow[] {
  const rows: MetricsRow[] = [];
  let step = 0;
  for (let i = 0; i < n; i++) {
    // Now and then the trainer resumed and logged earlier steps again.
    step = r() < 0.01 ? Math.max(1, step - Math.floor(r() * 20)) : step + 1;
    const spike = r() < 0.005 ? 1e3 * (r() - 0.5) : 0;
    const reward = r() < 0.05 ? NaN : Math.sin(step / 50) + r() + spike;
    rows.push({ step, wall_time: 1e12 + step * 61_000, reward, reward_std: r() < 0.05 ? NaN : r() } as unknown as MetricsRow);
  }
  return rows;
}

const snapshot = (p: SeriesPoints) => ({ raw: [...p.raw], rawMin: [...p.rawMin], rawMax: [...p.rawMax], smooth: [...p.smooth], decimated: p.decimated });

function fresh(run: RunData, key: string, mode: XAxisMode, weight: number, maxBuckets: number, range: [number, number] | null) {
  const v = new SeriesView(run, key, mode, weight, maxBuckets);
  v.refresh();
  const p = new SeriesPoints(v);
  p.sync(range, 150);
  return { v, p };
}

test('patched points equal points built from scratch, after every batch of random appends', () => {
  for (let c = 0; c < 60; c++) {
    const r = rng(1000 + c);
    const n = 1 + Math.floor(r() * (c < 40 ? 1500 : 6000));
    const rows = randomRows(r, n);
    const mode: XAxisMode = (['step', 'relative', 'wall'] as const)[c % 3]!;
    const weight = [0, 0.6, 0.9, 0.99][c % 4]!;
    const maxBuckets = 2 + Math.floor(r() * 300);
    const enc = new MetricsEncoder();
    const run = new RunData({ id: 'a', name: 'a', dir: '/a', config: null, status: null, summary: null, problems: [] });
    const view = new SeriesView(run, 'reward', mode, weight, maxBuckets);
    const points = new SeriesPoints(view);
    for (let i = 0; i < rows.length; ) {
      const k = r() < 0.7 ? 1 : 1 + Math.floor(r() * 200);
      run.append(enc.encode(rows.slice(i, i + k)));
      i += k;
      const version = view.rawBuckets.version;
      assert.ok(view.refresh());
      const before = [...points.smooth];
      points.sync(null, 150);
      // Without a halving, every point but the old last one is the very same object.
      if (version === view.rawBuckets.version && before.length) for (let j = 0; j < before.length - 1; j++) assert.equal(points.smooth[j], before[j], `case ${c}: point ${j} was rebuilt`);
      if (r() < 0.05 || i >= rows.length) {
        const ref = fresh(run, 'reward', mode, weight, maxBuckets, null);
        assert.deepEqual(snapshot(points), snapshot(ref.p), `case ${c} after ${i} rows`);
        const b = ref.v.buckets(null, 0);
        assert.deepEqual(points.raw, b.raw.map((x) => pointOf(x, 'y')));
        assert.deepEqual(points.rawMax, b.raw.map((x) => pointOf(x, 'max')));
        assert.deepEqual(points.smooth, b.smooth.map((x) => pointOf(x, 'y')));
      }
      // Zoom in and out now and then: the arrays come back to the whole run's buckets.
      if (r() < 0.03 && view.xs.length > 2) {
        const lo = view.xs[Math.floor(r() * view.xs.length)]!;
        const range: [number, number] = [lo, lo + (view.xs.at(-1)! - view.xs[0]!) / 4 + 1e-9];
        points.sync(range, 150);
        assert.deepEqual(snapshot(points), snapshot(fresh(run, 'reward', mode, weight, maxBuckets, range).p), `case ${c} zoomed`);
        points.sync(null, 150);
      }
    }
    // The smoothed values are the debiased EMA of the drawn raw values, point for point.
    const ema = emaDebiased(view.ys, weight);
    view.smoothed.forEach((s, j) => assert.ok(Object.is(s, ema[j]) || Math.abs(s - ema[j]!) < 1e-12, `case ${c}: EMA at ${j}`));
    assert.ok(points.raw.length <= 2 * maxBuckets);
  }
});

test('a one-row append changes one point or adds one, and a spike stays in the band', () => {
  const run = new RunData({ id: 'a', name: 'a', dir: '/a', config: null, status: null, summary: null, problems: [] });
  const enc = new MetricsEncoder();
  const view = new SeriesView(run, 'reward', 'step', 0.6, 100);
  const points = new SeriesPoints(view);
  for (let s = 1; s <= 5000; s++) {
    run.append(enc.encode([{ step: s, reward: s === 4321 ? 99 : Math.cos(s) } as unknown as MetricsRow]));
    const version = view.rawBuckets.version;
    view.refresh();
    const n = points.raw.length;
    assert.equal(points.sync(null, 0), true);
    if (version === view.rawBuckets.version) assert.ok(points.raw.length === n || points.raw.length === n + 1);
    assert.equal(points.sync(null, 0), false, 'nothing new: nothing changes');
  }
  assert.ok(points.decimated);
  assert.equal(Math.max(...points.rawMax.map((p) => p.y ?? -Infinity)), 99);
});
