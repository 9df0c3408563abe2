// The policy of a run, from the `policy` setting:
// - "policy-tiny": the embedded GPT over UME's vocabulary;
// - a policy-tiny folder (config.json + model.safetensors);
// - a run folder, its final/ folder or one of its checkpoints: the run's base policy with the
//   trained weights (final/policy.safetensors, else the latest checkpoint's), so
//   `--eval-only --policy runs/my-run` scores what a run trained;
// - a Hugging Face model folder (engine/policy/hf, when this build has it).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { listRunCheckpoints } from '../engine/runs/checkpoints';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Policy } from '../engine/policy/types';
import { PolicyTiny } from '../engine/policy/tiny';
import { readConfig } from '../engine/policy/tiny/weights';
import { policyTinyDir } from '../engine/policy/tiny/model-dir';
import { decodeSafetensors } from '../engine/checkpoint/safetensors';
import { ParameterSet } from '../engine/train/params';
import type { TensorData } from '../engine/onnx/ir';
import type { ResolvedGrpoConfig } from '../engine/training/config';
import { RUN_FILES, RUN_FORMAT } from '../protocol/run-format';

type Source = { kind: 'tiny-folder'; dir: string } | { kind: 'trained'; base: string; weights: string } | { kind: 'hf'; dir: string };

function runConfigAt(dir: string): { policy: string } | null {
  const p = join(dir, RUN_FILES.config);
  if (!existsSync(p)) return null;
  try {
    const j = JSON.parse(readFileSync(p, 'utf8')) as { format?: string; config?: { policy?: string } };
    return j.format === RUN_FORMAT && typeof j.config?.policy === 'string' ? { policy: j.config.policy } : null;
  } catch {
    return null;
  }
}

async function latestCheckpointWeights(runDir: string): Promise<string | null> {
  const last = (await listRunCheckpoints(runDir)).at(-1);
  return last ? join(last.dir, RUN_FILES.policyFile) : null;
}

export async function policySource(setting: string): Promise<Source> {
  if (setting === 'policy-tiny') return { kind: 'tiny-folder', dir: policyTinyDir() };
  const dir = resolve(setting);
  if (!existsSync(dir)) throw new Error(`policy "${setting}" is neither "policy-tiny" nor an existing folder; give policy-tiny, a run folder, or a Hugging Face model folder (config.json, model.safetensors, tokenizer.json)`);
  if (!statSync(dir).isDirectory()) throw new Error(`policy "${setting}" is a file; give the folder that holds it`);
  // A run folder, its final/ folder, or a checkpoint inside it.
  const run = runConfigAt(dir);
  if (run) {
    const weights = existsSync(join(dir, RUN_FILES.finalDir, RUN_FILES.policyFile)) ? join(dir, RUN_FILES.finalDir, RUN_FILES.policyFile) : await latestCheckpointWeights(dir);
    if (!weights) throw new Error(`run ${setting} has no trained weights yet (no final/ and no complete checkpoint)`);
    return { kind: 'trained', base: run.policy, weights };
  }
  if (existsSync(join(dir, RUN_FILES.policyFile))) {
    const runDir = existsSync(join(dir, RUN_FILES.stateFile)) ? dirname(dirname(dir)) : dirname(dir);
    const parent = runConfigAt(runDir);
    if (!parent) throw new Error(`${setting} holds ${RUN_FILES.policyFile} but is not inside a run folder (no run config.json at ${runDir}); point --policy at the run folder`);
    return { kind: 'trained', base: parent.policy, weights: join(dir, RUN_FILES.policyFile) };
  }
  const cfg = join(dir, 'config.json');
  if (existsSync(cfg)) {
    const j = JSON.parse(readFileSync(cfg, 'utf8')) as Record<string, unknown>;
    if ('dModel' in j && 'nLayers' in j) return { kind: 'tiny-folder', dir };
    return { kind: 'hf', dir };
  }
  throw new Error(`${setting} is not a policy folder: it has no config.json (a policy-tiny or Hugging Face folder), no run config.json and no ${RUN_FILES.policyFile}`);
}

async function weightsFrom(path: string): Promise<ParameterSet> {
  const buf = await readFile(path);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  const params = new ParameterSet();
  for (const [name, t] of decodeSafetensors(copy, path).tensors) params.add(name, { dtype: t.dtype, shape: t.shape, data: t.data } as TensorData);
  return params;
}

export async function loadTrainingPolicy(c: Pick<ResolvedGrpoConfig, 'policy' | 'device'>): Promise<Policy> {
  const src = await policySource(c.policy);
  switch (src.kind) {
    case 'tiny-folder':
      return PolicyTiny.load(src.dir, { device: c.device });
    case 'trained': {
      const base = await policySource(src.base);
      if (base.kind !== 'tiny-folder') throw new Error(`the run was trained from ${src.base}, which this build cannot load; use a policy-tiny run`);
      return PolicyTiny.create(await readConfig(base.dir), await weightsFrom(src.weights), { device: c.device });
    }
    case 'hf':
      throw new Error(`Hugging Face model folders are not supported by this build yet (${c.policy}); use policy-tiny`);
  }
}
