// Exact resume: a run killed with SIGKILL at random moments and resumed from its latest checkpoint
// each time ends with the same weights (byte for byte) and the same metrics rows (clock fields
// aside) as an uninterrupted run with the same seed; rows logged before a kill are never lost.
// CI kills twice; `UME_RESUME_KILLS=5` runs the acceptance's five.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY, checkpointSteps, flags, metricsRows, readJson, runCli, sleep, startCli, tempDir, timeless } from './harness';

const KILLS = Number(process.env['UME_RESUME_KILLS'] ?? 2);
const SETTINGS = { ...TINY, max_steps: 6, save_steps: 1, eval_steps: 3 };

test(`killed ${KILLS} times with SIGKILL and resumed, the run ends as an uninterrupted one`, async () => {
  const out = tempDir('resume');
  const ref = await runCli(['train', ...flags({ ...SETTINGS, output_dir: out, run_name: 'straight' }), '--plain']);
  assert.equal(ref.code, 0, ref.stderr);
  const straight = join(out, 'straight');

  const dir = join(out, 'killed');
  let seed = 12345;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  let kills = 0;
  let resume = false;
  for (let attempt = 0; attempt < KILLS + 3 && kills < KILLS; attempt++) {
    const run = startCli(['train', ...flags({ ...SETTINGS, output_dir: out, run_name: 'killed' }), '--plain', ...(resume ? ['--resume-from-checkpoint', 'latest'] : [])]);
    const before = checkpointSteps(dir).at(-1) ?? 0;
    // Wait for a checkpoint newer than the one we resumed from, then a random moment more.
    let ended = false;
    void run.done.then(() => (ended = true));
    while (!ended && (checkpointSteps(dir).at(-1) ?? 0) <= before) await sleep(25);
    if (ended) break;
    await sleep(rand(1200));
    const rowsBefore = metricsRows(dir);
    const pid = readJson<{ pid: number }>(join(dir, 'status.json')).pid;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already finished */
    }
    const r = await run.done;
    if (r.code === 0) break;
    kills++;
    resume = true;
    // Resume: what was logged up to the last checkpoint is still there afterwards.
    const last = checkpointSteps(dir).at(-1)!;
    const kept = rowsBefore.filter((row) => (row['step'] as number) <= last);
    const after = startCli(['train', ...flags({ ...SETTINGS, output_dir: out, run_name: 'killed' }), '--plain', '--resume-from-checkpoint', 'latest']);
    // Let it get one step further, then check the kept rows, then kill it again in the next loop turn.
    while (metricsRows(dir).length <= kept.length && !(await Promise.race([after.done.then(() => true), sleep(50).then(() => false)]))) {
      /* wait */
    }
    const now = metricsRows(dir);
    assert.deepEqual(now.slice(0, kept.length).map(timeless), kept.map(timeless), 'rows logged before the kill were lost or changed');
    const pid2 = existsSync(join(dir, 'status.json')) ? readJson<{ pid: number; state: string }>(join(dir, 'status.json')) : null;
    if (pid2 && pid2.state === 'running') {
      try {
        process.kill(pid2.pid, 'SIGKILL');
      } catch {
        /* finished */
      }
    }
    await after.done;
  }
  assert.ok(kills >= Math.min(KILLS, 1), `the run was killed ${kills} times`);
  if (readJson<{ state: string }>(join(dir, 'status.json')).state !== 'finished') {
    const fin = await runCli(['train', ...flags({ ...SETTINGS, output_dir: out, run_name: 'killed' }), '--plain', '--resume-from-checkpoint', 'latest']);
    assert.equal(fin.code, 0, fin.stderr);
  }
  assert.deepEqual(metricsRows(dir).map(timeless), metricsRows(straight).map(timeless));
  assert.ok(readFileSync(join(dir, 'final', 'policy.safetensors')).equals(readFileSync(join(straight, 'final', 'policy.safetensors'))), 'final weights differ from the uninterrupted run');
  for (const step of [1, 2, 3, 4, 5, 6]) {
    assert.equal(readFileSync(join(dir, 'completions', `step_${step}.jsonl`), 'utf8'), readFileSync(join(straight, 'completions', `step_${step}.jsonl`), 'utf8'), `completions of step ${step} differ`);
  }
});

test('a resume with other settings is refused, naming the differing keys', async () => {
  const out = tempDir('resume-diff');
  const a = await runCli(['train', ...flags({ ...TINY, max_steps: 2, output_dir: out, run_name: 'r' }), '--plain']);
  assert.equal(a.code, 0, a.stderr);
  const b = await runCli(['train', ...flags({ ...TINY, max_steps: 4, beta: 0.04, output_dir: out, run_name: 'r' }), '--plain', '--resume-from-checkpoint', 'latest']);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /differ from the checkpoint's run in 1 key\(s\): beta \(run: 0, now: 0.04\)/);
});

test('SIGTERM stops after the current step with a checkpoint; the run resumes from it', async () => {
  const out = tempDir('sigterm');
  const dir = join(out, 't');
  const run = startCli(['train', ...flags({ ...TINY, max_steps: 50, save_steps: 100, output_dir: out, run_name: 't' }), '--plain']);
  while (metricsRows(dir).length < 1) await sleep(25);
  const pid = readJson<{ pid: number }>(join(dir, 'status.json')).pid;
  process.kill(pid, 'SIGTERM');
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  const status = readJson<{ state: string; step: number }>(join(dir, 'status.json'));
  assert.equal(status.state, 'stopped');
  assert.deepEqual(checkpointSteps(dir), [status.step]);
  assert.ok(status.step < 50);
});

test('with beta != 0, a resumed run measures KL to the starting policy, as an uninterrupted run does', async () => {
  const out = tempDir('resume-kl');
  const s = { ...TINY, beta: 0.04, lr_scheduler_type: 'constant', learning_rate: 5e-4, save_steps: 2 };
  const straight = await runCli(['train', ...flags({ ...s, max_steps: 4, output_dir: out, run_name: 'straight' }), '--plain']);
  assert.equal(straight.code, 0, straight.stderr);
  const first = await runCli(['train', ...flags({ ...s, max_steps: 2, output_dir: out, run_name: 'split' }), '--plain']);
  assert.equal(first.code, 0, first.stderr);
  const rest = await runCli(['train', ...flags({ ...s, max_steps: 4, output_dir: out, run_name: 'split' }), '--plain', '--resume-from-checkpoint', 'latest']);
  assert.equal(rest.code, 0, rest.stderr);
  const a = metricsRows(join(out, 'straight')).map(timeless);
  const b = metricsRows(join(out, 'split')).map(timeless);
  assert.ok((a[3]!['kl'] as number) > 0, `KL after 3 updates is ${a[3]!['kl']}`);
  assert.deepEqual(b.map((r) => r['kl']), a.map((r) => r['kl']));
  assert.deepEqual(b, a);
  const final = readFileSync(join(out, 'split', 'final', 'policy.safetensors'));
  assert.ok(final.equals(readFileSync(join(out, 'straight', 'final', 'policy.safetensors'))));
  // transformers' from_pretrained accepts only format pt/tf/flax/mlx in the header's metadata.
  const header = JSON.parse(final.subarray(8, 8 + Number(final.readBigUInt64LE(0))).toString('utf8')) as { __metadata__?: Record<string, string> };
  assert.deepEqual(header.__metadata__, { format: 'pt', ume_studio_format: 'ume-studio-run', step: '4' });
});

test('with smiles_grammar, a resumed run is the uninterrupted one: the grammar budget (max_completion_length) comes back with the config', async () => {
  const out = tempDir('resume-grammar');
  // 24 tokens: the budget is tight, so the closing plans shape many masks.
  const s = { ...TINY, smiles_grammar: 'true', lr_scheduler_type: 'constant', save_steps: 2 };
  const straight = await runCli(['train', ...flags({ ...s, max_steps: 4, output_dir: out, run_name: 'straight' }), '--plain']);
  assert.equal(straight.code, 0, straight.stderr);
  const first = await runCli(['train', ...flags({ ...s, max_steps: 2, output_dir: out, run_name: 'split' }), '--plain']);
  assert.equal(first.code, 0, first.stderr);
  const rest = await runCli(['train', ...flags({ ...s, max_steps: 4, output_dir: out, run_name: 'split' }), '--plain', '--resume-from-checkpoint', 'latest']);
  assert.equal(rest.code, 0, rest.stderr);
  assert.deepEqual(metricsRows(join(out, 'split')).map(timeless), metricsRows(join(out, 'straight')).map(timeless));
  assert.ok(readFileSync(join(out, 'split', 'final', 'policy.safetensors')).equals(readFileSync(join(out, 'straight', 'final', 'policy.safetensors'))), 'final weights differ from the uninterrupted run');
  for (const step of [3, 4]) assert.equal(readFileSync(join(out, 'split', 'completions', `step_${step}.jsonl`), 'utf8'), readFileSync(join(out, 'straight', 'completions', `step_${step}.jsonl`), 'utf8'), `completions of step ${step} differ`);
});
