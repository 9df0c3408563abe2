// RunTail and RunFollower on a run folder written by the trainer's own RunWriter while we read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunWriter } from '../writer';
import { RunTail } from './run-tail';
import { RunFollower } from './follow';
import type { CompletionRow, MetricsRow, RunStatus } from '../../../protocol/run-format';

const row = (step: number): MetricsRow => ({ step, epoch: step / 10, wall_time: 1_700_000_000_000 + step * 1000, loss: 0, grad_norm: 1, learning_rate: 1e-5, num_tokens: step * 100, reward: step / 10, reward_std: 0.1, frac_reward_zero_std: 0, entropy: 1, step_time: 1 });
const status = (state: RunStatus['state'], step: number): RunStatus => ({ state, step, total_steps: 10, pid: null, updated: new Date().toISOString(), best_reward: null, last_checkpoint: null });
const completion = (step: number, index: number, text: string): CompletionRow => ({ step, index, group: index >> 1, prompt: '<smiles>', completion: text, modality: 'SMILES', reward: 1, rewards: { ume: 1 }, advantage: 0, length: text.length, truncated: false, valid: true });

async function run(): Promise<{ dir: string; w: RunWriter }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'ume-runtail-')), 'r');
  return { dir, w: await RunWriter.open(dir) };
}

test('each poll returns what is new: metrics rows, completion steps, status, summary', async () => {
  const { dir, w } = await run();
  const t = new RunTail(dir);
  let u = await t.poll();
  assert.deepEqual([u.metrics, u.completionSteps, u.status], [[], [], undefined]);
  await w.writeStatus(status('running', 1));
  await w.appendMetrics(row(1));
  await w.writeCompletions(1, [completion(1, 0, 'CCO'), completion(1, 1, 'c1ccccc1')]);
  u = await t.poll();
  assert.deepEqual(u.metrics.map((m) => m.step), [1]);
  assert.deepEqual(u.completionSteps, [1]);
  assert.equal(u.status?.state, 'running');
  u = await t.poll();
  assert.deepEqual([u.metrics, u.completionSteps, u.status, u.problems], [[], [], undefined, []], 'nothing changed, nothing returned');
  await w.appendMetrics(row(2));
  await w.appendMetrics(row(3));
  await w.writeCompletions(3, [completion(3, 0, 'N')]);
  await w.writeStatus(status('finished', 3));
  await w.writeSummary({ 'train/final_mean_reward': 0.3, 'train/final_min_reward': 0, 'train/final_max_reward': 1, 'train/final_reward_std': 0.1, 'train/total_samples_processed': 6, total_steps: 3, wall_time_s: 3, best_reward: 0.3, best_step: 3, stopped_by: 'max_steps' });
  u = await t.poll();
  assert.deepEqual(u.metrics.map((m) => m.step), [2, 3]);
  assert.deepEqual(u.completionSteps, [3]);
  assert.equal(u.status?.state, 'finished');
  assert.equal(u.summary?.best_step, 3);
  assert.deepEqual(t.completionStepList, [1, 3]);
  const c = await t.readCompletions(1);
  assert.deepEqual(c.rows.map((r) => r.completion), ['CCO', 'c1ccccc1']);
  assert.match((await t.readCompletions(2)).problems[0]!, /step_2.jsonl does not exist/);
});

test('a completions file that grows in place is announced again; a rewind resets metrics', async () => {
  const { dir, w } = await run();
  const t = new RunTail(dir);
  await w.writeStatus(status('running', 2));
  for (const s of [1, 2, 3]) await w.appendMetrics(row(s));
  const cut = (await w.metricsBytes()) - JSON.stringify(row(3)).length - 1;
  appendFileSync(join(dir, 'completions', 'step_2.jsonl'), JSON.stringify(completion(2, 0, 'C')) + '\n');
  let u = await t.poll();
  assert.deepEqual(u.completionSteps, [2]);
  appendFileSync(join(dir, 'completions', 'step_2.jsonl'), JSON.stringify(completion(2, 1, 'CC')) + '\n');
  u = await t.poll();
  assert.deepEqual(u.completionSteps, [2]);
  assert.equal((await t.readCompletions(2)).rows.length, 2);
  // A resume from the checkpoint at step 2 cuts row 3 and writes it again.
  await w.rewindTo(2, cut);
  await w.appendMetrics({ ...row(3), loss: 0.5 });
  u = await t.poll();
  assert.equal(u.metricsReset, true);
  assert.deepEqual(u.metrics.map((m) => [m.step, m.loss]), [[1, 0], [2, 0], [3, 0.5]]);
});

test('damaged files become problems, not exceptions', async () => {
  const { dir } = await run();
  writeFileSync(join(dir, 'status.json'), '{"state": "run');
  writeFileSync(join(dir, 'metrics.jsonl'), '{"step":1,"loss":0}\nnot json\n{"nostep":true}\n');
  const u = await new RunTail(dir).poll();
  assert.deepEqual(u.metrics.map((m) => m.step), [1]);
  assert.equal(u.problems.length, 3, u.problems.join('\n'));
  assert.match(u.problems.join('\n'), /status.json is not valid JSON/);
  assert.match(u.problems.join('\n'), /line 2 is not valid JSON/);
  assert.match(u.problems.join('\n'), /without a numeric "step"/);
});

test('generation logs are listed by eval step', async () => {
  const { dir, w } = await run();
  const t = new RunTail(dir);
  await w.writeGenerationLog({ step: 5, timestamp: 'x', model: 'm', num_samples: 1, mean_reward: 1, samples: [{ prompt: 'p', generated_text: 'CCO', reward: 1, modality: 'SMILES', length: 3, valid: true }], metrics: {} });
  const u = await t.poll();
  assert.deepEqual(u.generationLogSteps, [5]);
  assert.equal((await t.readGenerationLog(5))?.samples[0]?.generated_text, 'CCO');
  assert.equal(await t.readGenerationLog(6), null);
});

test('RunFollower delivers a row appended by another writer within a fraction of a second', async () => {
  const { dir, w } = await run();
  await w.writeStatus(status('running', 0));
  const got: number[] = [];
  let resolve: () => void = () => undefined;
  const arrived = new Promise<void>((r) => (resolve = r));
  const f = new RunFollower(new RunTail(dir), (u) => {
    got.push(...u.metrics.map((m) => m.step));
    if (got.includes(7)) resolve();
  }, { intervalMs: 400 });
  f.start();
  await f.pollNow();
  const t0 = Date.now();
  await w.appendMetrics(row(7));
  await arrived;
  const dt = Date.now() - t0;
  f.stop();
  assert.deepEqual(got, [7]);
  assert.ok(dt < 450, `took ${dt} ms`);
});
