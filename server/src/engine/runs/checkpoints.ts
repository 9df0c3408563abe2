// A run's checkpoints: checkpoints/checkpoint_step_<n>/{policy.safetensors, optimizer.safetensors,
// state.json}. Tensor files first (temp + fsync + rename), state.json last: a folder without
// state.json is an interrupted save and is never resumed from. Older checkpoints stay untouched
// until the new one is complete, then save_total_limit prunes.

import { join } from 'node:path';
import type { TensorData } from '../onnx/ir';
import { nodeFs, writeFileAtomic, type CheckpointFs } from '../checkpoint/atomic';
import { decodeSafetensors, encodeSafetensors } from '../checkpoint/safetensors';
import { RUN_FILES, RUN_FORMAT, checkpointName, runTensorMetadata, type CheckpointState } from '../../protocol/run-format';

export interface CheckpointData {
  policy: Iterable<readonly [string, TensorData]>;
  optimizer: Iterable<readonly [string, TensorData]>;
  state: CheckpointState;
}

export function checkpointsRoot(runDir: string): string {
  return join(runDir, RUN_FILES.checkpointsDir);
}

export async function saveRunCheckpoint(runDir: string, data: CheckpointData, fs: CheckpointFs = nodeFs): Promise<string> {
  const dir = join(checkpointsRoot(runDir), checkpointName(data.state.step));
  await fs.mkdir(dir);
  const meta = runTensorMetadata(data.state.step);
  await writeFileAtomic(fs, join(dir, RUN_FILES.policyFile), encodeSafetensors(data.policy, meta));
  await writeFileAtomic(fs, join(dir, RUN_FILES.optimizerFile), encodeSafetensors(data.optimizer, meta));
  await writeFileAtomic(fs, join(dir, RUN_FILES.stateFile), [Buffer.from(JSON.stringify(data.state, null, 2) + '\n')]);
  return dir;
}

export async function listRunCheckpoints(runDir: string, fs: CheckpointFs = nodeFs): Promise<Array<{ dir: string; step: number }>> {
  const root = checkpointsRoot(runDir);
  if (!(await fs.exists(root))) return [];
  const out: Array<{ dir: string; step: number }> = [];
  for (const name of await fs.readdir(root)) {
    const m = /^checkpoint_step_(\d+)$/.exec(name);
    if (!m) continue;
    const dir = join(root, name);
    if (await fs.exists(join(dir, RUN_FILES.stateFile))) out.push({ dir, step: Number(m[1]) });
  }
  return out.sort((a, b) => a.step - b.step);
}

export async function pruneRunCheckpoints(runDir: string, keep: number | null, fs: CheckpointFs = nodeFs): Promise<void> {
  if (keep === null) return;
  const all = await listRunCheckpoints(runDir, fs);
  for (const c of all.slice(0, Math.max(0, all.length - Math.max(1, keep)))) await fs.remove(c.dir);
}

export interface LoadedRunCheckpoint {
  dir: string;
  policy: Map<string, TensorData>;
  optimizer: Map<string, TensorData>;
  state: CheckpointState;
}

/** Reads a checkpoint folder; a folder that is not one (or is incomplete) gets an error saying which file is missing. */
export async function loadRunCheckpoint(dir: string, fs: CheckpointFs = nodeFs): Promise<LoadedRunCheckpoint> {
  for (const f of [RUN_FILES.stateFile, RUN_FILES.policyFile, RUN_FILES.optimizerFile]) {
    if (!(await fs.exists(join(dir, f)))) throw new Error(`${dir} is not a complete checkpoint: ${f} is missing (an interrupted save?); resume from another checkpoint, e.g. --resume-from-checkpoint latest`);
  }
  const state = JSON.parse((await fs.readFile(join(dir, RUN_FILES.stateFile))).toString('utf8')) as CheckpointState;
  if (state.format !== RUN_FORMAT) throw new Error(`${join(dir, RUN_FILES.stateFile)} is not a UME Studio run checkpoint (format ${JSON.stringify(state.format)})`);
  const read = async (f: string): Promise<Map<string, TensorData>> => {
    const buf = await fs.readFile(join(dir, f));
    const copy = new Uint8Array(buf.byteLength);
    copy.set(buf);
    return new Map([...decodeSafetensors(copy, join(dir, f)).tensors].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: t.data }]));
  };
  return { dir, policy: await read(RUN_FILES.policyFile), optimizer: await read(RUN_FILES.optimizerFile), state };
}
