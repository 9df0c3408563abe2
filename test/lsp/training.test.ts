// Training from the editor, over the real language server (stdio): a run trains in the server's
// child process while hovers keep being answered; its events arrive as notifications and as
// work-done progress; cancelling the request stops it with a checkpoint; a resume continues it
// from that checkpoint to the end. Untrusted requests, bad settings and a second run are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancellationTokenSource, HoverRequest, WorkDoneProgress, type Hover, type MarkupContent, type WorkDoneProgressBegin, type WorkDoneProgressReport } from 'vscode-languageserver-protocol/node';
import type { TrainingEvent } from '../../server/src/protocol/training-events';
import type { ActiveRun, RunInfo, StartTrainingResult } from '../../server/src/protocol/training-requests';
import { TestClient, fileUri } from './harness';
import { writeRandomModel } from './scoring-model';

const PROTEIN = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGL';
/** Small settings: well under a second a step here, long enough to stop in the middle. */
const TINY = { per_device_train_batch_size: 4, num_generations: 2, max_completion_length: 16, learning_rate: 5e-5, save_steps: 3, max_generation_samples: 2, seed: 7, device: 'cpu' };

let client: TestClient;
const events: TrainingEvent[] = [];
let out: string;

before(async () => {
  const modelPath = await writeRandomModel('training-hover-model');
  client = await TestClient.start({ settings: { scoring: { modelPath, device: 'cpu' } } });
  client.connection.onNotification('ume/training/event', (e: TrainingEvent) => {
    events.push(e);
  });
  out = mkdtempSync(join(tmpdir(), 'ume-lsp-training-'));
});
after(async () => {
  await client?.stop();
});

function start(params: Record<string, unknown>, token?: CancellationTokenSource['token']): Promise<StartTrainingResult> {
  // No `undefined` token argument: vscode-jsonrpc would send [params, null] as positional params.
  return token ? client.connection.sendRequest('ume/training/start', params, token) : client.connection.sendRequest('ume/training/start', params);
}

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; events: ${events.map((e) => e.type).join(' ')}\n${client.stderr}`);
}

test('a request without the client\'s word that the workspace is trusted is refused, and nothing is written', async () => {
  const layers = [{ ...TINY, output_dir: out, run_name: 'untrusted', max_steps: 2 }];
  await assert.rejects(start({ trusted: false, baseDir: null, layers }), /does not train in an untrusted workspace: a run executes reward configurations/);
  await assert.rejects(start({ baseDir: null, layers }), /untrusted workspace/);
  assert.equal(existsSync(join(out, 'untrusted')), false);
});

test('bad settings fail the request at once, naming the key and what would work', async () => {
  await assert.rejects(start({ trusted: true, baseDir: null, layers: [{ ...TINY, output_dir: out, loss_type: 'ppo' }] }), /Training settings: loss_type "ppo" is not valid.*use one of grpo, bnpo/);
  await assert.rejects(start({ trusted: true, baseDir: null, layers: [{ ...TINY, output_dir: out, learning_rte: 1 }] }), /unknown setting "learning_rte" \(did you mean "learning_rate"\?\)/);
});

test('a run trains in a child process: hovers are answered meanwhile; cancel stops it with a checkpoint; resume finishes it', async () => {
  const runDir = join(out, 'r');
  const progress: Array<WorkDoneProgressBegin | WorkDoneProgressReport> = [];
  client.connection.onProgress(WorkDoneProgress.type, 'run-1', (v) => {
    if (v.kind !== 'end') progress.push(v);
  });
  const cancel = new CancellationTokenSource();
  const running = start({ trusted: true, baseDir: out, layers: [{ ...TINY, max_steps: 60, output_dir: '.', run_name: 'r' }], workDoneToken: 'run-1' }, cancel.token);
  let ended = false;
  void running.then(() => (ended = true), () => (ended = true));

  await until('the first step', () => events.find((e) => e.type === 'step' && e.run_dir === runDir));
  const { active } = (await client.connection.sendRequest('ume/training/status', {})) as { active: ActiveRun[] };
  assert.equal(active.length, 1);
  assert.equal(active[0]!.runDir, runDir, 'a relative output_dir starts at baseDir');
  assert.equal(active[0]!.totalSteps, 60);

  // A second run while one trains is refused.
  await assert.rejects(start({ trusted: true, baseDir: null, layers: [{ ...TINY, output_dir: out, run_name: 'other', max_steps: 2 }] }), /A run is already training \(r, step \d+\/60\): stop it first/);

  // Hovers while it trains.
  const uri = fileUri('training-hover.fasta');
  client.open(uri, 'fasta', `>p\n${PROTEIN}\n`);
  const t0 = Date.now();
  const hover = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 10 } })) as Hover | null;
  const hoverMs = Date.now() - t0;
  assert.ok(hover, 'a hover while training');
  assert.match((hover.contents as MarkupContent).value, /reward: \*\*-?[\d.]+\*\*/);
  assert.equal(ended, false, 'the run was still training when the hover was answered');
  const stepsBefore = events.filter((e) => e.type === 'step').length;
  const diagnostics = await client.diagnosticsFor(uri, 30_000);
  assert.ok(Array.isArray(diagnostics));
  process.stderr.write(`[training.test] hover answered in ${hoverMs} ms while the run trained (step events so far: ${stepsBefore})\n`);

  // Cancel = stop after the current step, with a checkpoint.
  await until('step 4', () => events.find((e) => e.type === 'step' && e.step >= 4));
  cancel.cancel();
  const stopped = await running;
  assert.equal(stopped.outcome, 'stopped', JSON.stringify(stopped));
  assert.ok(stopped.step >= 4 && stopped.step < 60, `stopped at step ${stopped.step}`);
  assert.match(stopped.message ?? '', /stopped at step \d+ with a checkpoint/);
  const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { state: string; step: number; last_checkpoint: string };
  assert.equal(status.state, 'stopped');
  assert.equal(status.step, stopped.step);
  assert.ok(existsSync(join(runDir, 'checkpoints', `checkpoint_step_${stopped.step}`, 'state.json')), 'a checkpoint of the step it stopped at');

  // Progress: begin with the run's name and cancellable, then "step k/60" reports with percentages.
  const begin = progress.find((p): p is WorkDoneProgressBegin => p.kind === 'begin');
  assert.ok(begin && begin.title === 'UME: training r' && begin.cancellable === true, JSON.stringify(begin));
  const reports = progress.filter((p): p is WorkDoneProgressReport => p.kind === 'report' && /^step \d+\/60 · reward/.test(p.message ?? ''));
  assert.ok(reports.length >= 4, `step reports: ${JSON.stringify(reports.slice(0, 3))}`);
  assert.ok(reports.every((r, i) => i === 0 || (r.percentage ?? 0) >= (reports[i - 1]!.percentage ?? 0)), 'percentages only grow');

  // Events: started, steps in order, the checkpoint, and a finished event that says "signal".
  const mine = events.filter((e) => e.run_dir === runDir);
  assert.equal(mine[0]?.type === 'log' ? mine.find((e) => e.type !== 'log')?.type : mine[0]?.type, 'started');
  const steps = mine.filter((e): e is Extract<TrainingEvent, { type: 'step' }> => e.type === 'step').map((e) => e.step);
  assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i + 1));
  const fin = mine.at(-1);
  assert.equal(fin?.type, 'finished');
  assert.equal(fin?.type === 'finished' && fin.summary.stopped_by, 'signal');

  // The same name again is refused: it holds a run.
  await assert.rejects(start({ trusted: true, baseDir: out, layers: [{ ...TINY, max_steps: 60, output_dir: '.', run_name: 'r' }] }), /already holds a run: resume it/);

  // Resume from the latest checkpoint, shortening the run; the run's own settings are used.
  events.length = 0;
  const resumed = await start({ trusted: true, baseDir: null, layers: [], resume: { runDir, checkpoint: 'latest', overrides: { max_steps: stopped.step + 3 } } });
  assert.equal(resumed.outcome, 'finished', JSON.stringify(resumed));
  assert.equal(resumed.step, stopped.step + 3);
  const started = events.find((e): e is Extract<TrainingEvent, { type: 'started' }> => e.type === 'started');
  assert.equal(started?.resumed_from, join(runDir, 'checkpoints', `checkpoint_step_${stopped.step}`));
  const resumedSteps = events.filter((e): e is Extract<TrainingEvent, { type: 'step' }> => e.type === 'step').map((e) => e.step);
  assert.deepEqual(resumedSteps, [stopped.step + 1, stopped.step + 2, stopped.step + 3]);
  const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
  assert.deepEqual(rows, Array.from({ length: stopped.step + 3 }, (_, i) => i + 1), 'metrics continue where the checkpoint was');

  const { runs } = (await client.connection.sendRequest('ume/training/listRuns', { outputDir: out })) as { runs: RunInfo[] };
  const r = runs.find((x) => x.name === 'r');
  assert.equal(r?.state, 'finished');
  assert.equal(r?.step, stopped.step + 3);
  assert.ok((r?.checkpoints.length ?? 0) >= 2);
  const { active: none } = (await client.connection.sendRequest('ume/training/status', {})) as { active: ActiveRun[] };
  assert.deepEqual(none, []);
});

test('"stop" stops the active run; with nothing training it stops nothing', async () => {
  assert.deepEqual(await client.connection.sendRequest('ume/training/stop', {}), { stopping: [] });
  const running = start({ trusted: true, baseDir: null, layers: [{ ...TINY, output_dir: out, run_name: 's', max_steps: 60 }] });
  const runDir = join(out, 's');
  await until('a step of s', () => events.find((e) => e.type === 'step' && e.run_dir === runDir));
  assert.deepEqual(await client.connection.sendRequest('ume/training/stop', { runDir }), { stopping: [runDir] });
  const r = await running;
  assert.equal(r.outcome, 'stopped');
});

test('a run that cannot start answers "failed" with the trainer\'s reason, and its failed event names the run folder', async () => {
  events.length = 0;
  const r = await start({ trusted: true, baseDir: out, layers: [{ ...TINY, output_dir: out, run_name: 'bad-data', max_steps: 2, dataset: 'missing.jsonl' }] });
  assert.equal(r.outcome, 'failed', JSON.stringify(r));
  assert.match(r.message ?? '', /missing\.jsonl/);
  const failed = events.find((e) => e.type === 'failed');
  assert.equal(failed?.run_dir, join(out, 'bad-data'));
  const { active } = (await client.connection.sendRequest('ume/training/status', {})) as { active: ActiveRun[] };
  assert.deepEqual(active, []);
});

test('an evaluation-only run scores the held-out prompts and writes a generation log, without training', async () => {
  const r = await start({ trusted: true, baseDir: null, evalOnly: true, layers: [{ ...TINY, output_dir: out, run_name: 'ev' }] });
  assert.equal(r.outcome, 'finished', JSON.stringify(r));
  assert.equal(r.summary?.['eval_only'], true);
  assert.equal(r.summary?.['train/total_samples_processed'], 2, 'max_generation_samples held-out prompts');
  assert.ok(existsSync(join(out, 'ev', 'generation_logs', 'generation_log_step_0.json')));
  assert.equal(existsSync(join(out, 'ev', 'metrics.jsonl')), false, 'no training steps');
});

test('the synthetic dataset is written as `ume-studio dataset synthetic` writes it', async () => {
  const dir = join(out, 'data');
  const r = (await client.connection.sendRequest('ume/training/syntheticDataset', { outDir: dir, perModality: 4 })) as { files: Array<{ path: string; rows: number | null }> };
  assert.deepEqual(r.files.map((f) => [f.path.slice(dir.length + 1), f.rows]), [['train.jsonl', 10], ['validation.jsonl', 1], ['test.jsonl', 1], ['full.jsonl', 12], ['manifest.json', null]]);
  await assert.rejects(client.connection.sendRequest('ume/training/syntheticDataset', { outDir: dir, perModality: 5 }), /already exist/);
});
