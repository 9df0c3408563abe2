// TensorData <-> ort.Tensor without copying: both sides wrap the same typed array.
// bool is one byte per element on both sides (Uint8Array); int64 is a BigInt64Array;
// float16 travels as raw Uint16Array bits.

import type { DType, TensorData } from '../ir';
import { ort, type OrtTensor } from './ort';

const ORT_TYPE: Record<DType, string> = {
  float32: 'float32',
  float64: 'float64',
  float16: 'float16',
  int64: 'int64',
  int32: 'int32',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

const FROM_ORT: Record<string, DType> = Object.fromEntries(Object.entries(ORT_TYPE).map(([k, v]) => [v, k as DType]));

export function ortTypeOf(dtype: DType): string {
  return ORT_TYPE[dtype];
}

export function dtypeFromOrt(type: string): DType | undefined {
  return FROM_ORT[type];
}

/** Wraps tensor data as an ort.Tensor sharing the same memory. */
export function toOrtTensor(t: TensorData): OrtTensor {
  // The constructor's overloads are keyed by literal type names; the pairing is checked by ORT_TYPE.
  return new ort.Tensor(ORT_TYPE[t.dtype] as 'float32', t.data as Float32Array, t.shape);
}

/** Views an ort.Tensor as TensorData sharing the same memory. */
export function fromOrtTensor(t: OrtTensor, name: string): TensorData {
  const dtype = FROM_ORT[t.type];
  if (!dtype) throw new Error(`output "${name}" has ONNX Runtime type ${t.type}, which the engine does not handle (supported: ${Object.keys(FROM_ORT).join(', ')})`);
  return { dtype, shape: [...t.dims], data: t.data as TensorData['data'] };
}
