import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initParams } from '../../server/src/engine/models/params';
import { bertConfigOf } from '../../server/src/engine/ume/encoder';
import { bertParamSpecs } from '../../server/src/engine/models/bert';
import { umeConfig } from '../../server/src/engine/ume/config';
import { applyOffsetInit, defaultOffsetInit } from '../../scripts/ume/offset-init';
import { posembSincos1d } from './reference';

// With the structured init, head h's positional attention score q_i . k_t peaks at t = i + o_h
// (computed here from lobster's own sinusoid formula, not the graph's).
test('offset init: each head scores the key at its offset highest; token embeddings leave those channels', () => {
  const c = umeConfig({ name: 'x', numLayers: 1, hiddenSize: 64, numHeads: 8, intermediateSize: 128 });
  const params = initParams(bertParamSpecs(bertConfigOf(c)), 3);
  const init = defaultOffsetInit(c);
  assert.deepEqual(init.offsets, [-4, -3, -2, -1, 1, 2, 3, 4]);
  applyOffsetInit(params, c, init);
  const H = c.hiddenSize;
  const dh = H / c.numHeads;
  const W = params.get('encoder.layers.0.attn.Wqkv.weight').data as Float32Array;
  const L = 120;
  const pe = posembSincos1d(L, H, c.posTemperature);
  const proj = (row: number, col0: number) => Array.from({ length: dh }, (_, j) => pe.data.subarray(row * H, (row + 1) * H).reduce((s, x, r) => s + x * W[r * 3 * H + col0 + j]!, 0));
  for (let h = 0; h < c.numHeads; h++) {
    for (const i of [10, 57, 100]) {
      const q = proj(i, h * dh);
      const scores = Array.from({ length: L }, (_, t) => proj(t, H + h * dh).reduce((s, k, j) => s + k * q[j]!, 0));
      const best = scores.indexOf(Math.max(...scores));
      assert.equal(best, i + init.offsets[h]!, `head ${h} (offset ${init.offsets[h]}) at query ${i}`);
      const sorted = [...scores].sort((a, b) => b - a);
      assert.ok(sorted[0]! - sorted[1]! > 0.5, `head ${h} at ${i}: a clear peak (${sorted[0]} vs ${sorted[1]})`);
    }
  }
  const E = params.get('embeddings.tok_embeddings.weight').data as Float32Array;
  for (const f of init.freqs) assert.equal(E[37 * H + f], 0);
});
