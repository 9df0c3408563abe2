// The host half of a KV cache for decode graphs that take the whole cache as inputs and return only
// the new token's key and value (hf/kv-graphs.ts). Per layer: keys [rows, KV, dh, S] (transposed)
// and values [rows, KV, S, dh]; an additive key bias [rows, S]; S = longest prompt + the expected
// new tokens, grown by copying only if a caller runs past it. Prompts are left-padded, so every
// row writes the same slot at each step.
// Rows that finish leave the compute: live rows are packed into the first physical slots (a
// finished row's slot is refilled by moving ONE row from the end), and runs feed views of the
// first `rows` slots, never a copy. Buffers come from a KvArena, reused across generations.

import type { TensorData } from '../../onnx/ir';
import { MASK_NEG } from '../../models/blocks';
import { KvArena } from '../tiny/kv-arena';

export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
}

export class HostKvCache {
  /** Rows still generating. */
  rows: number;
  /** Slots per row (S). */
  capacity: number;
  /** The slot the next token's key and value go to (the same for every row). */
  slot: number;
  /** Physical slot of each row, in the generation loop's order. */
  phys: Int32Array;
  keys: Float32Array[] = [];
  values: Float32Array[] = [];
  bias: Float32Array;
  /** Per physical row: position of the next token fed. */
  positions: Int32Array;

  /**
   * A cache for prompts of these lengths, filled from prefill outputs: keysT[l] [N, KV, dh, P] and
   * values[l] [N, KV, P, dh] with the prompts left-padded to P.
   */
  constructor(
    private readonly shape: KvShape,
    lengths: readonly number[],
    expectedNewTokens: number,
    keysT: readonly Float32Array[],
    values: readonly Float32Array[],
    private readonly arena: KvArena = new KvArena(),
  ) {
    const N = lengths.length;
    const P = Math.max(...lengths);
    const S = P + Math.max(1, expectedNewTokens);
    const { kvHeads: KV, headDim: dh } = shape;
    this.rows = N;
    this.capacity = S;
    this.slot = P;
    this.phys = Int32Array.from({ length: N }, (_, i) => i);
    this.positions = Int32Array.from(lengths);
    this.bias = arena.take(0, N * S).fill(MASK_NEG);
    lengths.forEach((n, b) => this.bias.fill(0, b * S + (P - n), b * S + P));
    for (let l = 0; l < shape.layers; l++) {
      const kT = keysT[l]!;
      const v = values[l]!;
      const K = arena.take(1 + 2 * l, N * KV * dh * S);
      const Vb = arena.take(2 + 2 * l, N * KV * S * dh);
      for (let r = 0; r < N * KV * dh; r++) K.set(kT.subarray(r * P, (r + 1) * P), r * S);
      for (let r = 0; r < N * KV; r++) Vb.set(v.subarray(r * P * dh, (r + 1) * P * dh), r * S * dh);
      this.keys.push(K);
      this.values.push(Vb);
    }
  }

  /** Feeds of the live rows: key_bias and each layer's past keys and values (views). */
  feeds(pastKey: (l: number) => string, pastValue: (l: number) => string): Record<string, TensorData> {
    const n = this.rows;
    const S = this.capacity;
    const { kvHeads: KV, headDim: dh } = this.shape;
    const out: Record<string, TensorData> = { key_bias: { dtype: 'float32', shape: [n, S], data: this.bias.subarray(0, n * S) } };
    for (let l = 0; l < this.shape.layers; l++) {
      out[pastKey(l)] = { dtype: 'float32', shape: [n, KV, dh, S], data: this.keys[l]!.subarray(0, n * KV * dh * S) };
      out[pastValue(l)] = { dtype: 'float32', shape: [n, KV, S, dh], data: this.values[l]!.subarray(0, n * KV * S * dh) };
    }
    return out;
  }

  /** Writes the new token's key [n, KV, dh] and value of layer l (physical row order) into the current slot. */
  write(l: number, k: Float32Array, v: Float32Array): void {
    const S = this.capacity;
    const s = this.slot;
    const dh = this.shape.headDim;
    const K = this.keys[l]!;
    const Vb = this.values[l]!;
    for (let r = 0; r < this.rows * this.shape.kvHeads; r++) {
      const src = r * dh;
      const vAt = (r * S + s) * dh;
      for (let c = 0; c < dh; c++) {
        K[(src + c) * S + s] = k[src + c]!;
        Vb[vAt + c] = v[src + c]!;
      }
    }
  }

  /** After a step's writes: the slot becomes visible and every row's position advances. */
  advance(): void {
    const S = this.capacity;
    for (let p = 0; p < this.rows; p++) {
      this.bias[p * S + this.slot] = 0;
      this.positions[p]!++;
    }
    this.slot++;
  }

  /** Keeps the listed rows (indices into the previous order, increasing), packed into physical slots 0..keep.length-1. */
  keep(keep: readonly number[]): void {
    keep.forEach((k, i) => {
      if (!Number.isInteger(k) || k < 0 || k >= this.rows || (i > 0 && k <= keep[i - 1]!)) throw new Error(`step: keep must list rows of the previous call (0..${this.rows - 1}) in increasing order, got [${keep.join(', ')}]`);
    });
    const n = keep.length;
    const phys = Int32Array.from(keep, (k) => this.phys[k]!);
    const used = new Set(phys);
    const free: number[] = [];
    for (let p = 0; p < n; p++) if (!used.has(p)) free.push(p);
    for (let j = 0; j < n; j++) {
      if (phys[j]! < n) continue;
      const to = free.pop()!;
      this.moveRow(phys[j]!, to);
      phys[j] = to;
    }
    this.phys = phys;
    this.rows = n;
    if (this.slot >= this.capacity) this.grow(this.capacity + Math.max(16, this.capacity >> 1));
  }

  private moveRow(from: number, to: number): void {
    const S = this.capacity;
    const row = this.shape.kvHeads * this.shape.headDim * S;
    for (const buf of [...this.keys, ...this.values]) buf.copyWithin(to * row, from * row, (from + 1) * row);
    this.bias.copyWithin(to * S, from * S, (from + 1) * S);
    this.positions[to] = this.positions[from]!;
  }

  /** Reallocates every buffer with S2 slots per row. */
  private grow(S2: number): void {
    const S = this.capacity;
    const rowsAlloc = this.bias.length / S;
    const { kvHeads: KV, headDim: dh } = this.shape;
    this.keys = this.keys.map((K, l) => {
      const out = new Float32Array(rowsAlloc * KV * dh * S2);
      for (let r = 0; r < rowsAlloc * KV * dh; r++) out.set(K.subarray(r * S, (r + 1) * S), r * S2);
      this.arena.put(1 + 2 * l, out);
      return out;
    });
    this.values = this.values.map((Vb, l) => {
      const out = new Float32Array(rowsAlloc * KV * S2 * dh);
      for (let r = 0; r < rowsAlloc * KV; r++) out.set(Vb.subarray(r * S * dh, (r + 1) * S * dh), r * S2 * dh);
      this.arena.put(2 + 2 * l, out);
      return out;
    });
    const bias = new Float32Array(rowsAlloc * S2).fill(MASK_NEG);
    for (let r = 0; r < rowsAlloc; r++) bias.set(this.bias.subarray(r * S, (r + 1) * S), r * S2);
    this.arena.put(0, bias);
    this.bias = bias;
    this.capacity = S2;
  }
}
