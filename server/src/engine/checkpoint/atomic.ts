// Atomic file writes: data goes to a temp file in the target's directory, is fsynced, and only then
// renamed over the target (rename is atomic within one filesystem). The file-system calls go
// through a small adapter so tests can inject failures (a full disk) without a real full disk.

import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface WritableFile {
  write(chunk: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file-system operations checkpoints use. */
export interface CheckpointFs {
  openForWrite(path: string): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** Removes a file or directory tree (pruning old checkpoints). */
  remove(path: string): Promise<void>;
  /** fsync a directory so a rename inside it is durable (best effort where unsupported). */
  syncDir(path: string): Promise<void>;
}

export const nodeFs: CheckpointFs = {
  async openForWrite(path) {
    const fh = await fsp.open(path, 'wx');
    return {
      async write(chunk) {
        let off = 0;
        while (off < chunk.byteLength) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off);
          off += bytesWritten;
        }
      },
      sync: () => fh.sync(),
      close: () => fh.close(),
    };
  },
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
  mkdir: async (p) => {
    await fsp.mkdir(p, { recursive: true });
  },
  readFile: (p) => fsp.readFile(p),
  readdir: (p) => fsp.readdir(p),
  exists: (p) =>
    fsp.access(p).then(
      () => true,
      () => false,
    ),
  remove: (p) => fsp.rm(p, { recursive: true, force: true }),
  async syncDir(p) {
    let fh: fsp.FileHandle | undefined;
    try {
      fh = await fsp.open(p, 'r');
      await fh.sync();
    } catch {
      // Some platforms/filesystems cannot fsync a directory; the rename is still atomic.
    } finally {
      await fh?.close().catch(() => undefined);
    }
  },
};

/** Turns low-level write errors into messages that say what happened and what to do. */
export function describeWriteError(e: unknown, path: string, bytes: number): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const mb = (bytes / 1048576).toFixed(1);
  let msg: string;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    msg = `no space left on the device while writing ${path} (${mb} MB needed): free disk space (or lower the number of kept checkpoints) and retry; the previous checkpoint is intact`;
  } else if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    msg = `permission denied writing ${path}: choose a writable output directory; the previous checkpoint is intact`;
  } else {
    msg = `could not write ${path} (${mb} MB): ${(e as Error)?.message ?? String(e)}; the previous checkpoint is intact`;
  }
  const err = new Error(msg, { cause: e });
  (err as NodeJS.ErrnoException).code = code;
  return err;
}

export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes chunks to a fresh temp file beside `finalPath` and fsyncs it. Returns the temp path; the
 * caller renames it into place (so several files can be made durable before any becomes visible).
 * On failure the temp file is removed and a descriptive error thrown.
 */
export async function writeTemp(fs: CheckpointFs, finalPath: string, chunks: Uint8Array[]): Promise<string> {
  const tmp = tempPathFor(finalPath);
  const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
  let file: WritableFile | undefined;
  try {
    file = await fs.openForWrite(tmp);
    for (const c of chunks) await file.write(c);
    await file.sync();
    const f = file;
    file = undefined;
    await f.close();
    return tmp;
  } catch (e) {
    await file?.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw describeWriteError(e, finalPath, bytes);
  }
}

/** One file written atomically: temp + fsync + rename + directory fsync. */
export async function writeFileAtomic(fs: CheckpointFs, finalPath: string, chunks: Uint8Array[]): Promise<void> {
  const tmp = await writeTemp(fs, finalPath, chunks);
  try {
    await fs.rename(tmp, finalPath);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw describeWriteError(e, finalPath, 0);
  }
  await fs.syncDir(dirname(finalPath));
}
