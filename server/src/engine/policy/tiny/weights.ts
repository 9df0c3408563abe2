// policy-tiny's model folder: config.json + model.safetensors (our GPT's parameter names, [in, out]
// layout, F16 or F32), written atomically; loading checks every name and shape against the config.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorData } from '../../onnx/ir';
import { nodeFs, writeFileAtomic } from '../../checkpoint/atomic';
import { decodeSafetensors, encodeSafetensors } from '../../checkpoint/safetensors';
import { compareTensors } from '../../checkpoint/verify';
import { gptParamSpecs } from '../../models/gpt';
import { ParameterSet } from '../../train/params';
import { floatToHalf, halfToFloat } from '../../ume/weights';
import { ARCHITECTURE, checkConfig, type PolicyTinyConfig } from './config';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
const FORMAT = 'ume-studio-policy-tiny';

export type Storage = 'F16' | 'F32';

let halves: Float32Array | undefined;
function halfTable(): Float32Array {
  if (!halves) {
    halves = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) halves[h] = halfToFloat(h);
  }
  return halves;
}

function toHalf(t: TensorData, name: string): TensorData {
  const src = t.data as Float32Array;
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = floatToHalf(src[i]!);
    if ((h & 0x7c00) === 0x7c00) throw new Error(`weight "${name}" holds ${src[i]}, which F16 cannot store (finite, |x| <= 65504); save as F32`);
    out[i] = h;
  }
  return { dtype: 'float16', shape: [...t.shape], data: out };
}

function toFloat32(t: TensorData, name: string): TensorData {
  if (t.dtype === 'float32') return { dtype: 'float32', shape: [...t.shape], data: new Float32Array(t.data as Float32Array) };
  if (t.dtype === 'float16') {
    const table = halfTable();
    const src = t.data as Uint16Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]!]!;
    return { dtype: 'float32', shape: [...t.shape], data: out };
  }
  if (t.dtype === 'float64') return { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(t.data as Float64Array) };
  throw new Error(`weight "${name}" is ${t.dtype}; policy-tiny weights are floating point (F32, F16, BF16 or F64)`);
}

export interface SaveInfo {
  storage?: Storage;
  /** Extra safetensors metadata (steps, data, trained_by). */
  metadata?: Record<string, string>;
  /** Extra config.json fields (training summary). */
  extra?: Record<string, unknown>;
}

/** Writes config.json and model.safetensors into `dir` (each atomically). */
export async function savePolicyFolder(dir: string, config: PolicyTinyConfig, params: ParameterSet, info: SaveInfo = {}): Promise<void> {
  const storage = info.storage ?? 'F16';
  await nodeFs.mkdir(dir);
  const tensors = gptParamSpecs(config).map(({ name }) => {
    const t = params.get(name);
    return [name, storage === 'F16' ? toHalf(t, name) : t] as const;
  });
  await writeFileAtomic(nodeFs, join(dir, WEIGHTS_FILE), encodeSafetensors(tensors, { ...info.metadata, format: FORMAT, config: JSON.stringify(config) }));
  const c = config;
  const json = { name: c.name, architecture: ARCHITECTURE, vocabSize: c.vocabSize, dModel: c.dModel, nLayers: c.nLayers, nHeads: c.nHeads, dFF: c.dFF, positions: c.positions, maxLen: c.maxLen, normEps: c.normEps, initStd: c.initStd, weights: WEIGHTS_FILE, storage, ...info.extra };
  await writeFileAtomic(nodeFs, join(dir, CONFIG_FILE), [Buffer.from(JSON.stringify(json, null, 2) + '\n')]);
}

export async function readConfig(dir: string): Promise<PolicyTinyConfig> {
  const path = join(dir, CONFIG_FILE);
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path} (${(e as Error).message}); a policy-tiny folder holds ${CONFIG_FILE} and ${WEIGHTS_FILE}`, { cause: e });
  }
  let parsed: PolicyTinyConfig;
  try {
    parsed = JSON.parse(raw) as PolicyTinyConfig;
  } catch (e) {
    throw new Error(`${path} is not JSON (${(e as Error).message})`, { cause: e });
  }
  const c: PolicyTinyConfig = {
    name: parsed.name ?? 'policy-tiny',
    vocabSize: parsed.vocabSize,
    dModel: parsed.dModel,
    nLayers: parsed.nLayers,
    nHeads: parsed.nHeads,
    dFF: parsed.dFF,
    positions: parsed.positions,
    maxLen: parsed.maxLen,
    normEps: parsed.normEps,
    initStd: parsed.initStd ?? 0.02,
  };
  checkConfig(c, path);
  return c;
}

/** Reads the weights file of a folder as float32 parameters in gptParamSpecs order. */
export async function readWeights(dir: string, config: PolicyTinyConfig): Promise<ParameterSet> {
  const path = join(dir, WEIGHTS_FILE);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read ${path} (${(e as Error).message})`, { cause: e });
  }
  const { tensors } = decodeSafetensors(buf, path);
  const specs = gptParamSpecs(config);
  const asFloat = new Map([...tensors].map(([k, t]) => [k, { dtype: t.dtype === 'float16' || t.dtype === 'float64' ? ('float32' as const) : t.dtype, shape: t.shape, storedDtype: t.storedDtype }]));
  const problems = compareTensors(
    specs.map((s) => ({ name: s.name, dtype: 'float32', shape: s.shape })),
    asFloat,
    'tensor',
  );
  if (problems.length) throw new Error(`${path} does not fit the config in ${CONFIG_FILE} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.slice(0, 20).join('\n  - ')}`);
  const params = new ParameterSet();
  for (const s of specs) params.add(s.name, toFloat32(tensors.get(s.name)!, s.name));
  return params;
}
