// The page's reducer: init, appends (column-keyed batches), resets after a resume, steps, meta.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DashboardStore, sanitize } from './store';
import { SeriesView, xColumn } from './series-view';
import { MetricsEncoder } from '../../../server/src/dashboard/metrics-encoder';
import type { DashboardRun } from '../../../server/src/protocol/dashboard';
import type { MetricsRow } from '../../../server/src/protocol/run-format';

const row = (step: number, extra: Record<string, number> = {}): MetricsRow => ({ step, epoch: 0, wall_time: 1e12 + step * 60_000, loss: 0.1 * step, grad_norm: 1, learning_rate: 1e-5, num_tokens: 0, reward: step, reward_std: 1, frac_reward_zero_std: 0, entropy: 2, step_time: 1, ...extra });

function runOf(id: string, rows: MetricsRow[], enc = new MetricsEncoder()): DashboardRun {
  return { id, name: id, dir: `/r/${id}`, config: null, status: null, summary: null, problems: [], metrics: enc.encode(rows), completionSteps: [1, 2], generationLogSteps: [] };
}

test('init builds columns from column-keyed rows; keys absent in a row are NaN', () => {
  const s = new DashboardStore();
  s.apply({ type: 'init', host: 'browser', live: true, runs: [runOf('a', [row(1), row(2, { kl: 0.5 }), row(3)])] });
  const r = s.run('a')!;
  assert.equal(r.length, 3);
  assert.deepEqual(r.column('reward'), [1, 2, 3]);
  assert.deepEqual(r.column('kl')!.map((x) => (Number.isNaN(x) ? null : x)), [null, 0.5, null]);
  assert.deepEqual(s.settings.shown, ['a']);
  assert.equal(s.settings.samplesRun, 'a');
});

test('updates append only new rows with new keys, and say from which row', () => {
  const enc = new MetricsEncoder();
  const s = new DashboardStore();
  s.apply({ type: 'init', host: 'vscode', live: true, runs: [runOf('a', [row(1)], enc)] });
  const ch = s.apply({ type: 'update', runId: 'a', metrics: enc.encode([row(2, { 'rewards/qed/mean': 0.7 }), row(3)]), completionSteps: [3], status: { state: 'running', step: 3, total_steps: 9, pid: 1, updated: '', best_reward: 3, last_checkpoint: null } });
  assert.deepEqual(ch.map((c) => c.kind), ['append', 'steps', 'meta']);
  assert.deepEqual(ch[0], { kind: 'append', runId: 'a', from: 1 });
  const r = s.run('a')!;
  assert.deepEqual(r.column('step'), [1, 2, 3]);
  assert.equal(r.column('rewards/qed/mean')![1], 0.7);
  assert.deepEqual(r.completionSteps, [1, 2, 3]);
  assert.equal(r.status?.step, 3);
  assert.deepEqual(s.apply({ type: 'update', runId: 'nope', completionSteps: [1] }), []);
});

test('a reset drops the rows and the key list; series views notice and rebuild', () => {
  const enc = new MetricsEncoder();
  const s = new DashboardStore();
  s.apply({ type: 'init', host: 'browser', live: true, runs: [runOf('a', [row(1), row(2), row(3)], enc)] });
  const v = new SeriesView(s.run('a')!, 'reward', 'step', 0, 100);
  v.refresh();
  assert.equal(v.points, 3);
  enc.reset();
  const ch = s.apply({ type: 'update', runId: 'a', metricsReset: true, metrics: enc.encode([row(1), row(2, { loss: 9 })]) });
  assert.deepEqual(ch.map((c) => c.kind), ['reset']);
  assert.deepEqual(s.run('a')!.column('loss'), [0.1, 9]);
  assert.equal(v.refresh(), false, 'stale after a reset');
});

test('series views consume appends incrementally and follow the x-axis mode', () => {
  const enc = new MetricsEncoder();
  const s = new DashboardStore();
  s.apply({ type: 'init', host: 'browser', live: true, runs: [runOf('a', [row(1), row(2)], enc)] });
  const r = s.run('a')!;
  const v = new SeriesView(r, 'reward', 'relative', 0.5, 100);
  v.refresh();
  s.apply({ type: 'update', runId: 'a', metrics: enc.encode([row(3)]) });
  v.refresh();
  assert.deepEqual(v.xs, [0, 1 / 60, 2 / 60]);
  assert.deepEqual(v.ys, [1, 2, 3]);
  assert.equal(v.smoothed[0], 1);
  assert.equal(xColumn(r, 'wall')(2), 1e12 + 180_000);
  assert.equal(v.buckets(null, 10).raw.length, 3);
});

test('restored settings are sanitized field by field', () => {
  const bad = { tab: 'x', smoothing: 5, xAxis: 'wall', shown: ['a', 3], zoom: [5, 1], filters: { search: 7, valid: 'valid' }, sort: { key: 'reward', dir: 'up' } } as unknown as Parameters<typeof sanitize>[0];
  const s = sanitize(bad);
  assert.deepEqual(s, { xAxis: 'wall', shown: ['a'], filters: { modality: 'all', valid: 'valid', minReward: null, maxReward: null, search: '' } });
  assert.deepEqual(new DashboardStore(bad).settings.tab, 'charts');
});
