// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes
// of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}), then the
// raw little-endian tensor bytes, offsets relative to the end of the header. Like the reference
// writer we pad the header with spaces so the data starts 8-byte aligned.
// Reading yields TensorData: BF16 is widened to float32 (lossless), F16 stays raw uint16 bits.

import { endianness } from 'node:os';
import { numel, type DType, type TensorData } from '../onnx/ir';

export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

const WRITE_DTYPE: Partial<Record<DType, SafetensorsDType>> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  data_offsets: [number, number];
}

export interface LoadedTensor extends TensorData {
  /** The dtype as stored in the file (e.g. BF16 for a tensor widened to float32). */
  storedDtype: SafetensorsDType;
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('safetensors I/O assumes a little-endian machine; this one is big-endian');
}

/**
 * Encodes tensors as a safetensors file, returned as chunks (header first) so large checkpoints are
 * written without concatenating everything into one buffer. Chunks view the tensors' memory.
 */
export function encodeSafetensors(tensors: Iterable<readonly [string, TensorData]>, metadata: Record<string, string> = {}): Buffer[] {
  assertLittleEndian();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors metadata "${k}" must be a string, got ${typeof v}`);
    }
    header['__metadata__'] = metadata;
  }
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__' || name in header) throw new Error(`safetensors: duplicate or reserved tensor name "${name}"`);
    const dtype = WRITE_DTYPE[t.dtype];
    if (!dtype) throw new Error(`safetensors: cannot write tensor "${name}" of dtype ${t.dtype}`);
    const bytes = numel(t.shape) * BYTES[dtype];
    if (t.data.byteLength !== bytes) {
      throw new Error(`safetensors: tensor "${name}" of shape [${t.shape.join(', ')}] has ${t.data.byteLength} bytes, expected ${bytes}`);
    }
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    chunks.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const len = Buffer.byteLength(json);
  json += ' '.repeat((8 - (len % 8)) % 8);
  const jsonBytes = Buffer.from(json, 'utf8');
  const head = Buffer.alloc(8 + jsonBytes.length);
  head.writeBigUInt64LE(BigInt(jsonBytes.length), 0);
  jsonBytes.copy(head, 8);
  return [head, ...chunks];
}

export interface SafetensorsHeader {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file. */
  dataStart: number;
}

/** Parses and validates the header (offsets inside the file, sizes matching shapes, no overlaps). */
export function parseSafetensorsHeader(buf: Uint8Array, source = 'safetensors file'): SafetensorsHeader {
  const bad = (what: string): never => {
    throw new Error(`${source} is not a valid safetensors file: ${what}`);
  };
  if (buf.byteLength < 8) bad(`only ${buf.byteLength} bytes`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > buf.byteLength - 8) bad(`header length ${n} exceeds the file size ${buf.byteLength}`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8'));
  } catch (e) {
    bad(`header is not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = buf.byteLength - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as Partial<SafetensorsEntry>;
    if (!e || typeof e.dtype !== 'string' || !(e.dtype in BYTES)) bad(`tensor "${name}" has unsupported dtype ${JSON.stringify(e?.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) bad(`tensor "${name}" has an invalid shape`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !Number.isInteger(off[0]) || !Number.isInteger(off[1])) bad(`tensor "${name}" has invalid data_offsets`);
    const [b, end] = off as [number, number];
    if (b < 0 || end < b || end > dataLen) bad(`tensor "${name}" data_offsets [${b}, ${end}] fall outside the ${dataLen}-byte data section (truncated file?)`);
    const want = numel(e.shape as number[]) * BYTES[e.dtype as SafetensorsDType];
    if (end - b !== want) bad(`tensor "${name}" spans ${end - b} bytes but ${e.dtype}[${(e.shape as number[]).join(', ')}] needs ${want}`);
    entries.set(name, { dtype: e.dtype as SafetensorsDType, shape: e.shape as number[], data_offsets: [b, end] });
  }
  const spans = [...entries.entries()].sort((x, y) => x[1].data_offsets[0] - y[1].data_offsets[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![1].data_offsets[0] < spans[i - 1]![1].data_offsets[1]) bad(`tensors "${spans[i - 1]![0]}" and "${spans[i]![0]}" overlap`);
  }
  return { entries, metadata, dataStart };
}

/** Copies (or views, when aligned) one tensor's bytes as TensorData. */
function tensorFrom(buf: Uint8Array, start: number, e: SafetensorsEntry): LoadedTensor {
  const bytes = e.data_offsets[1] - e.data_offsets[0];
  const n = numel(e.shape);
  const abs = buf.byteOffset + start + e.data_offsets[0];
  const width = BYTES[e.dtype];
  // Typed arrays need element-aligned offsets; copy to a fresh buffer when the file layout is not.
  const ab = abs % width === 0 ? buf.buffer : buf.buffer.slice(abs, abs + bytes);
  const at = abs % width === 0 ? abs : 0;
  const shape = [...e.shape];
  if (e.dtype === 'BF16') {
    // bfloat16 is the top half of a float32: widen by shifting the bits up.
    const src = new Uint16Array(ab, at, n);
    const out = new Float32Array(n);
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
    return { dtype: 'float32', shape, data: out, storedDtype: e.dtype };
  }
  if (e.dtype === 'I16') return { dtype: 'int32', shape, data: Int32Array.from(new Int16Array(ab, at, n)), storedDtype: e.dtype };
  const [dtype, View] = VIEWS[e.dtype];
  return { dtype, shape, data: new View(ab, at, n), storedDtype: e.dtype };
}

type ViewCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TensorData['data'];

/** Dtypes read as views of the file's bytes (BF16 and I16 are converted instead). */
const VIEWS: Record<Exclude<SafetensorsDType, 'BF16' | 'I16'>, [DType, ViewCtor]> = {
  F32: ['float32', Float32Array],
  F64: ['float64', Float64Array],
  F16: ['float16', Uint16Array],
  I64: ['int64', BigInt64Array],
  I32: ['int32', Int32Array],
  I8: ['int8', Int8Array],
  U8: ['uint8', Uint8Array],
  BOOL: ['bool', Uint8Array],
};

export interface DecodedSafetensors {
  tensors: Map<string, LoadedTensor>;
  metadata: Record<string, string>;
}

/** Decodes a whole safetensors file held in memory. Tensors may view `buf`'s memory. */
export function decodeSafetensors(buf: Uint8Array, source?: string): DecodedSafetensors {
  assertLittleEndian();
  const h = parseSafetensorsHeader(buf, source);
  const tensors = new Map<string, LoadedTensor>();
  for (const [name, e] of h.entries) tensors.set(name, tensorFrom(buf, h.dataStart, e));
  return { tensors, metadata: h.metadata };
}
