// Writes a run folder (docs/run-format.md): append-only JSON-lines logs that a reader can tail, and
// whole files replaced atomically. One writer per run; the training process owns it.
//
// Appends are single write() calls of whole lines on a file opened with O_APPEND, so a reader never
// sees half a line except at the very end while it is being written (it re-reads from its cursor).
// A full disk or an unwritable folder fails with describeWriteError's message (what, where, how
// many bytes, what to do), and nothing already written is damaged.

import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { describeWriteError, nodeFs, writeFileAtomic, type CheckpointFs } from '../checkpoint/atomic';
import { RUN_FILES, completionsFile, generationLogFile, type CompletionRow, type GenerationLog, type MetricsRow, type RunConfigFile, type RunStatus, type RunSummary } from '../../protocol/run-format';
import type { TrainingEvent } from '../../protocol/training-events';

/** JSON with non-finite numbers as null (JSON.stringify would write null too, but say so explicitly). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

export class RunWriter {
  private constructor(
    readonly dir: string,
    private readonly fs: CheckpointFs,
  ) {}

  /** Creates (or reopens, for a resume) the run folder and its sub-folders; fails clearly when it cannot write there. */
  static async open(dir: string, fs: CheckpointFs = nodeFs): Promise<RunWriter> {
    for (const d of [dir, join(dir, RUN_FILES.completionsDir), join(dir, RUN_FILES.checkpointsDir)]) {
      try {
        await fs.mkdir(d);
      } catch (e) {
        throw describeWriteError(e, d, 0);
      }
    }
    // Probe: a read-only folder must fail now, before any training work, not at the first checkpoint.
    const w = new RunWriter(dir, fs);
    await w.writeJson('.write-probe', { ok: true });
    await fs.unlink(join(dir, '.write-probe')).catch(() => undefined);
    return w;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await writeFileAtomic(this.fs, this.path(name), [utf8(JSON.stringify(value, null, 2) + '\n')]);
  }

  private async append(name: string, text: string): Promise<void> {
    const file = this.path(name);
    try {
      await fsp.appendFile(file, text, { encoding: 'utf8', flag: 'a' });
    } catch (e) {
      throw describeWriteError(e, file, Buffer.byteLength(text));
    }
  }

  writeConfig(c: RunConfigFile): Promise<void> {
    return this.writeJson(RUN_FILES.config, c);
  }

  appendMetrics(row: MetricsRow): Promise<void> {
    return this.append(RUN_FILES.metrics, jsonLine(row));
  }

  appendEvent(e: TrainingEvent): Promise<void> {
    return this.append(RUN_FILES.events, jsonLine(e));
  }

  /** completions/step_N.jsonl, whole and atomically (a reader sees all of a step's rows or none). */
  async writeCompletions(step: number, rows: readonly CompletionRow[]): Promise<void> {
    await writeFileAtomic(this.fs, this.path(completionsFile(step)), [utf8(rows.map(jsonLine).join(''))]);
  }

  async writeGenerationLog(log: GenerationLog, dir?: string): Promise<string> {
    const file = dir ? join(dir, `generation_log_step_${log.step}.json`) : this.path(generationLogFile(log.step));
    await this.fs.mkdir(dir ?? this.path(RUN_FILES.generationLogsDir)).catch((e: unknown) => {
      throw describeWriteError(e, file, 0);
    });
    await writeFileAtomic(this.fs, file, [utf8(JSON.stringify(log, null, 2) + '\n')]);
    return file;
  }

  writeStatus(s: RunStatus): Promise<void> {
    return this.writeJson(RUN_FILES.status, s);
  }

  writeSummary(s: RunSummary): Promise<void> {
    return this.writeJson(RUN_FILES.summary, s);
  }

  /** Bytes of metrics.jsonl now (0 when absent): recorded in checkpoints so a resume can cut later rows. */
  async metricsBytes(): Promise<number> {
    try {
      return (await fsp.stat(this.path(RUN_FILES.metrics))).size;
    } catch {
      return 0;
    }
  }

  /**
   * Resume: cut metrics.jsonl and events.jsonl back to what a checkpoint had seen, and drop the
   * completion files of later steps, so the rows written again after the resume make the files
   * equal to an uninterrupted run's.
   */
  async rewindTo(step: number, metricsBytes: number): Promise<void> {
    const metrics = this.path(RUN_FILES.metrics);
    const size = await this.metricsBytes();
    if (size < metricsBytes) throw new Error(`${metrics} has ${size} bytes but the checkpoint saw ${metricsBytes}: the run folder was changed after the checkpoint; resume from an earlier checkpoint or start a new run`);
    if (size > metricsBytes) await fsp.truncate(metrics, metricsBytes);
    for (const name of await this.fs.readdir(this.path(RUN_FILES.completionsDir)).catch(() => [] as string[])) {
      const m = /^step_(\d+)\.jsonl$/.exec(name);
      if (m && Number(m[1]) > step) await this.fs.unlink(this.path(`${RUN_FILES.completionsDir}/${name}`));
    }
  }
}
