// Writing datasets: one JSON object per line with a fixed key order (prompt, completion, chosen,
// rejected, modality, then the other columns), so the same rows always give the same bytes. The
// synthetic splits go to DIR/{train,validation,test,full}.jsonl (lobster's split names) with a
// manifest.json (seed, sizes, sha256 of each file); all files are written to temp files first and
// renamed into place, and files that would change are only replaced when asked to.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { nodeFs, writeTemp } from '../checkpoint/atomic';
import { SYNTHETIC_LENGTHS } from './prompts';
import { syntheticDataset } from './synthetic';
import { DatasetError, SPLIT_NAMES, type PromptRow, type SplitName } from './types';

export const SYNTHETIC_FILES: Readonly<Record<SplitName, string>> = {
  train: 'train.jsonl',
  validation: 'validation.jsonl',
  test: 'test.jsonl',
  full: 'full.jsonl',
};
const MANIFEST = 'manifest.json';

/** One row as a JSONL line (without the newline). */
export function formatJsonlRow(row: PromptRow): string {
  const out: Record<string, unknown> = { prompt: row.prompt };
  if (row.completion !== undefined) out.completion = row.completion;
  if (row.chosen !== undefined) out.chosen = row.chosen;
  if (row.rejected !== undefined) out.rejected = row.rejected;
  out.modality = row.modality;
  for (const [k, v] of Object.entries(row.columns ?? {})) if (!(k in out)) out[k] = v;
  return JSON.stringify(out);
}

export interface WrittenDataset {
  dir: string;
  files: Array<{ split: SplitName | 'manifest'; path: string; rows: number; sha256: string; changed: boolean }>;
}

/** A write failure as a message for datasets (checkpoint/atomic's messages speak of checkpoints). */
function writeError(e: unknown, dir: string, replaced = 0): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'no space left on the device: free disk space and retry'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'permission denied: choose a writable directory'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'a file is in the way of the directory: choose another --out'
          : (e as Error)?.message ?? String(e);
  const state = replaced === 0 ? 'no file in it was replaced' : `${replaced} file(s) were replaced already; rerun to finish`;
  return new DatasetError(`cannot write the dataset into ${dir}: ${why}; ${state}`, dir, []);
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * Generates syntheticDataset(seed, perModality) and writes its splits into `dir` (created if
 * missing). Existing files with other contents are refused unless `overwrite` (identical ones are
 * left as they are).
 */
export async function writeSyntheticDataset(dir: string, options: { seed: number; perModality: number; overwrite?: boolean }): Promise<WrittenDataset> {
  const d = syntheticDataset(options.seed, options.perModality);
  const encoder = new TextEncoder();
  const contents: Array<{ split: SplitName | 'manifest'; path: string; rows: number; bytes: Uint8Array }> = SPLIT_NAMES.map((split) => {
    const rows = d.splits[split];
    return { split, path: join(dir, SYNTHETIC_FILES[split]), rows: rows.length, bytes: encoder.encode(rows.map((r) => `${formatJsonlRow(r)}\n`).join('')) };
  });
  const counts: Record<string, number> = {};
  for (const r of d.splits.full) counts[r.modality ?? 'unknown'] = (counts[r.modality ?? 'unknown'] ?? 0) + 1;
  const manifest = {
    generator: 'ume-studio dataset synthetic (lobster examples/generate_synthetic_dataset.py with valid SMILES and <protein> tags; see docs/datasets.md)',
    seed: options.seed,
    per_modality: options.perModality,
    lengths: SYNTHETIC_LENGTHS,
    modalities: counts,
    splits: Object.fromEntries(contents.map((c) => [c.split, { file: SYNTHETIC_FILES[c.split as SplitName], rows: c.rows, sha256: sha256(c.bytes) }])),
  };
  contents.push({ split: 'manifest', path: join(dir, MANIFEST), rows: 0, bytes: encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`) });

  try {
    await nodeFs.mkdir(dir);
  } catch (e) {
    throw writeError(e, dir);
  }
  const changed: boolean[] = [];
  const existing: string[] = [];
  for (const c of contents) {
    const old = await nodeFs.readFile(c.path).catch(() => undefined);
    changed.push(old === undefined || !old.equals(c.bytes));
    if (old !== undefined && changed.at(-1)) existing.push(c.path);
  }
  if (existing.length > 0 && !options.overwrite) {
    throw new DatasetError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} with other contents: choose another directory or overwrite (--force)`, dir, []);
  }
  const temps: Array<{ tmp: string; path: string }> = [];
  let replaced = 0;
  try {
    for (let i = 0; i < contents.length; i++) {
      if (changed[i]) temps.push({ tmp: await writeTemp(nodeFs, contents[i]!.path, [contents[i]!.bytes]), path: contents[i]!.path });
    }
    while (temps.length > 0) {
      await nodeFs.rename(temps[0]!.tmp, temps[0]!.path);
      temps.shift();
      replaced++;
    }
  } catch (e) {
    for (const t of temps) await nodeFs.unlink(t.tmp).catch(() => undefined);
    throw writeError(e, dir, replaced);
  }
  await nodeFs.syncDir(dir);
  return { dir, files: contents.map((c, i) => ({ split: c.split, path: c.path, rows: c.rows, sha256: sha256(c.bytes), changed: changed[i]! })) };
}
