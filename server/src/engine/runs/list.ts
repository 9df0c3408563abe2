// The runs under an output folder, as the runs view and the resume picker show them: one entry per
// sub-folder that looks like a run folder (docs/run-format.md), read from status.json, summary.json,
// config.json and the checkpoints. Robust to whatever a killed or half-written run leaves behind:
// a missing or unreadable file becomes a problem on the entry, never an exception, and a status of
// "running" whose process is gone reads as "interrupted" (resume from the last checkpoint).

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES, type RunConfigFile, type RunState, type RunStatus, type RunSummary } from '../../protocol/run-format';
import { listRunCheckpoints } from './checkpoints';

/** A run's state as lists show it: the status file's, or what the folder says when that is missing or stale. */
export type ListedRunState = RunState | 'interrupted' | 'unknown';

export interface RunCheckpointInfo {
  step: number;
  dir: string;
}

export interface RunInfo {
  name: string;
  dir: string;
  state: ListedRunState;
  /** Steps done (status.json, else summary.json, else the checkpoints), null when nothing says. */
  step: number | null;
  totalSteps: number | null;
  bestReward: number | null;
  bestStep: number | null;
  /** The last logged step's mean reward (summary.json), when the run ended. */
  finalMeanReward: number | null;
  stoppedBy: RunSummary['stopped_by'] | null;
  evalOnly: boolean;
  /** Complete checkpoints (state.json written), oldest first. */
  checkpoints: RunCheckpointInfo[];
  lastCheckpoint: string | null;
  /** ISO time the run was created (config.json), or null. */
  created: string | null;
  /** ISO time of the last status update, or of the newest file we read. */
  updated: string | null;
  pid: number | null;
  /** status.json's message (why it failed or stopped). */
  message: string | null;
  /** A few settings worth showing in a list (dataset, reward, policy, max_steps...), when config.json is readable. */
  settings: Record<string, unknown> | null;
  /** What could not be read, in words (e.g. "status.json is not valid JSON"). */
  problems: string[];
}

export interface ListOptions {
  /** Whether a process id is alive (default: signal 0). Injected by tests. */
  isAlive?: (pid: number) => boolean;
}

/** The files whose presence makes a folder a run folder. */
const RUN_MARKERS = [RUN_FILES.status, RUN_FILES.config, RUN_FILES.metrics, RUN_FILES.summary, RUN_FILES.events];

const SHOWN_SETTINGS = ['policy', 'dataset', 'reward_function', 'reward_config', 'max_steps', 'num_train_epochs', 'learning_rate', 'num_generations', 'loss_type', 'device', 'seed'];

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type JsonRead<T> = { value: T; mtime: number } | { missing: true } | { problem: string };

async function readJson<T>(file: string, name: string): Promise<JsonRead<T>> {
  let text: string;
  let mtime: number;
  try {
    [text, mtime] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mtimeMs)]);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    return { problem: `${name} cannot be read (${code ?? (e as Error).message})` };
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: `${name} does not hold a JSON object` };
    return { value: value as T, mtime };
  } catch {
    return { problem: `${name} is not valid JSON (${text.length === 0 ? 'empty' : 'cut short or damaged'})` };
  }
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const STATES: readonly string[] = ['running', 'finished', 'failed', 'stopped'];

async function isRunFolder(dir: string): Promise<boolean> {
  try {
    const names = new Set(await readdir(dir));
    return RUN_MARKERS.some((m) => names.has(m));
  } catch {
    return false;
  }
}

/** Reads one run folder. Never throws: what cannot be read is listed in `problems`. */
export async function readRun(dir: string, name: string, opts: ListOptions = {}): Promise<RunInfo> {
  const isAlive = opts.isAlive ?? processAlive;
  const problems: string[] = [];
  const take = <T>(r: JsonRead<T>): { value: T; mtime: number } | null => {
    if ('problem' in r) {
      problems.push(r.problem);
      return null;
    }
    return 'missing' in r ? null : r;
  };
  const [statusR, summaryR, configR, checkpoints] = await Promise.all([
    readJson<Partial<RunStatus>>(join(dir, RUN_FILES.status), RUN_FILES.status),
    readJson<Partial<RunSummary>>(join(dir, RUN_FILES.summary), RUN_FILES.summary),
    readJson<Partial<RunConfigFile>>(join(dir, RUN_FILES.config), RUN_FILES.config),
    listRunCheckpoints(dir).catch((e: unknown) => {
      problems.push(`the checkpoints cannot be listed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return [] as RunCheckpointInfo[];
    }),
  ]);
  const status = take(statusR);
  const summary = take(summaryR);
  const config = take(configR);
  const s = status?.value ?? {};
  const sum = summary?.value ?? {};
  const cfg = config?.value ?? {};

  let state: ListedRunState = typeof s.state === 'string' && STATES.includes(s.state) ? (s.state as RunState) : 'unknown';
  if (status && state === 'unknown') problems.push(`status.json has no known state (${JSON.stringify(s.state)})`);
  const pid = num(s.pid);
  let message = str(s.message);
  if (state === 'running' && pid !== null && !isAlive(pid)) {
    state = 'interrupted';
    message = `the training process (pid ${pid}) is gone without finishing (killed?); resume from the last checkpoint`;
  }
  // No status but a summary: the run ended (older or hand-made folders).
  if (!status && summary) state = sum.stopped_by === 'error' || sum.stopped_by === 'nan' ? 'failed' : sum.stopped_by === 'signal' ? 'stopped' : 'finished';

  const lastCk = checkpoints.at(-1) ?? null;
  const step = num(s.step) ?? num(sum.total_steps) ?? lastCk?.step ?? null;
  const settingsSrc = cfg.config && typeof cfg.config === 'object' ? (cfg.config as Record<string, unknown>) : null;
  const settings = settingsSrc ? Object.fromEntries(SHOWN_SETTINGS.filter((k) => k in settingsSrc).map((k) => [k, settingsSrc[k]])) : null;
  const mtimes = [status?.mtime, summary?.mtime, config?.mtime].filter((m): m is number => m !== undefined);
  const updated = str(s.updated) ?? (mtimes.length ? new Date(Math.max(...mtimes)).toISOString() : null);

  return {
    name,
    dir,
    state,
    step,
    totalSteps: num(s.total_steps) ?? num(sum.total_steps),
    bestReward: num(s.best_reward) ?? num(sum.best_reward),
    bestStep: num(sum.best_step),
    finalMeanReward: num(sum['train/final_mean_reward']),
    stoppedBy: (str(sum.stopped_by) as RunSummary['stopped_by'] | null) ?? null,
    evalOnly: sum.eval_only === true,
    checkpoints,
    lastCheckpoint: str(s.last_checkpoint) ?? lastCk?.dir ?? null,
    created: str(cfg.created),
    updated,
    pid,
    message,
    settings,
    problems,
  };
}

/**
 * Every run folder directly under `outputDir`, newest first (by last update). A missing output
 * folder is an empty list; one that cannot be read throws with the reason.
 */
export async function listRuns(outputDir: string, opts: ListOptions = {}): Promise<RunInfo[]> {
  let entries;
  try {
    entries = await readdir(outputDir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new Error(`cannot list the runs in ${outputDir}: ${code === 'ENOTDIR' ? 'it is a file, not a folder' : (code ?? (e as Error).message)}; output_dir must name a folder`, { cause: e });
  }
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  const runs = await Promise.all(dirs.map(async (name) => ((await isRunFolder(join(outputDir, name))) ? readRun(join(outputDir, name), name, opts) : null)));
  return runs
    .filter((r): r is RunInfo => r !== null)
    .sort((a, b) => (b.updated ?? '').localeCompare(a.updated ?? '') || a.name.localeCompare(b.name));
}
