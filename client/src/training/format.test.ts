// Status bar, runs view and end-of-run texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActiveRun, RunInfo, StartTrainingResult } from '../../../server/src/protocol/training-requests';
import { checkRunName, defaultRunName, endMessage, fmtDuration, runDescription, runTooltip, statusText, statusTooltip } from './format';

const active = (over: Partial<ActiveRun> = {}): ActiveRun => ({ runDir: '/r/a', runName: 'a', startedAt: 0, step: 12, totalSteps: 40, reward: -1.23456, etaS: 80, tokensPerS: 512.4, resumedFrom: null, evalOnly: false, stopping: false, ...over });
const info = (over: Partial<RunInfo> = {}): RunInfo => ({
  name: 'a', dir: '/r/a', state: 'finished', step: 40, totalSteps: 40, bestReward: -0.5, bestStep: 33, finalMeanReward: -0.7, stoppedBy: 'max_steps', evalOnly: false,
  checkpoints: [{ step: 20, dir: '/r/a/checkpoints/checkpoint_step_20' }], lastCheckpoint: '/r/a/checkpoints/checkpoint_step_20', created: null, updated: null, pid: null, message: null, settings: null, problems: [], ...over,
});

test('durations', () => {
  assert.equal(fmtDuration(9.4), '9s');
  assert.equal(fmtDuration(75), '1m15s');
  assert.equal(fmtDuration(3700), '1h01m');
  assert.equal(fmtDuration(null), '');
  assert.equal(fmtDuration(Number.NaN), '');
});

test('the status bar shows step/total, mean reward and ETA; stopping replaces the ETA', () => {
  assert.equal(statusText(active()), '$(pulse) UME 12/40 · r -1.235 · ETA 1m20s');
  assert.equal(statusText(active({ stopping: true })), '$(debug-pause) UME 12/40 · r -1.235 · stopping…');
  assert.equal(statusText(active({ reward: null, etaS: null, totalSteps: null, step: 0 })), '$(pulse) UME 0/?');
  assert.equal(statusText(active({ evalOnly: true })), '$(pulse) UME eval · ETA 1m20s');
  const tip = statusTooltip(active(), 65_000);
  assert.match(tip, /step 12 of 40/);
  assert.match(tip, /512 tokens\/s/);
  assert.match(tip, /running for 1m05s/);
  assert.match(tip, /open the dashboard/);
});

test('runs view descriptions and tooltips', () => {
  assert.equal(runDescription(info()), 'finished · 40/40 steps · best -0.500');
  assert.equal(runDescription(info({ state: 'running', step: 3 }), active({ step: 5, reward: -2 })), 'running · 5/40 steps · best -0.500 · now -2.000');
  assert.equal(runDescription(info({ state: 'interrupted', bestReward: null, step: null })), 'interrupted');
  assert.equal(runDescription(info({ evalOnly: true, finalMeanReward: -1 })), 'finished · evaluation · mean -1.000');
  const tip = runTooltip(info({ name: 'x*<b>', message: 'the loss is not finite', problems: ['status.json is not valid JSON (empty)'] }));
  assert.match(tip, /\*\*x\\\*\\<b\\>\*\*/, 'Markdown in names is escaped');
  assert.match(tip, /checkpoints: 20/);
  assert.match(tip, /not finite/);
  assert.match(tip, /problems: status\\\.json/);
});

test('end-of-run messages say what happened and what to do', () => {
  const base: StartTrainingResult = { runDir: '/r/a', runName: 'a', outcome: 'finished', step: 40, totalSteps: 40, message: null, lastCheckpoint: null, summary: { 'train/final_mean_reward': -0.7, 'train/final_min_reward': -2, 'train/final_max_reward': 0, 'train/final_reward_std': 0.3, 'train/total_samples_processed': 1280, total_steps: 40, wall_time_s: 250, best_reward: -0.5, best_step: 33, stopped_by: 'max_steps' } };
  assert.equal(endMessage(base), 'UME: run a finished after 40 steps in 4m10s. Best mean reward -0.500 at step 33; final -0.700.');
  assert.match(endMessage({ ...base, summary: { ...base.summary!, stopped_by: 'max_score' } }), /\(ended by max_score\)/);
  assert.equal(endMessage({ ...base, outcome: 'stopped', step: 12, summary: null }), 'UME: run a stopped at step 12 of 40 with a checkpoint. Resume it with "UME: Resume Training Run".');
  assert.equal(endMessage({ ...base, outcome: 'failed', step: 3, message: 'step 3: the loss is not finite.', lastCheckpoint: '/r/a/checkpoints/checkpoint_step_2', summary: null }), 'UME: run a failed at step 3: step 3: the loss is not finite. The last checkpoint is /r/a/checkpoints/checkpoint_step_2.');
  assert.match(endMessage({ ...base, summary: { ...base.summary!, eval_only: true, 'train/total_samples_processed': 32 } }), /evaluation a finished: mean reward -0.700 on 32 samples/);
});

test('run names: a default like the CLI\'s, and the ones that cannot be folders', () => {
  assert.equal(defaultRunName(new Date(2026, 0, 7, 15, 30, 12)), 'grpo-20260107-153012');
  assert.equal(defaultRunName(new Date(2026, 0, 7, 15, 30, 12), 'eval'), 'eval-20260107-153012');
  assert.equal(checkRunName('my-run_2', []), undefined);
  assert.match(checkRunName('', []) ?? '', /Give the run a name/);
  assert.match(checkRunName('a/b', []) ?? '', /no \//);
  assert.match(checkRunName('..', []) ?? '', /one folder name/);
  assert.match(checkRunName('a:b', []) ?? '', /Use letters/);
  assert.match(checkRunName('old', ['old']) ?? '', /exists already: resume it/);
});
