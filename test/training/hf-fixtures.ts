// What the Hugging Face training tests (hf-train, hf-resume, hf-lora-gpt2) share: their reward, a
// hash of a model folder (to show it is never written), a run's saved tensors, and a max difference.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors } from '../../server/src/engine/checkpoint/safetensors';
import type { TensorData } from '../../server/src/engine/onnx/ir';

/** UME (abstains on most random text, as it should) plus a length target random completions miss by different amounts, so every group has reward differences to learn from. */
export const HF_REWARD = { aggregation: 'weighted_sum', components: [{ name: 'ume', type: 'ume' }, { name: 'len', type: 'length', params: { target: 12, tolerance: 4 } }] };

/** sha256 over a folder's file names and bytes. */
export function folderHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

/** The tensors of a safetensors file, by name. */
export function safetensorsTensors(file: string): Map<string, TensorData> {
  const buf = readFileSync(file);
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  return new Map([...decodeSafetensors(bytes, file).tensors].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: t.data } as TensorData]));
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
