// Reads a Hugging Face model's weights (model.safetensors, or the shards model.safetensors.index.json
// lists) into float32 parameters under their HF names, tensor by tensor: each tensor is read from
// its file straight into its float32 array (F32), or through one reused 8 MB chunk widened into it
// (F16, BF16), so memory peaks at the float32 parameters plus that chunk; a file is never held whole.
// Every name and shape is checked against the config: a missing tensor, a wrong shape or a tensor
// the architecture has no place for fails, naming it and what was expected.

import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { endianness } from 'node:os';
import { numel } from '../../onnx/ir';
import type { ParamSpec } from '../../models/params';
import type { SafetensorsDType, SafetensorsEntry } from '../../checkpoint/safetensors';
import { ParameterSet } from '../../train/params';
import { halfToFloat } from '../../ume/weights';
import type { HfModelConfig } from './config';
import { canonicalName, hfParamSpecs, isIgnoredBuffer } from './params';

export const WEIGHTS_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

const WIDTH: Partial<Record<SafetensorsDType, number>> = { F32: 4, F16: 2, BF16: 2 };
const CHUNK = 8 << 20;

interface Located {
  file: string;
  entry: SafetensorsEntry;
  dataStart: number;
}

export interface LoadedWeights {
  params: ParameterSet;
  /** Stored dtype of each tensor (F32, F16 or BF16). */
  storedDtypes: Map<string, SafetensorsDType>;
  files: string[];
}

/** Header of one safetensors file, read without reading its data. */
async function readHeader(fh: FileHandle, path: string): Promise<{ entries: Map<string, SafetensorsEntry>; dataStart: number }> {
  const size = (await fh.stat()).size;
  const bad = (what: string): never => {
    throw new Error(`${path} is not a valid safetensors file: ${what}`);
  };
  if (size < 8) bad(`only ${size} bytes`);
  const head = Buffer.alloc(8);
  await fh.read(head, 0, 8, 0);
  const n = Number(head.readBigUInt64LE(0));
  if (n > size - 8) bad(`header length ${n} exceeds the file size ${size}`);
  const json = Buffer.alloc(n);
  await fh.read(json, 0, n, 8);
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch (e) {
    bad(`header is not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('header is not a JSON object');
  const dataStart = 8 + n;
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const e = v as SafetensorsEntry;
    if (!e || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets)) bad(`tensor "${name}" has no dtype, shape and data_offsets`);
    const [b, end] = e.data_offsets;
    if (!Number.isInteger(b) || !Number.isInteger(end) || b < 0 || end < b || dataStart + end > size) bad(`tensor "${name}" data_offsets [${b}, ${end}] fall outside the file (truncated download?)`);
    entries.set(name, e);
  }
  return { entries, dataStart };
}

/** Which file holds each tensor: one model.safetensors, or the index's weight_map. */
async function weightFiles(dir: string): Promise<string[]> {
  const single = join(dir, WEIGHTS_FILE);
  const exists = async (p: string): Promise<boolean> => stat(p).then(() => true, () => false);
  if (await exists(single)) return [single];
  const index = join(dir, INDEX_FILE);
  if (!(await exists(index))) throw new Error(`${dir} has neither ${WEIGHTS_FILE} nor ${INDEX_FILE}; a model folder needs its weights in safetensors format (.bin/.pt checkpoints are not read)`);
  let map: unknown;
  try {
    map = (JSON.parse(await readFile(index, 'utf8')) as { weight_map?: unknown }).weight_map;
  } catch (e) {
    throw new Error(`${index} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof map !== 'object' || map === null) throw new Error(`${index} has no "weight_map" object`);
  const files = [...new Set(Object.values(map as Record<string, string>))];
  for (const f of files) if (typeof f !== 'string' || f.includes('/') || f.includes('\\') || f.startsWith('..')) throw new Error(`${index} names shard ${JSON.stringify(f)}; shards must be files in the model folder`);
  for (const f of files) if (!(await exists(join(dir, f)))) throw new Error(`${index} lists shard ${f}, which is missing from ${dir}`);
  return files.map((f) => join(dir, f));
}

let halves: Float32Array | undefined;
function halfTable(): Float32Array {
  if (!halves) {
    halves = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) halves[h] = halfToFloat(h);
  }
  return halves;
}

/** Reads one tensor into a fresh float32 array. */
async function readTensor(fh: FileHandle, at: Located, name: string, scratch: { buf: Buffer | null }): Promise<Float32Array> {
  const { entry, dataStart } = at;
  const width = WIDTH[entry.dtype];
  if (!width) throw new Error(`tensor "${name}" in ${at.file} is ${entry.dtype}; supported weight dtypes: F32, F16, BF16`);
  const n = numel(entry.shape);
  const bytes = entry.data_offsets[1] - entry.data_offsets[0];
  if (bytes !== n * width) throw new Error(`tensor "${name}" in ${at.file} spans ${bytes} bytes but ${entry.dtype}[${entry.shape.join(', ')}] needs ${n * width}`);
  const out = new Float32Array(n);
  const pos = dataStart + entry.data_offsets[0];
  if (entry.dtype === 'F32') {
    await readFully(fh, new Uint8Array(out.buffer), pos, at.file);
    return out;
  }
  scratch.buf ??= Buffer.alloc(CHUNK);
  const table = entry.dtype === 'F16' ? halfTable() : null;
  const bits = new Uint32Array(out.buffer);
  for (let done = 0; done < n; ) {
    const count = Math.min(n - done, CHUNK / 2);
    const chunk = scratch.buf.subarray(0, count * 2);
    await readFully(fh, chunk, pos + done * 2, at.file);
    const src = new Uint16Array(chunk.buffer, chunk.byteOffset, count);
    if (table) for (let i = 0; i < count; i++) out[done + i] = table[src[i]!]!;
    else for (let i = 0; i < count; i++) bits[done + i] = src[i]! << 16; // bfloat16 = the top half of a float32
    done += count;
  }
  return out;
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number, file: string): Promise<void> {
  for (let off = 0; off < into.byteLength; ) {
    const { bytesRead } = await fh.read(into, off, into.byteLength - off, position + off);
    if (bytesRead === 0) throw new Error(`${file} ended early (truncated download?)`);
    off += bytesRead;
  }
}

/** The weights of `dir` for config `c`, in hfParamSpecs order. */
export async function readHfWeights(dir: string, c: HfModelConfig, specs: readonly ParamSpec[] = hfParamSpecs(c)): Promise<LoadedWeights> {
  return readHfWeightFiles(await weightFiles(dir), c, specs, dir);
}

/** Tensor names and shapes of one safetensors file, from its header alone. */
export async function safetensorsShapes(file: string): Promise<Map<string, number[]>> {
  const fh = await open(file, 'r');
  try {
    return new Map([...(await readHeader(fh, file)).entries].map(([k, e]) => [k, e.shape]));
  } finally {
    await fh.close();
  }
}

/**
 * `specs` (HF names, or LoRA adapters under peft's names) from given safetensors files, e.g. a
 * run's trained policy.safetensors; `label` names them in errors.
 */
export async function readHfWeightFiles(files: readonly string[], c: HfModelConfig, specs: readonly ParamSpec[], label: string): Promise<LoadedWeights> {
  if (endianness() !== 'LE') throw new Error('safetensors reading assumes a little-endian machine');
  const dir = label;
  const handles = new Map<string, FileHandle>();
  try {
    const where = new Map<string, Located>();
    for (const file of files) {
      const fh = await open(file, 'r');
      handles.set(file, fh);
      const h = await readHeader(fh, file);
      for (const [name, entry] of h.entries) where.set(canonicalName(c, name), { file, entry, dataStart: h.dataStart });
    }
    const wanted = new Set(specs.map((s) => s.name));
    const unknown = [...where.keys()].filter((n) => !wanted.has(n) && !isIgnoredBuffer(n) && !(c.tied && n === 'lm_head.weight'));
    if (unknown.length) {
      throw new Error(`${dir}: ${unknown.length} tensor(s) have no place in a ${c.architecture} with this config.json: ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ', ...' : ''}. Expected names such as ${specs.slice(0, 4).map((s) => s.name).join(', ')}; check that config.json belongs to these weights`);
    }
    const missing = specs.filter((s) => !where.has(s.name)).map((s) => s.name);
    if (missing.length) throw new Error(`${dir}: ${missing.length} tensor(s) the config needs are missing from the weights: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}`);
    const params = new ParameterSet();
    const storedDtypes = new Map<string, SafetensorsDType>();
    const scratch = { buf: null as Buffer | null };
    for (const s of specs) {
      const at = where.get(s.name)!;
      if (at.entry.shape.join() !== s.shape.join()) throw new Error(`${at.file}: tensor "${s.name}" is [${at.entry.shape.join(', ')}] but config.json implies [${s.shape.join(', ')}]`);
      const data = await readTensor(handles.get(at.file)!, at, s.name, scratch);
      params.add(s.name, { dtype: 'float32', shape: [...s.shape], data });
      storedDtypes.set(s.name, at.entry.dtype);
    }
    return { params, storedDtypes, files: [...files] };
  } finally {
    await Promise.all([...handles.values()].map((h) => h.close()));
  }
}
