// Follows one run folder (docs/run-format.md) while a training process writes it: each poll()
// returns only what is new since the last one — metrics rows from metrics.jsonl's byte cursor, the
// steps whose completions/step_N.jsonl appeared or grew, generation logs that appeared, and
// config/status/summary when they were replaced. Completion rows themselves are read on demand
// (readCompletions), since a long run has thousands of files and a page shows one step at a time.
// Never throws for what a run folder may contain: damaged files become problems.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES, type CompletionRow, type GenerationLog, type MetricsRow, type RunConfigFile, type RunStatus, type RunSummary } from '../../../protocol/run-format';
import { JsonlTail } from './jsonl-tail';

export interface RunUpdate {
  /** New metrics rows, in file order. */
  metrics: MetricsRow[];
  /** metrics.jsonl was rewritten (a resume cut it back): `metrics` holds the whole file again. */
  metricsReset: boolean;
  /** Steps whose completions file is new or grew since the last poll, ascending. */
  completionSteps: number[];
  /** Steps with a generation log that is new or was rewritten, ascending. */
  generationLogSteps: number[];
  config?: RunConfigFile;
  status?: RunStatus;
  summary?: RunSummary;
  /** What could not be read this time, in words (file and line). */
  problems: string[];
}

export function isEmptyUpdate(u: RunUpdate): boolean {
  return !u.metrics.length && !u.metricsReset && !u.completionSteps.length && !u.generationLogSteps.length && !u.config && !u.status && !u.summary && !u.problems.length;
}

interface FileStamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

const sameStamp = (a: FileStamp | undefined, b: FileStamp): boolean => !!a && a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;

async function stampOf(path: string): Promise<FileStamp | null> {
  try {
    const s = await stat(path);
    return { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino };
  } catch {
    return null;
  }
}

const STEP_FILE = /^step_(\d+)\.jsonl$/;
const LOG_FILE = /^generation_log_step_(\d+)\.json$/;

export class RunTail {
  private readonly metricsTail: JsonlTail<MetricsRow>;
  private readonly stamps = new Map<string, FileStamp>();
  private readonly completionSizes = new Map<number, number>();
  private readonly logStamps = new Map<number, FileStamp>();
  private dirStamps = new Map<string, FileStamp>();
  private finished = false;

  constructor(
    readonly dir: string,
    /** Where generation logs are when config.generation_log_dir moved them (default RUN/generation_logs). */
    private generationLogDir: string = join(dir, RUN_FILES.generationLogsDir),
  ) {
    this.metricsTail = new JsonlTail<MetricsRow>(join(dir, RUN_FILES.metrics));
  }

  /** Steps with a completions file, ascending (as of the last poll). */
  get completionStepList(): number[] {
    return [...this.completionSizes.keys()].sort((a, b) => a - b);
  }

  /** Steps with a generation log, ascending (as of the last poll). */
  get generationLogStepList(): number[] {
    return [...this.logStamps.keys()].sort((a, b) => a - b);
  }

  async poll(): Promise<RunUpdate> {
    const u: RunUpdate = { metrics: [], metricsReset: false, completionSteps: [], generationLogSteps: [], problems: [] };
    const config = await this.readWhole<RunConfigFile>(RUN_FILES.config, u);
    if (config) {
      u.config = config;
      const logDir = config.config?.['generation_log_dir'];
      if (typeof logDir === 'string' && logDir) this.generationLogDir = logDir;
    }
    const status = await this.readWhole<RunStatus>(RUN_FILES.status, u);
    if (status) {
      u.status = status;
      this.finished = status.state !== 'running';
    }
    const summary = await this.readWhole<RunSummary>(RUN_FILES.summary, u);
    if (summary) {
      u.summary = summary;
      this.finished = true;
    }
    try {
      // A finished run's last line is complete even if the writer died before its '\n'.
      const r = await this.metricsTail.read({ acceptUnterminated: this.finished });
      u.metrics = r.rows.filter((row) => typeof row === 'object' && row !== null && typeof row.step === 'number');
      u.metricsReset = r.reset;
      for (const p of r.problems) u.problems.push(`${RUN_FILES.metrics}: ${p.message}`);
      if (u.metrics.length < r.rows.length) u.problems.push(`${RUN_FILES.metrics}: ${r.rows.length - u.metrics.length} row(s) without a numeric "step" were skipped`);
    } catch (e) {
      u.problems.push(`${RUN_FILES.metrics} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    await this.scanCompletions(u);
    await this.scanGenerationLogs(u);
    return u;
  }

  /** The rows of one step's completions file (complete lines only; damaged lines skipped). */
  async readCompletions(step: number): Promise<{ rows: CompletionRow[]; problems: string[] }> {
    const tail = new JsonlTail<CompletionRow>(join(this.dir, RUN_FILES.completionsDir, `step_${step}.jsonl`));
    const r = await tail.read({ acceptUnterminated: true });
    if (r.missing) return { rows: [], problems: [`completions/step_${step}.jsonl does not exist`] };
    return { rows: r.rows, problems: r.problems.map((p) => `completions/step_${step}.jsonl: ${p.message}`) };
  }

  async readGenerationLog(step: number): Promise<GenerationLog | null> {
    try {
      return JSON.parse(await readFile(join(this.generationLogDir, `generation_log_step_${step}.json`), 'utf8')) as GenerationLog;
    } catch {
      return null;
    }
  }

  /** A whole-file JSON record, when it changed since the last poll. */
  private async readWhole<T>(name: string, u: RunUpdate): Promise<T | undefined> {
    const path = join(this.dir, name);
    const st = await stampOf(path);
    if (!st || sameStamp(this.stamps.get(name), st)) return undefined;
    try {
      const value = JSON.parse(await readFile(path, 'utf8')) as unknown;
      this.stamps.set(name, st);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        u.problems.push(`${name} does not hold a JSON object`);
        return undefined;
      }
      return value as T;
    } catch (e) {
      // Replaced atomically by the trainer, so this is a damaged or hand-edited file: say so once per change.
      this.stamps.set(name, st);
      u.problems.push(`${name} is not valid JSON (${(e as Error).message})`);
      return undefined;
    }
  }

  /** readdir only when the folder changed (a 2000-step run has 2000 files). */
  private async changedDir(dir: string): Promise<string[] | null> {
    const st = await stampOf(dir);
    if (!st) return null;
    if (sameStamp(this.dirStamps.get(dir), st)) return null;
    try {
      const names = await readdir(dir);
      this.dirStamps.set(dir, st);
      return names;
    } catch {
      return null;
    }
  }

  private async scanCompletions(u: RunUpdate): Promise<void> {
    const dir = join(this.dir, RUN_FILES.completionsDir);
    const names = await this.changedDir(dir);
    // A file may also grow in place (a non-atomic writer): re-stat the newest one on every poll.
    const candidates = new Set<number>();
    for (const n of names ?? []) {
      const m = STEP_FILE.exec(n);
      if (m) candidates.add(Number(m[1]));
    }
    const newest = this.completionStepList.at(-1);
    if (newest !== undefined) candidates.add(newest);
    if (names) for (const step of this.completionSizes.keys()) if (!candidates.has(step)) this.completionSizes.delete(step);
    for (const step of candidates) {
      if (names === null && step !== newest) continue;
      const known = this.completionSizes.get(step);
      if (known !== undefined && step !== newest) continue;
      const st = await stampOf(join(dir, `step_${step}.jsonl`));
      if (!st) {
        this.completionSizes.delete(step);
        continue;
      }
      if (st.size === 0 || st.size === known) continue;
      this.completionSizes.set(step, st.size);
      u.completionSteps.push(step);
    }
    u.completionSteps.sort((a, b) => a - b);
  }

  private async scanGenerationLogs(u: RunUpdate): Promise<void> {
    const names = await this.changedDir(this.generationLogDir);
    if (!names) return;
    for (const n of names) {
      const m = LOG_FILE.exec(n);
      if (!m) continue;
      const step = Number(m[1]);
      const st = await stampOf(join(this.generationLogDir, n));
      if (!st || sameStamp(this.logStamps.get(step), st)) continue;
      this.logStamps.set(step, st);
      u.generationLogSteps.push(step);
    }
    u.generationLogSteps.sort((a, b) => a - b);
  }
}
