import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParams } from '../../server/src/engine/models/params';
import { umeConfig } from '../../server/src/engine/ume/config';
import { saveUmeWeights } from '../../server/src/engine/ume/weights';
import { umeMlm } from '../../scripts/ume/ume-mlm';
import { warmStart } from '../../scripts/ume/warm-start';

const small = umeConfig({ name: 'ume-test', hiddenSize: 16, numLayers: 1, numHeads: 4, intermediateSize: 40 });

test('a warm start takes every training parameter from the weights file (F16 as stored, widened)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warm-'));
  try {
    const trained = initParams(umeMlm(small).specs, 1);
    for (const storage of ['F32', 'F16'] as const) {
      const path = join(dir, `${storage}.safetensors`);
      await saveUmeWeights(path, small, trained, {}, { storage });
      const params = initParams(umeMlm(small).specs, 2);
      assert.match(await warmStart(params, path), /warm start from .*"hiddenSize":16/);
      for (const [name, t] of trained.entries()) {
        const got = params.get(name).data as Float32Array;
        const want = t.data as Float32Array;
        const tol = storage === 'F16' ? 1e-3 : 0;
        assert.ok(got.every((v, i) => Math.abs(v - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!))), `${name} (${storage})`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a weights file of another shape is refused, naming the tensor and what to pass', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warm-'));
  try {
    const path = join(dir, 'w.safetensors');
    await saveUmeWeights(path, small, initParams(umeMlm(small).specs, 1));
    const wider = umeConfig({ ...small, intermediateSize: 48 });
    await assert.rejects(warmStart(initParams(umeMlm(wider).specs, 2), path), /--init-weights .*w\.safetensors: \S+ is \d+x\d+ there and \d+x\d+ in this run; pass the --size the file was trained with/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
