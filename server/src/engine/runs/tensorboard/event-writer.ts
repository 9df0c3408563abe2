// One run's TensorBoard event file in a folder of its own (tensorboard --logdir PARENT shows each
// run folder as a run). Rows are appended as TFRecords, so TensorBoard can read the file while it
// grows. When the run's metrics were rewritten (a resume cut metrics.jsonl back), `reset` starts
// a new file and removes the earlier ones this writer's kind made, so no step is shown twice.

import { appendFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { MetricsRow } from '../../../protocol/run-format';
import { encodeEvent, tfRecord } from './event-proto';
import { metricsEvent } from './metrics-events';

/** The suffix that marks event files this writer made (the only ones `reset` removes). */
export const EVENT_FILE_SUFFIX = '.ume-studio';
export const FILE_VERSION = 'brain.Event:2';

function writeError(e: unknown, file: string): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = code === 'ENOSPC' || code === 'EDQUOT' ? 'no space left on the device' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : ((e as Error)?.message ?? String(e));
  return new Error(`could not write TensorBoard events to ${file}: ${why}; free disk space or pick another --tensorboard folder (the run folder itself is not touched)`, { cause: e });
}

export class TensorBoardWriter {
  private file: string | null = null;
  private seq = 0;
  /** Events written to the current file (the file_version record aside). */
  written = 0;

  constructor(readonly dir: string) {}

  private async start(): Promise<string> {
    try {
      await mkdir(this.dir, { recursive: true });
    } catch (e) {
      throw writeError(e, this.dir);
    }
    const secs = Math.floor(Date.now() / 1000);
    // seq keeps two files started in the same second apart.
    const file = join(this.dir, `events.out.tfevents.${secs}.${hostname()}.${process.pid}.${this.seq++}${EVENT_FILE_SUFFIX}`);
    const first = tfRecord(encodeEvent({ wallTime: Date.now() / 1000, step: 0, fileVersion: FILE_VERSION }));
    try {
      await writeFile(file, first, { flag: 'wx' });
    } catch (e) {
      throw writeError(e, file);
    }
    this.written = 0;
    return (this.file = file);
  }

  /** Appends one event per row (rows without an integer step are skipped); returns how many were written. */
  async append(rows: readonly MetricsRow[]): Promise<number> {
    const records = rows.map(metricsEvent).filter((e) => e !== null).map((e) => tfRecord(encodeEvent(e)));
    if (!records.length) return 0;
    const file = this.file ?? (await this.start());
    const data = Buffer.concat(records);
    try {
      await appendFile(file, data);
    } catch (e) {
      throw writeError(e, file);
    }
    this.written += records.length;
    return records.length;
  }

  /** Drops what was written (this writer's files in the folder) and starts again with `rows`. */
  async reset(rows: readonly MetricsRow[]): Promise<number> {
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      // no folder yet
    }
    for (const n of names) if (n.startsWith('events.out.tfevents.') && n.endsWith(EVENT_FILE_SUFFIX)) await rm(join(this.dir, n), { force: true });
    this.file = null;
    await this.start();
    return this.append(rows);
  }
}
