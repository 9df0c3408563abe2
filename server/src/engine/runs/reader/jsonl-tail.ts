// Reads a JSON-lines file that another process appends to, from a byte cursor: each read returns
// only the lines completed since the last one. A last line without '\n' is being written and is
// read again next time. A file that shrank, was replaced (resume rewinds metrics.jsonl) or whose
// bytes before the cursor changed is read again from the start, and the read says so (`reset`), so
// the caller can drop what it had. A line that is not JSON becomes a problem with its line number;
// the lines after it are still read.

import { open, type FileHandle } from 'node:fs/promises';

export interface TailProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface TailRead<T> {
  rows: T[];
  problems: TailProblem[];
  /** The file was read again from its start: rows replace what earlier reads returned. */
  reset: boolean;
  /** The file does not exist (yet). */
  missing: boolean;
}

export interface TailOptions {
  /** Bytes read per system call (default 1 MiB). */
  chunkBytes?: number;
  /** Take a last line without '\n' as complete (the writer is known to be done). */
  acceptUnterminated?: boolean;
}

const NL = 0x0a;
/** Bytes just before the cursor kept to notice a file rewritten under us (same size or larger). */
const GUARD_BYTES = 64;

export class JsonlTail<T = unknown> {
  private cursor = 0;
  private lineNo = 0;
  private guard: Buffer = Buffer.alloc(0);
  private ino: number | null = null;

  constructor(readonly file: string) {}

  /** Bytes consumed so far (complete lines only). */
  get bytes(): number {
    return this.cursor;
  }

  /** Complete lines consumed so far (including lines that were not JSON). */
  get lines(): number {
    return this.lineNo;
  }

  async read(opts: TailOptions = {}): Promise<TailRead<T>> {
    let fh: FileHandle;
    try {
      fh = await open(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        const reset = this.cursor > 0;
        this.restart();
        return { rows: [], problems: [], reset, missing: true };
      }
      throw e;
    }
    try {
      const st = await fh.stat();
      let reset = false;
      if (this.cursor > 0 && (st.size < this.cursor || (this.ino !== null && st.ino !== this.ino) || !(await this.guardHolds(fh)))) {
        this.restart();
        reset = true;
      }
      this.ino = st.ino;
      const out: TailRead<T> = { rows: [], problems: [], reset, missing: false };
      await this.consume(fh, st.size, out, opts);
      return out;
    } finally {
      await fh.close();
    }
  }

  private restart(): void {
    this.cursor = 0;
    this.lineNo = 0;
    this.guard = Buffer.alloc(0);
    this.ino = null;
  }

  private async guardHolds(fh: FileHandle): Promise<boolean> {
    if (this.guard.length === 0) return true;
    const buf = Buffer.alloc(this.guard.length);
    const { bytesRead } = await fh.read(buf, 0, buf.length, this.cursor - this.guard.length);
    return bytesRead === buf.length && buf.equals(this.guard);
  }

  private async consume(fh: FileHandle, size: number, out: TailRead<T>, opts: TailOptions): Promise<void> {
    const chunk = Math.max(4096, opts.chunkBytes ?? 1 << 20);
    let pending: Buffer = Buffer.alloc(0);
    let pos = this.cursor;
    while (pos < size) {
      const buf = Buffer.alloc(Math.min(chunk, size - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const data = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(NL, start); nl >= 0; nl = data.indexOf(NL, start)) {
        this.take(data.subarray(start, nl), out);
        this.advance(data.subarray(Math.max(start, nl + 1 - GUARD_BYTES), nl + 1), nl + 1 - start);
        start = nl + 1;
      }
      pending = Buffer.from(data.subarray(start));
    }
    if (opts.acceptUnterminated && pending.length > 0 && pending.toString('utf8').trim() !== '') {
      this.take(pending, out);
      this.advance(pending.subarray(Math.max(0, pending.length - GUARD_BYTES)), pending.length);
    }
  }

  private advance(tail: Buffer, consumed: number): void {
    this.cursor += consumed;
    this.guard = tail.length >= GUARD_BYTES ? Buffer.from(tail) : Buffer.concat([this.guard, tail]).subarray(-GUARD_BYTES);
  }

  private take(bytes: Buffer, out: TailRead<T>): void {
    this.lineNo++;
    const text = bytes.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return;
    try {
      out.rows.push(JSON.parse(text) as T);
    } catch (e) {
      out.problems.push({ line: this.lineNo, message: `line ${this.lineNo} is not valid JSON (${(e as Error).message}); it was skipped` });
    }
  }
}
