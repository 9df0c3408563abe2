import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { tensorData } from '../onnx/ir';

/** Hand-built file: header JSON padded to 8 bytes, then data (independent of the encoder). */
function handBuilt(header: object, data: Buffer): Buffer {
  let json = JSON.stringify(header);
  while (json.length % 8 !== 0) json += ' ';
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json), data]);
}

test('round trip keeps names, order, shapes, values and metadata; header is 8-byte aligned', () => {
  const a = tensorData('float32', [2, 3], [1, -2.5, 3, 4, 5e-8, 6]);
  const b = tensorData('int64', [3], [7, -8, 9]);
  const c = tensorData('float64', [1], [Math.PI]);
  const buf = Buffer.concat(encodeSafetensors([['a', a], ['odd.name/x', b], ['c', c]], { step: '12' }));
  const n = Number(buf.readBigUInt64LE(0));
  assert.equal(n % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  assert.deepEqual(header['a'], { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
  assert.deepEqual(header['odd.name/x'], { dtype: 'I64', shape: [3], data_offsets: [24, 48] });
  assert.deepEqual(header.__metadata__, { step: '12' });
  const d = decodeSafetensors(buf);
  assert.deepEqual([...d.tensors.keys()], ['a', 'odd.name/x', 'c']);
  assert.deepEqual(d.tensors.get('a')!.data, a.data);
  assert.deepEqual(d.tensors.get('odd.name/x')!.data, b.data);
  assert.equal((d.tensors.get('c')!.data as Float64Array)[0], Math.PI);
  assert.deepEqual(d.metadata, { step: '12' });
});

test('reads BF16 (widened to float32), I32 and a misaligned F64 from a hand-built file', () => {
  // bf16 0x3FC0 = 1.5, 0xC000 = -2; i32 -3; then f64 at byte offset 8 (aligned) -- and a 1-byte u8 first
  // in a second file to force a misaligned f64.
  const data = Buffer.alloc(4 + 4 + 8);
  data.writeUInt16LE(0x3fc0, 0);
  data.writeUInt16LE(0xc000, 2);
  data.writeInt32LE(-3, 4);
  data.writeDoubleLE(0.1, 8);
  const file = handBuilt(
    {
      h: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] },
      i: { dtype: 'I32', shape: [], data_offsets: [4, 8] },
      d: { dtype: 'F64', shape: [1, 1], data_offsets: [8, 16] },
    },
    data,
  );
  const d = decodeSafetensors(file);
  assert.equal(d.tensors.get('h')!.dtype, 'float32');
  assert.equal(d.tensors.get('h')!.storedDtype, 'BF16');
  assert.deepEqual(Array.from(d.tensors.get('h')!.data as Float32Array), [1.5, -2]);
  assert.deepEqual(Array.from(d.tensors.get('i')!.data as Int32Array), [-3]);
  assert.deepEqual(d.tensors.get('i')!.shape, []);
  assert.deepEqual(Array.from(d.tensors.get('d')!.data as Float64Array), [0.1]);

  const mis = Buffer.alloc(9);
  mis.writeUInt8(5, 0);
  mis.writeDoubleLE(-7.25, 1);
  const f2 = handBuilt({ u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, d: { dtype: 'F64', shape: [1], data_offsets: [1, 9] } }, mis);
  assert.deepEqual(Array.from(decodeSafetensors(f2).tensors.get('d')!.data as Float64Array), [-7.25]);
});

test('truncated or inconsistent files are refused with the reason', () => {
  const buf = Buffer.concat(encodeSafetensors([['a', tensorData('float32', [4], [1, 2, 3, 4])]]));
  assert.throws(() => decodeSafetensors(buf.subarray(0, buf.length - 3), 'model.safetensors'), /model.safetensors is not a valid safetensors file: .*outside.*truncated/);
  assert.throws(() => decodeSafetensors(buf.subarray(0, 5)), /only 5 bytes/);
  const wrong = handBuilt({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8));
  assert.throws(() => decodeSafetensors(wrong), /spans 8 bytes but F32\[3\] needs 12/);
  const overlap = handBuilt(
    { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
    Buffer.alloc(8),
  );
  assert.throws(() => decodeSafetensors(overlap), /overlap/);
});
