// loadPromptDataset: the one entry the trainer and the CLI use to get prompts, from the synthetic
// generator or a JSONL file. File problems become a DatasetError that lists every bad line (up to
// a cap) with what to do; warnings travel with the dataset.

import { readFile, stat } from 'node:fs/promises';
import { formatProblems, parsePromptJsonl, type JsonlParse } from './jsonl';
import { SYNTHETIC_PER_MODALITY, SYNTHETIC_SEED, syntheticDataset, syntheticSource } from './synthetic';
import { DatasetError, SPLIT_NAMES, type DatasetSpec, type LoadOptions, type PromptDataset } from './types';

function checkMaxSamples(maxSamples: number | undefined): void {
  if (maxSamples !== undefined && (!Number.isSafeInteger(maxSamples) || maxSamples < 1)) {
    throw new RangeError(`maxSamples must be a positive integer, got ${maxSamples}`);
  }
}

/** Reads a JSONL file as text, with errors that say what is wrong with the path. */
export async function readDatasetFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      throw new DatasetError(`${path} is a directory: give a JSONL file (e.g. ${path.replace(/\/$/, '')}/train.jsonl from "ume-studio dataset synthetic")`, path, []);
    }
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new DatasetError(`cannot read dataset ${path}: ${why}`, path, []);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetError(`dataset ${path} is not UTF-8 text: save it as UTF-8 JSON Lines`, path, []);
  }
}

/** Parses a JSONL file, collecting every problem (the CLI's `dataset check` reports these). */
export async function checkPromptJsonl(path: string, options: LoadOptions = {}): Promise<JsonlParse> {
  checkMaxSamples(options.maxSamples);
  return parsePromptJsonl(await readDatasetFile(path), options);
}

/**
 * The prompts of a dataset spec. Synthetic: the split asked for (default train) of
 * syntheticDataset(seed = 42, perModality = 100), with every split in `splits`. JSONL: the file's
 * rows; any bad line is a DatasetError listing the bad lines. maxSamples keeps the first N rows.
 */
export async function loadPromptDataset(spec: DatasetSpec, options: LoadOptions = {}): Promise<PromptDataset> {
  checkMaxSamples(options.maxSamples);
  const cap = <T>(rows: T[]): T[] => (options.maxSamples === undefined ? rows : rows.slice(0, options.maxSamples));
  if (spec.kind === 'synthetic') {
    const split = spec.split ?? 'train';
    if (!SPLIT_NAMES.includes(split)) throw new RangeError(`unknown synthetic split "${String(split)}": use one of ${SPLIT_NAMES.join(', ')}`);
    const seed = spec.seed ?? SYNTHETIC_SEED;
    const perModality = spec.perModality ?? SYNTHETIC_PER_MODALITY;
    const d = syntheticDataset(seed, perModality);
    return { rows: cap([...d.splits[split]]), source: syntheticSource(split, seed, perModality), splits: d.splits, warnings: [] };
  }
  if (spec.kind !== 'jsonl') throw new TypeError(`unknown dataset kind ${JSON.stringify((spec as { kind?: unknown }).kind)}: use "synthetic" or "jsonl"`);
  const parsed = await checkPromptJsonl(spec.path, options);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (parsed.errorCount > 0) {
    const fileLevel = errors.length === 1 && errors[0]!.line === null;
    const message = fileLevel
      ? `dataset ${spec.path}: ${errors[0]!.message}`
      : `dataset ${spec.path}: ${parsed.errorCount} bad line${parsed.errorCount === 1 ? '' : 's'} (run "ume-studio dataset check ${spec.path}" for the full report):\n${formatProblems(errors, parsed.errorCount)}`;
    throw new DatasetError(message, spec.path, errors);
  }
  if (parsed.rows.length === 0) throw new DatasetError(`dataset ${spec.path}: no rows (only blank lines)`, spec.path, []);
  return { rows: parsed.rows, source: spec.path, warnings: parsed.problems.filter((p) => p.severity === 'warning') };
}
