// Training runs started from the editor (protocol/training-requests.ts). The server forks the
// training process (trainer/launch.ts), so hovers and diagnostics keep answering while it trains;
// every event goes to the client as a notification and as work-done progress on the start request,
// which answers when the run ends. Cancelling that request, "UME: Stop Training Run" and the
// server's shutdown all ask for a checkpoint and a clean stop after the current step.
//
// Refused without the client's word that the workspace is trusted: a run executes reward
// configurations and reads files named by the workspace's settings.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { ConfigError, resolveConfig, type ResolvedGrpoConfig } from '../../engine/training/config';
import { listRuns } from '../../engine/runs/list';
import { writeSyntheticDataset, DatasetError } from '../../engine/data/index';
import { RUN_FILES } from '../../protocol/run-format';
import type { TrainingEvent } from '../../protocol/training-events';
import {
  listRunsRequest,
  startTrainingRequest,
  stopTrainingRequest,
  syntheticDatasetRequest,
  trainingEventNotification,
  trainingStatusRequest,
  type ActiveRun,
  type StartTrainingParams,
  type StartTrainingResult,
  type SyntheticDatasetParams,
} from '../../protocol/training-requests';
import { startTraining, type TrainingHandle } from '../../trainer/launch';
import type { ServerContext } from '../context';
import type { Feature } from './feature';
import { resolvePathKeys, resumeLayers } from './training-layers';

export const UNTRUSTED_MESSAGE =
  'UME Studio does not train in an untrusted workspace: a run executes reward configurations and reads the files this workspace\'s settings name. Trust the workspace (Workspaces: Manage Workspace Trust) to train.';

interface Active {
  info: ActiveRun;
  handle: TrainingHandle;
}

/** The runs this server trains, by run folder. One at a time: a second start is refused (2 training processes would halve both). */
const active = new Map<string, Active>();

function fail(code: number, message: string): never {
  throw new ResponseError(code, message);
}

function checkStartParams(raw: unknown): StartTrainingParams {
  const p = raw as Partial<StartTrainingParams> | null;
  if (typeof p !== 'object' || p === null) fail(ErrorCodes.InvalidParams, `${startTrainingRequest.method} needs { trusted, baseDir, layers, resume?, evalOnly? }`);
  // Trust first: nothing of an untrusted request is read.
  if (p.trusted !== true) fail(ErrorCodes.InvalidRequest, UNTRUSTED_MESSAGE);
  if (!Array.isArray(p.layers) || !p.layers.every((l) => typeof l === 'object' && l !== null && !Array.isArray(l))) fail(ErrorCodes.InvalidParams, `${startTrainingRequest.method}: "layers" must be a list of {"key": value} objects`);
  if (p.baseDir !== null && p.baseDir !== undefined && typeof p.baseDir !== 'string') fail(ErrorCodes.InvalidParams, `${startTrainingRequest.method}: "baseDir" must be a folder path or null`);
  if (p.resume !== undefined && (typeof p.resume?.runDir !== 'string' || typeof p.resume.checkpoint !== 'string')) fail(ErrorCodes.InvalidParams, `${startTrainingRequest.method}: "resume" must be { runDir, checkpoint: folder | "latest" }`);
  return p as StartTrainingParams;
}

const fmt = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));

function eta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  const m = Math.floor(s / 60);
  return ` · ETA ${m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`}`;
}

/** Applies an event to the active run's summary; returns the progress line for it, if any. */
function follow(info: ActiveRun, e: TrainingEvent): { percent?: number; message: string } | null {
  switch (e.type) {
    case 'started':
      info.totalSteps = e.total_steps;
      info.resumedFrom = e.resumed_from;
      return { percent: e.total_steps > 0 ? Math.floor((100 * info.step) / e.total_steps) : 0, message: `${e.resumed_from ? 'resumed' : 'started'} · ${e.total_steps} steps` };
    case 'step':
      info.step = e.step;
      info.totalSteps = e.total_steps;
      info.reward = e.reward;
      info.etaS = e.eta_s;
      info.tokensPerS = Number.isFinite(e.tokens_per_s) ? e.tokens_per_s : null;
      return { percent: Math.floor((100 * e.step) / Math.max(1, e.total_steps)), message: `step ${e.step}/${e.total_steps} · reward ${fmt(e.reward)}${eta(e.eta_s)}` };
    case 'checkpoint':
      return { message: `step ${e.step}/${info.totalSteps ?? '?'} · checkpoint saved` };
    case 'eval':
      return { message: `step ${e.step} · evaluation: mean reward ${fmt(e.mean_reward)}` };
    default:
      return null;
  }
}

async function layersOf(p: StartTrainingParams): Promise<{ config: ResolvedGrpoConfig; layers: Array<Record<string, unknown>>; resumeFrom: string | null }> {
  const base = p.baseDir ?? null;
  try {
    if (p.resume) {
      const layers = await resumeLayers(p.resume.runDir, p.resume.overrides ?? {});
      const resumeFrom = p.resume.checkpoint === 'latest' ? 'latest' : p.resume.checkpoint;
      return { config: resolveConfig(layers), layers, resumeFrom };
    }
    const layers = p.layers.map((l) => resolvePathKeys(l, base));
    return { config: resolveConfig(layers), layers, resumeFrom: null };
  } catch (e) {
    if (e instanceof ConfigError) fail(ErrorCodes.InvalidParams, `Training settings: ${e.message}`);
    throw e;
  }
}

export async function handleStart(ctx: ServerContext, raw: unknown, token: CancellationToken, progress: WorkDoneProgressReporter): Promise<StartTrainingResult> {
  const p = checkStartParams(raw);
  const busy = [...active.values()][0];
  if (busy) fail(ErrorCodes.InvalidRequest, `A run is already training (${busy.info.runName}, step ${busy.info.step}/${busy.info.totalSteps ?? '?'}): stop it first ("UME: Stop Training Run"), it keeps a checkpoint.`);
  const { config, layers, resumeFrom } = await layersOf(p);
  const runDir = join(config.output_dir, config.run_name);
  if (!p.resume && !p.evalOnly && existsSync(join(runDir, RUN_FILES.metrics))) {
    fail(ErrorCodes.InvalidParams, `${runDir} already holds a run: resume it ("UME: Resume Training Run") or choose another run name.`);
  }
  const info: ActiveRun = {
    runDir,
    runName: config.run_name,
    startedAt: Date.now(),
    step: 0,
    totalSteps: config.max_steps > 0 ? config.max_steps : null,
    reward: null,
    etaS: null,
    tokensPerS: null,
    resumedFrom: resumeFrom,
    evalOnly: p.evalOnly === true,
    stopping: false,
  };
  const title = `UME: ${p.evalOnly ? 'evaluating' : resumeFrom ? 'resuming' : 'training'} ${config.run_name}`;
  progress.begin(title, 0, 'starting the training process…', true);
  const log = ctx.connection.console;
  const onEvent = (e: TrainingEvent): void => {
    const line = follow(info, e);
    if (line?.percent !== undefined) progress.report(line.percent, line.message);
    else if (line) progress.report(line.message);
    if (e.type === 'log') log[e.level === 'warning' ? 'warn' : 'info'](`[${info.runName}] ${e.message}`);
    if (e.type === 'failed') log.error(`[${info.runName}] the run failed: ${e.message}`);
    void ctx.connection.sendNotification(trainingEventNotification.method, e.run_dir ? e : { ...e, run_dir: runDir });
  };
  const handle = startTraining({ layers, resumeFrom, ...(p.evalOnly ? { evalOnly: true } : {}) }, onEvent, { stdio: 'pipe' });
  // Drain the child's output into the log (an unread pipe would block it once full).
  handle.child.stdout?.on('data', (d: Buffer) => log.info(`[${info.runName}] ${d.toString('utf8').trimEnd()}`));
  handle.child.stderr?.on('data', (d: Buffer) => log.warn(`[${info.runName}] ${d.toString('utf8').trimEnd()}`));
  active.set(runDir, { info, handle });
  const onCancel = token.onCancellationRequested(() => stopRun(runDir, 'cancelled in the editor'));
  log.info(`${title} -> ${runDir} (training process ${handle.child.pid})`);
  try {
    const final = await handle.done;
    const summary = final.type === 'finished' ? final.summary : null;
    const stopped = summary?.stopped_by === 'signal';
    return {
      runDir,
      runName: info.runName,
      outcome: final.type === 'failed' ? 'failed' : stopped ? 'stopped' : 'finished',
      step: final.step >= 0 ? final.step : info.step,
      totalSteps: info.totalSteps,
      message: final.type === 'failed' ? final.message : stopped ? `stopped at step ${final.step} with a checkpoint` : null,
      summary,
      lastCheckpoint: final.type === 'failed' ? final.last_checkpoint : null,
    };
  } finally {
    onCancel.dispose();
    active.delete(runDir);
    progress.done();
  }
}

/** Asks a run for a checkpoint and a clean stop; false when this server does not train it. */
export function stopRun(runDir: string, reason: string): boolean {
  const a = active.get(runDir);
  if (!a) return false;
  a.info.stopping = true;
  a.handle.stop(reason);
  return true;
}

/** Stops every run this server trains (shutdown): each keeps a checkpoint of its current step. */
export function stopAllTraining(reason: string): void {
  for (const dir of active.keys()) stopRun(dir, reason);
}

// A server that dies without a shutdown (crash, kill) still tells its training processes:
// SIGTERM makes the trainer stop after the current step with a checkpoint.
process.once('exit', () => {
  for (const a of active.values()) if (a.handle.child.exitCode === null) a.handle.child.kill('SIGTERM');
});

async function handleSynthetic(raw: unknown): Promise<{ outDir: string; files: Array<{ path: string; rows: number | null; changed: boolean }> }> {
  const p = raw as Partial<SyntheticDatasetParams> | null;
  if (typeof p?.outDir !== 'string' || p.outDir === '') fail(ErrorCodes.InvalidParams, `${syntheticDatasetRequest.method} needs { outDir, seed?, perModality?, overwrite? }`);
  try {
    const w = await writeSyntheticDataset(p.outDir, { seed: p.seed ?? 42, perModality: p.perModality ?? 100, overwrite: p.overwrite === true });
    return { outDir: w.dir, files: w.files.map((f) => ({ path: f.path, rows: f.split === 'manifest' ? null : f.rows, changed: f.changed })) };
  } catch (e) {
    if (e instanceof DatasetError || e instanceof RangeError) fail(ErrorCodes.InvalidParams, e.message);
    throw e;
  }
}

export const trainingFeature: Feature = {
  name: 'training',
  register(ctx) {
    const c = ctx.connection;
    c.onRequest(startTrainingRequest.method, async (params: unknown, token: CancellationToken) => {
      const workDone = (params as { workDoneToken?: string | number } | null)?.workDoneToken;
      if (workDone !== undefined || !ctx.clientCapabilities.window?.workDoneProgress) {
        return handleStart(ctx, params, token, c.window.attachWorkDoneProgress(workDone));
      }
      // No client token: a server-created progress, whose cancel also stops the run.
      const progress = await c.window.createWorkDoneProgress();
      const runDirOf = (): string | undefined => [...active.keys()][0];
      progress.token.onCancellationRequested(() => {
        const d = runDirOf();
        if (d) stopRun(d, 'cancelled in the editor');
      });
      return handleStart(ctx, params, token, progress);
    });
    c.onRequest(stopTrainingRequest.method, (params: { runDir?: string; reason?: string } | null) => {
      const reason = params?.reason ?? 'stop requested in the editor';
      const dirs = params?.runDir ? [params.runDir] : [...active.keys()];
      return { stopping: dirs.filter((d) => stopRun(d, reason)) };
    });
    c.onRequest(trainingStatusRequest.method, () => ({ active: [...active.values()].map((a) => ({ ...a.info })) }));
    c.onRequest(listRunsRequest.method, async (params: { outputDir?: unknown } | null) => {
      if (typeof params?.outputDir !== 'string') fail(ErrorCodes.InvalidParams, `${listRunsRequest.method} needs { outputDir }`);
      try {
        const runs = await listRuns(params.outputDir);
        // The status file says "running" from the first step; the process we hold says it sooner.
        for (const r of runs) if (active.has(r.dir)) r.state = 'running';
        return { runs };
      } catch (e) {
        fail(ErrorCodes.InvalidParams, (e as Error).message);
      }
    });
    c.onRequest(syntheticDatasetRequest.method, (params: unknown) => handleSynthetic(params));
  },
};
