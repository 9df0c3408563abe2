// Save and load training checkpoints: `<dir>/model.safetensors` (parameters),
// `<dir>/optimizer.safetensors` (optimizer state, e.g. "<param>.exp_avg"), `<dir>/manifest.json`.
// Tensor files are written to temp files, fsynced and renamed; the manifest goes last, so a
// directory without a manifest (or whose files do not have the sizes the manifest records) is an
// interrupted save and is never picked up. Runs keep one directory per step (`checkpoint-<step>`),
// so a failed save never touches the previous checkpoint.

import { join } from 'node:path';
import type { TensorData } from '../onnx/ir';
import { ParameterSet } from '../tensors/parameter-set';
import { nodeFs, writeFileAtomic, writeTemp, describeWriteError, type CheckpointFs } from './atomic';
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  MODEL_FILE,
  OPTIMIZER_FILE,
  parseManifest,
  type CheckpointManifest,
  type ManifestFile,
} from './manifest';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { CheckpointMismatchError, compareTensors, type TensorSpec } from './verify';

export interface SaveCheckpointInput {
  step: number;
  config: unknown;
  params: ParameterSet | Iterable<readonly [string, TensorData]>;
  optimizerState?: Iterable<readonly [string, TensorData]>;
  optimizer?: CheckpointManifest['optimizer'];
  schedule?: unknown;
  rng?: unknown;
  data?: unknown;
  extra?: Record<string, unknown>;
}

const entriesOf = (p: ParameterSet | Iterable<readonly [string, TensorData]>): Array<readonly [string, TensorData]> =>
  p instanceof ParameterSet ? p.entries() : [...p];

const byteSize = (chunks: Uint8Array[]): number => chunks.reduce((n, c) => n + c.byteLength, 0);

/** Writes a checkpoint into `dir` (created if needed). Returns the manifest written. */
export async function saveCheckpoint(dir: string, input: SaveCheckpointInput, fs: CheckpointFs = nodeFs): Promise<CheckpointManifest> {
  await fs.mkdir(dir).catch((e: unknown) => {
    throw describeWriteError(e, dir, 0);
  });
  const meta = { format: MANIFEST_FORMAT, step: String(input.step) };
  const params = entriesOf(input.params);
  const files: Array<{ name: string; chunks: Buffer[]; tensors: number }> = [
    { name: MODEL_FILE, chunks: encodeSafetensors(params, meta), tensors: params.length },
  ];
  if (input.optimizerState) {
    const state = [...input.optimizerState];
    files.push({ name: OPTIMIZER_FILE, chunks: encodeSafetensors(state, meta), tensors: state.length });
  }
  // 1. Make every tensor file durable under a temp name; nothing visible changes yet.
  const temps: string[] = [];
  try {
    for (const f of files) temps.push(await writeTemp(fs, join(dir, f.name), f.chunks));
  } catch (e) {
    for (const t of temps) await fs.unlink(t).catch(() => undefined);
    throw e;
  }
  // 2. Re-saving into a directory that already holds a checkpoint: retire its manifest first so the
  //    directory never pairs an old manifest with new tensors.
  const manifestPath = join(dir, MANIFEST_FILE);
  try {
    if (await fs.exists(manifestPath)) await fs.unlink(manifestPath);
    for (let i = 0; i < files.length; i++) await fs.rename(temps[i]!, join(dir, files[i]!.name));
  } catch (e) {
    for (const t of temps) await fs.unlink(t).catch(() => undefined);
    throw describeWriteError(e, dir, 0);
  }
  const record = (i: number): ManifestFile => ({ file: files[i]!.name, bytes: byteSize(files[i]!.chunks), tensors: files[i]!.tensors });
  const manifest: CheckpointManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    step: input.step,
    config: input.config ?? null,
    ...(input.optimizer ? { optimizer: input.optimizer } : {}),
    ...(input.schedule !== undefined ? { schedule: input.schedule } : {}),
    ...(input.rng !== undefined ? { rng: input.rng } : {}),
    ...(input.data !== undefined ? { data: input.data } : {}),
    files: { model: record(0), ...(files.length > 1 ? { optimizer: record(1) } : {}) },
    createdAt: new Date().toISOString(),
    ...(input.extra ? { extra: input.extra } : {}),
  };
  // 3. The manifest last: from this rename on, the checkpoint exists.
  await writeFileAtomic(fs, manifestPath, [Buffer.from(JSON.stringify(manifest, null, 2) + '\n')]);
  return manifest;
}

export interface LoadCheckpointOptions {
  /** Parameters the model expects; the load fails listing every mismatch. Also fixes the order. */
  expectedParams?: ParameterSet | TensorSpec[];
  /** Optimizer state the optimizer expects (checked only when given). */
  expectedState?: TensorSpec[];
  fs?: CheckpointFs;
}

export interface LoadedCheckpoint {
  dir: string;
  manifest: CheckpointManifest;
  params: ParameterSet;
  /** Optimizer state by name ("<param>.exp_avg"...), empty when the checkpoint has none. */
  optimizerState: Map<string, TensorData>;
}

export async function readManifest(dir: string, fs: CheckpointFs = nodeFs): Promise<CheckpointManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = (await fs.readFile(path)).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${dir} is not a complete checkpoint (no ${MANIFEST_FILE}; an interrupted save leaves none): use an earlier checkpoint`, { cause: e });
    }
    throw e;
  }
  return parseManifest(text, path);
}

async function readTensorFile(dir: string, f: ManifestFile, fs: CheckpointFs): Promise<ReturnType<typeof decodeSafetensors>> {
  const path = join(dir, f.file);
  const buf = await fs.readFile(path).catch((e: unknown) => {
    throw new Error(`${path}: cannot read (${(e as Error).message}); the checkpoint is incomplete, use an earlier one`);
  });
  if (buf.byteLength !== f.bytes) {
    throw new Error(`${path} has ${buf.byteLength} bytes but the manifest records ${f.bytes}: the checkpoint is damaged, use an earlier one`);
  }
  return decodeSafetensors(buf, path);
}

export async function loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const fs = options.fs ?? nodeFs;
  const manifest = await readManifest(dir, fs);
  const model = await readTensorFile(dir, manifest.files.model, fs);
  const state = manifest.files.optimizer ? (await readTensorFile(dir, manifest.files.optimizer, fs)).tensors : new Map();
  const problems: string[] = [];
  const expected = options.expectedParams instanceof ParameterSet ? options.expectedParams.specs() : options.expectedParams;
  if (expected) problems.push(...compareTensors(expected, model.tensors, 'parameter'));
  if (options.expectedState) problems.push(...compareTensors(options.expectedState, state, 'optimizer state'));
  if (problems.length > 0) throw new CheckpointMismatchError(dir, problems);
  const params = new ParameterSet();
  for (const name of expected ? expected.map((e) => e.name) : model.tensors.keys()) {
    const t = model.tensors.get(name)!;
    params.add(name, { dtype: t.dtype, shape: t.shape, data: t.data });
  }
  const optimizerState = new Map<string, TensorData>();
  for (const [name, t] of state) optimizerState.set(name, { dtype: t.dtype, shape: t.shape, data: t.data });
  return { dir, manifest, params, optimizerState };
}

/** The directory name a run uses for the checkpoint after `step` steps. */
export function checkpointDir(root: string, step: number): string {
  return join(root, `checkpoint-${step}`);
}

/** Complete checkpoints under `root`, oldest first. Incomplete (manifest-less) directories are skipped. */
export async function listCheckpoints(root: string, fs: CheckpointFs = nodeFs): Promise<Array<{ dir: string; step: number }>> {
  if (!(await fs.exists(root))) return [];
  const out: Array<{ dir: string; step: number }> = [];
  for (const name of await fs.readdir(root)) {
    const m = /^checkpoint-(\d+)$/.exec(name);
    if (!m) continue;
    const dir = join(root, name);
    if (!(await fs.exists(join(dir, MANIFEST_FILE)))) continue;
    out.push({ dir, step: Number(m[1]) });
  }
  return out.sort((a, b) => a.step - b.step);
}

export async function latestCheckpoint(root: string, fs: CheckpointFs = nodeFs): Promise<string | undefined> {
  return (await listCheckpoints(root, fs)).at(-1)?.dir;
}

/** Keeps the newest `keep` complete checkpoints and removes older ones (save_total_limit). */
export async function pruneCheckpoints(root: string, keep: number, fs: CheckpointFs = nodeFs): Promise<string[]> {
  const all = await listCheckpoints(root, fs);
  const doomed = all.slice(0, Math.max(0, all.length - Math.max(1, keep)));
  for (const c of doomed) await fs.remove(c.dir);
  return doomed.map((c) => c.dir);
}
