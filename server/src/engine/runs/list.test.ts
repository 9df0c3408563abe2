// listRuns on hand-made run folders: complete ones, a killed run, half-written and damaged files,
// folders that are not runs, a missing output folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns, readRun } from './list';

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'ume-runs-list-'));
}

function write(dir: string, file: string, value: unknown): void {
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), typeof value === 'string' ? value : JSON.stringify(value));
}

function checkpoint(dir: string, step: number, complete = true): string {
  const ck = join(dir, 'checkpoints', `checkpoint_step_${step}`);
  mkdirSync(ck, { recursive: true });
  if (complete) writeFileSync(join(ck, 'state.json'), '{}');
  return ck;
}

const status = (over: Record<string, unknown>) => ({ state: 'running', step: 3, total_steps: 10, pid: 4242, updated: '2026-01-01T00:00:00.000Z', best_reward: -1.5, last_checkpoint: null, ...over });

test('finished, stopped and failed runs are read from status.json, summary.json and config.json', async () => {
  const out = folder();
  const a = join(out, 'a');
  write(a, 'status.json', status({ state: 'finished', step: 10, updated: '2026-01-03T00:00:00.000Z' }));
  write(a, 'summary.json', { total_steps: 10, best_reward: -1.2, best_step: 8, 'train/final_mean_reward': -1.3, stopped_by: 'max_steps' });
  write(a, 'config.json', { created: '2026-01-02T00:00:00.000Z', config: { dataset: 'synthetic', max_steps: 10, beta: 0, reward_function: 'single' } });
  const ck = checkpoint(a, 5);
  checkpoint(a, 10);
  checkpoint(a, 15, false); // interrupted save: no state.json
  const b = join(out, 'b');
  write(b, 'status.json', status({ state: 'stopped', step: 4, updated: '2026-01-02T00:00:00.000Z', message: 'stopped on request' }));
  const c = join(out, 'c');
  write(c, 'status.json', status({ state: 'failed', step: 2, updated: '2026-01-01T00:00:00.000Z', message: 'step 2: the loss is not finite' }));

  const runs = await listRuns(out, { isAlive: () => true });
  assert.deepEqual(runs.map((r) => [r.name, r.state]), [['a', 'finished'], ['b', 'stopped'], ['c', 'failed']]);
  const [ra, rb, rc] = runs as [typeof runs[0], typeof runs[0], typeof runs[0]];
  assert.equal(ra.step, 10);
  assert.equal(ra.totalSteps, 10);
  assert.equal(ra.bestReward, -1.5, 'status.json wins over summary.json');
  assert.equal(ra.bestStep, 8);
  assert.equal(ra.finalMeanReward, -1.3);
  assert.equal(ra.stoppedBy, 'max_steps');
  assert.deepEqual(ra.checkpoints.map((x) => x.step), [5, 10]);
  assert.equal(ra.checkpoints[0]!.dir, ck);
  assert.equal(ra.lastCheckpoint, join(a, 'checkpoints', 'checkpoint_step_10'));
  assert.deepEqual(ra.settings, { dataset: 'synthetic', reward_function: 'single', max_steps: 10 });
  assert.equal(ra.created, '2026-01-02T00:00:00.000Z');
  assert.deepEqual(ra.problems, []);
  assert.equal(rb.message, 'stopped on request');
  assert.match(rc.message ?? '', /not finite/);
});

test('a running run whose process is gone reads as interrupted, one that is alive as running', async () => {
  const out = folder();
  write(join(out, 'live'), 'status.json', status({ pid: 111 }));
  write(join(out, 'dead'), 'status.json', status({ pid: 222 }));
  const runs = await listRuns(out, { isAlive: (pid) => pid === 111 });
  const by = Object.fromEntries(runs.map((r) => [r.name, r]));
  assert.equal(by['live']!.state, 'running');
  assert.equal(by['dead']!.state, 'interrupted');
  assert.match(by['dead']!.message ?? '', /pid 222.*resume from the last checkpoint/);
});

test('the real process check: this process is alive, a pid that cannot exist is not', async () => {
  const out = folder();
  write(join(out, 'me'), 'status.json', status({ pid: process.pid }));
  write(join(out, 'nobody'), 'status.json', status({ pid: 2 ** 30 }));
  const by = Object.fromEntries((await listRuns(out)).map((r) => [r.name, r.state]));
  assert.deepEqual(by, { me: 'running', nobody: 'interrupted' });
});

test('damaged, empty and half-written files become problems on the entry, not errors', async () => {
  const out = folder();
  const d = join(out, 'damaged');
  write(d, 'status.json', '{"state": "runn');
  write(d, 'config.json', '');
  write(d, 'summary.json', '[1, 2]');
  checkpoint(d, 2);
  const r = await readRun(d, 'damaged');
  assert.equal(r.state, 'unknown');
  assert.equal(r.step, 2, 'the checkpoints still say how far it got');
  assert.equal(r.settings, null);
  assert.deepEqual(r.problems.sort(), ['config.json is not valid JSON (empty)', 'status.json is not valid JSON (cut short or damaged)', 'summary.json does not hold a JSON object'].sort());

  const odd = join(out, 'odd');
  write(odd, 'status.json', { state: 'exploded', step: 'three' });
  const ro = await readRun(odd, 'odd');
  assert.equal(ro.state, 'unknown');
  assert.equal(ro.step, null);
  assert.match(ro.problems.join(), /no known state \("exploded"\)/);
});

test('a run folder with only metrics, or only a summary, is listed; other folders and files are not', async () => {
  const out = folder();
  write(join(out, 'just-started'), 'metrics.jsonl', '{"step":1}\n');
  write(join(out, 'old'), 'summary.json', { total_steps: 7, stopped_by: 'signal' });
  mkdirSync(join(out, 'not-a-run', 'x'), { recursive: true });
  mkdirSync(join(out, '.hidden'));
  write(join(out, '.hidden'), 'status.json', status({}));
  writeFileSync(join(out, 'notes.txt'), 'hello');
  const runs = await listRuns(out);
  const by = Object.fromEntries(runs.map((r) => [r.name, r]));
  assert.deepEqual(Object.keys(by).sort(), ['just-started', 'old']);
  assert.equal(by['just-started']!.state, 'unknown');
  assert.equal(by['old']!.state, 'stopped');
  assert.equal(by['old']!.step, 7);
});

test('a missing output folder is an empty list; a file in its place is a clear error', async () => {
  const out = folder();
  assert.deepEqual(await listRuns(join(out, 'nope')), []);
  writeFileSync(join(out, 'file'), 'x');
  await assert.rejects(listRuns(join(out, 'file')), /it is a file, not a folder/);
});
