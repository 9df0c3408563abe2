// How runs read in the status bar, the runs view and notifications. Pure functions (no 'vscode'),
// unit-tested beside.

import type { ActiveRun, RunInfo, StartTrainingResult } from '../../../server/src/protocol/training-requests';

export function fmtNumber(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** 75 -> "1m15s", 3700 -> "1h01m", 9 -> "9s"; unknown -> "". */
export function fmtDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s) || s < 0) return '';
  const t = Math.round(s);
  if (t >= 3600) return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
  if (t >= 60) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${t}s`;
}

/** The status bar text of an active run: "$(pulse) UME 12/40 · r -1.234 · ETA 1m20s". */
export function statusText(run: ActiveRun): string {
  const steps = `${run.step}/${run.totalSteps ?? '?'}`;
  const parts = [`${run.stopping ? '$(debug-pause)' : '$(pulse)'} UME ${run.evalOnly ? 'eval' : steps}`];
  if (!run.evalOnly && run.reward !== null) parts.push(`r ${fmtNumber(run.reward)}`);
  const eta = fmtDuration(run.etaS);
  if (run.stopping) parts.push('stopping…');
  else if (eta) parts.push(`ETA ${eta}`);
  return parts.join(' · ');
}

export function statusTooltip(run: ActiveRun, now = Date.now()): string {
  const lines = [
    `UME Studio: ${run.evalOnly ? 'evaluating' : run.resumedFrom ? 'resumed run' : 'training'} ${run.runName}`,
    `step ${run.step} of ${run.totalSteps ?? '?'}`,
    `mean reward (last step): ${fmtNumber(run.reward)}`,
  ];
  if (run.tokensPerS !== null) lines.push(`generation: ${Math.round(run.tokensPerS)} tokens/s`);
  const eta = fmtDuration(run.etaS);
  if (eta) lines.push(`time left: about ${eta}`);
  lines.push(`running for ${fmtDuration((now - run.startedAt) / 1000) || '0s'}`);
  if (run.stopping) lines.push('stopping after this step (a checkpoint is written)');
  lines.push('', 'Click to open the dashboard.');
  return lines.join('\n');
}

const STATE_WORD: Record<RunInfo['state'], string> = {
  running: 'running',
  finished: 'finished',
  failed: 'failed',
  stopped: 'stopped',
  interrupted: 'interrupted',
  unknown: 'unknown state',
};

/** The runs view's description of a run: "finished · 40/40 steps · best -1.234". */
export function runDescription(r: RunInfo, live?: ActiveRun): string {
  const step = live?.step ?? r.step;
  const total = live?.totalSteps ?? r.totalSteps;
  const parts = [STATE_WORD[r.state]];
  if (r.evalOnly) parts.push('evaluation');
  else if (step !== null) parts.push(`${step}/${total ?? '?'} steps`);
  const best = r.evalOnly ? r.finalMeanReward : r.bestReward;
  if (best !== null) parts.push(`${r.evalOnly ? 'mean' : 'best'} ${fmtNumber(best)}`);
  if (live?.reward !== null && live?.reward !== undefined) parts.push(`now ${fmtNumber(live.reward)}`);
  return parts.join(' · ');
}

/** The runs view's tooltip (Markdown): where, what, how far, why it ended. */
export function runTooltip(r: RunInfo): string {
  const esc = (s: string): string => s.replace(/[\\`*_{}[\]<>()#+\-.!|]/g, (c) => `\\${c}`);
  const rows: string[] = [`**${esc(r.name)}** — ${STATE_WORD[r.state]}`, '', `folder: ${esc(r.dir)}`];
  if (r.created) rows.push(`created: ${esc(r.created)}`);
  if (r.step !== null) rows.push(`steps: ${r.step} of ${r.totalSteps ?? '?'}`);
  if (r.bestReward !== null) rows.push(`best mean reward: ${fmtNumber(r.bestReward)}${r.bestStep !== null ? ` (step ${r.bestStep})` : ''}`);
  if (r.finalMeanReward !== null) rows.push(`final mean reward: ${fmtNumber(r.finalMeanReward)}`);
  if (r.stoppedBy) rows.push(`ended by: ${esc(r.stoppedBy)}`);
  rows.push(`checkpoints: ${r.checkpoints.length ? r.checkpoints.map((c) => c.step).join(', ') : 'none'}`);
  if (r.settings) rows.push(`settings: ${esc(Object.entries(r.settings).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', '))}`);
  if (r.message) rows.push('', esc(r.message));
  if (r.problems.length) rows.push('', `problems: ${esc(r.problems.join('; '))}`);
  return rows.join('  \n');
}

/** The theme icon id of a run's state. */
export function runIcon(state: RunInfo['state']): { id: string; color?: string } {
  switch (state) {
    case 'running':
      return { id: 'sync~spin', color: 'charts.blue' };
    case 'finished':
      return { id: 'pass', color: 'testing.iconPassed' };
    case 'failed':
      return { id: 'error', color: 'testing.iconFailed' };
    case 'stopped':
      return { id: 'debug-pause', color: 'charts.yellow' };
    case 'interrupted':
      return { id: 'warning', color: 'charts.orange' };
    default:
      return { id: 'question' };
  }
}

/** The message shown when a run ends. */
export function endMessage(r: StartTrainingResult): string {
  const what = r.runName;
  switch (r.outcome) {
    case 'finished': {
      const s = r.summary;
      if (s?.['eval_only']) return `UME: evaluation ${what} finished: mean reward ${fmtNumber(s['train/final_mean_reward'])} on ${s['train/total_samples_processed']} samples.`;
      const best = s ? ` Best mean reward ${fmtNumber(s.best_reward)}${s.best_step !== null ? ` at step ${s.best_step}` : ''}; final ${fmtNumber(s['train/final_mean_reward'])}.` : '';
      const by = s && s.stopped_by !== 'max_steps' && s.stopped_by !== 'epochs' ? ` (ended by ${s.stopped_by})` : '';
      return `UME: run ${what} finished after ${r.step} steps${by}${s ? ` in ${fmtDuration(s.wall_time_s) || '0s'}` : ''}.${best}`;
    }
    case 'stopped':
      return `UME: run ${what} stopped at step ${r.step} of ${r.totalSteps ?? '?'} with a checkpoint. Resume it with "UME: Resume Training Run".`;
    case 'failed':
      return `UME: run ${what} failed${r.step > 0 ? ` at step ${r.step}` : ''}: ${r.message ?? 'no reason given'}${r.lastCheckpoint ? ` The last checkpoint is ${r.lastCheckpoint}.` : ''}`;
  }
}

/** A default run name for now: grpo-20260107-153012 (eval-… for evaluations), as the CLI names runs. */
export function defaultRunName(now: Date, prefix = 'grpo'): string {
  const p = (x: number): string => String(x).padStart(2, '0');
  return `${prefix}-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** Why a run name cannot be used, or undefined when it can. */
export function checkRunName(name: string, existing: readonly string[]): string | undefined {
  if (name.trim() === '') return 'Give the run a name (its folder under the output folder).';
  if (/[\\/]/.test(name) || name === '.' || name === '..') return 'A run name is one folder name: no / or \\.';
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  if (/[<>:"|?*\u0000-\u001f]/.test(name)) return 'Use letters, digits, - and _ (no <>:"|?* or control characters).';
  if (existing.includes(name)) return `A run named ${name} exists already: resume it ("UME: Resume Training Run") or choose another name.`;
  return undefined;
}
