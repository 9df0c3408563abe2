import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../checkpoint/safetensors';
import type { TensorData } from '../onnx/ir';
import { compile } from '../onnx/runtime';
import { tensorData } from '../onnx/ir';
import { initParams } from '../models/params';
import { bertParamSpecs } from '../models/bert';
import { umeConfig, type UmeConfig } from './config';
import { bertConfigOf, buildUmeGraph } from './encoder';
import {
  canonicalLobsterName,
  floatToHalf,
  halfToFloat,
  inferConfig,
  loadUmeWeights,
  lobsterTensorSpecs,
  saveUmeWeights,
  toLobsterTensors,
  umeWeightsFromTensors,
  UmeWeightsError,
} from './weights';

const C: UmeConfig = umeConfig({ name: 'ume-test', hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 16 });

async function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ume-weights-'));
  try {
    return await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Random parameters whose values (k/64) are exact in F16 and BF16. */
function exactParams(seed: number) {
  const p = initParams(bertParamSpecs(bertConfigOf(C)), seed);
  for (const [, t] of p.entries()) {
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = Math.max(-2, Math.min(2, Math.round((d[i]! + (i % 3) * 0.1) * 64) / 64)) || 1 / 64;
  }
  return p;
}

test('lobster names: canonical Ume state_dict names, torch [out, in] layout, lobster module order', () => {
  const specs = lobsterTensorSpecs(C);
  assert.deepEqual(specs.slice(0, 4).map((s) => [s.name, s.shape]), [
    ['model.model.embeddings.tok_embeddings.weight', [1280, 8]],
    ['model.model.embeddings.norm.weight', [8]],
    ['model.model.encoder.layers.0.attn_norm.weight', [8]],
    ['model.model.encoder.layers.0.attn.Wqkv.weight', [24, 8]],
  ]);
  assert.deepEqual(specs.slice(-4).map((s) => [s.name, s.shape]), [
    ['model.decoder.0.dense.weight', [8, 8]],
    ['model.decoder.0.norm.weight', [8]],
    ['model.decoder.1.weight', [1280, 8]],
    ['model.decoder.1.bias', [1280]],
  ]);
  assert.equal(specs.find((s) => s.name.endsWith('layers.1.mlp.Wi.weight'))!.shape.join(), '16,8');
});

test('prefix variants of Lightning, FlexBERT, FlexBertModel, DDP, torch.compile and HF head names map to lobster names', () => {
  const cases: Array<[string, string | undefined]> = [
    ['model.model.encoder.layers.3.attn.Wqkv.weight', 'model.model.encoder.layers.3.attn.Wqkv.weight'],
    ['model.encoder.layers.3.attn.Wqkv.weight', 'model.model.encoder.layers.3.attn.Wqkv.weight'],
    ['encoder.layers.3.mlp.Wo.weight', 'model.model.encoder.layers.3.mlp.Wo.weight'],
    ['module._orig_mod.model.model.embeddings.norm.weight', 'model.model.embeddings.norm.weight'],
    ['state_dict.model.decoder.1.bias', 'model.decoder.1.bias'],
    ['decoder.0.dense.weight', 'model.decoder.0.dense.weight'],
    ['head.norm.weight', 'model.decoder.0.norm.weight'],
    ['decoder.weight', 'model.decoder.1.weight'],
    ['model.model.embeddings.position_ids', undefined],
    ['optimizer.exp_avg', undefined],
  ];
  for (const [from, to] of cases) assert.equal(canonicalLobsterName(from), to, from);
});

test('save -> load round trip: same parameters, config from metadata, same model outputs', async () => {
  await withDir(async (dir) => {
    const params = exactParams(1);
    const path = join(dir, 'ume.safetensors');
    await saveUmeWeights(path, C, params);
    const { tensors, metadata } = decodeSafetensors(await readFile(path));
    assert.deepEqual([...tensors.keys()], lobsterTensorSpecs(C).map((s) => s.name));
    assert.equal(metadata['format'], 'ume-studio-ume-weights');
    const loaded = await loadUmeWeights(path);
    assert.deepEqual(loaded.config, C);
    for (const [name, t] of params.entries()) assert.deepEqual(loaded.params.get(name), t, name);
    // Same outputs from the model built on the loaded weights.
    const feeds = { input_ids: tensorData('int64', [1, 5], [1, 30, 42, 41, 4]), attention_mask: tensorData('int64', [1, 5], [1, 1, 1, 1, 1]) };
    const run = async (p: typeof params) => {
      const m = await compile(buildUmeGraph(C, p, { outputs: ['observed_logprob'] }), { device: 'cpu', threads: 1 });
      const out = Array.from((await m.run(feeds))['observed_logprob']!.data as Float32Array);
      await m.release();
      return out;
    };
    assert.deepEqual(await run(loaded.params), await run(params));
  });
});


/** A safetensors file by hand (the writer has no BF16 input type). */
function rawFile(entries: Array<{ name: string; dtype: string; shape: number[]; bytes: Uint8Array }>): Buffer {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.byteLength] };
    off += e.bytes.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...entries.map((e) => Buffer.from(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength))]);
}

test('BF16 and F16 files load as float32 with FlexBERT-level names (as FlexBERT.state_dict() saves them)', async () => {
  await withDir(async (dir) => {
    const params = exactParams(2);
    const lobster = toLobsterTensors(C, params);
    for (const dtype of ['BF16', 'F16'] as const) {
      const entries = lobster.map(([name, t]) => {
        const f = t.data as Float32Array;
        const u16 = new Uint16Array(f.length);
        const bits = new Uint32Array(f.buffer, f.byteOffset, f.length);
        for (let i = 0; i < f.length; i++) u16[i] = dtype === 'BF16' ? bits[i]! >>> 16 : floatToHalf(f[i]!);
        return { name: name.replace(/^model\./, ''), dtype, shape: t.shape, bytes: new Uint8Array(u16.buffer) };
      });
      const path = join(dir, `${dtype}.safetensors`);
      await writeFile(path, rawFile(entries));
      const loaded = await loadUmeWeights(path, { config: C });
      assert.deepEqual(loaded.report.storedDtypes, [dtype === 'BF16' ? 'BF16' : 'F16']);
      assert.equal(loaded.report.renamed, lobster.length);
      for (const [name, t] of params.entries()) assert.deepEqual(Array.from(loaded.params.get(name).data as Float32Array), Array.from(t.data as Float32Array), `${dtype} ${name}`);
    }
  });
});

test('stored weights (F16 or F32, torch layout) baked in as the file holds them run exactly like float32 params', async () => {
  await withDir(async (dir) => {
    const params = initParams(bertParamSpecs(bertConfigOf(C)), 4);
    const feeds = { input_ids: tensorData('int64', [2, 5], [1, 30, 42, 41, 4, 1, 33, 40, 4, 0]), attention_mask: tensorData('int64', [2, 5], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]) };
    const run = async (source: Parameters<typeof buildUmeGraph>[1]) => {
      const m = await compile(buildUmeGraph(C, source, { outputs: ['observed_logprob'] }), { device: 'cpu', threads: 1 });
      const out = Array.from((await m.run(feeds))['observed_logprob']!.data as Float32Array);
      await m.release();
      return out;
    };
    for (const storage of ['F32', 'F16'] as const) {
      const path = join(dir, `${storage}.safetensors`);
      await saveUmeWeights(path, C, params, {}, { storage });
      const loaded = await loadUmeWeights(path);
      const stored = loaded.stored!;
      assert.equal(stored.get('encoder.layers.0.mlp.Wi.weight')!.transposed, true);
      assert.equal(stored.get('embeddings.norm.weight')!.transposed, false);
      assert.equal(stored.get('encoder.layers.0.mlp.Wi.weight')!.data.dtype, storage === 'F16' ? 'float16' : 'float32');
      const viaOrt = await run(stored);
      assert.deepEqual(viaOrt, await run(loaded.params), storage);
      assert.ok(viaOrt.every(Number.isFinite));
    }
    // A stored tensor of the wrong shape is named, as for params.
    const loaded = await loadUmeWeights(join(dir, 'F16.safetensors'));
    const bad = new Map(loaded.stored!);
    bad.set('encoder.layers.0.mlp.Wo.weight', { ...bad.get('encoder.layers.0.mlp.Wo.weight')!, transposed: false });
    assert.throws(() => buildUmeGraph(C, bad, { outputs: ['observed_logprob'] }), /"encoder\.layers\.0\.mlp\.Wo\.weight" has shape \[8, 16\] but the model config needs \[16, 8\]/);
  });
});

test('mismatches are listed together: missing, wrong shape, unexpected, duplicate, integer dtype', () => {
  const lobster = new Map<string, TensorData>(toLobsterTensors(C, exactParams(3)));
  lobster.delete('model.decoder.1.bias');
  lobster.set('model.model.encoder.layers.1.mlp.Wi.weight', tensorData('float32', [8, 16], new Array<number>(128).fill(0)));
  lobster.set('model.model.embeddings.norm.weight', tensorData('int64', [8], new Array<number>(8).fill(1)));
  lobster.set('extra.classifier.weight', tensorData('float32', [2], [0, 0]));
  lobster.set('model.decoder.0.norm.weight', tensorData('float32', [8], new Array<number>(8).fill(1)));
  lobster.set('head.norm.weight', tensorData('float32', [8], new Array<number>(8).fill(1)));
  let err: unknown;
  try {
    umeWeightsFromTensors(lobster, {}, { config: C, source: 'bad.safetensors' });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof UmeWeightsError);
  const text = err.message;
  assert.match(text, /^bad\.safetensors does not hold UME weights/);
  assert.match(text, /missing tensor "model\.decoder\.1\.bias" \(expected float32\[1280\]\)/);
  assert.match(text, /"model\.model\.encoder\.layers\.1\.mlp\.Wi\.weight": shape \[8, 16\] in the checkpoint vs \[16, 8\] expected/);
  assert.match(text, /"model\.model\.embeddings\.norm\.weight": dtype int64/);
  assert.match(text, /unexpected tensor "extra\.classifier\.weight"/);
  assert.match(text, /"head\.norm\.weight" and "model\.decoder\.0\.norm\.weight" both map to/);
  assert.equal(err.problems.length, 5);
  // allowUnexpected skips extra tensors only.
  const ok = new Map<string, TensorData>(toLobsterTensors(C, exactParams(3)));
  ok.set('model.model.embeddings.position_ids', tensorData('int64', [4], [0, 1, 2, 3]));
  assert.throws(() => umeWeightsFromTensors(ok, {}, { config: C }), /unexpected tensor "model\.model\.embeddings\.position_ids"/);
  assert.equal(umeWeightsFromTensors(ok, {}, { config: C, allowUnexpected: true }).params.size, lobsterTensorSpecs(C).length);
});

test('config inference without metadata: published widths give the heads; others ask for a config', () => {
  const shapes = (hidden: number, ffn: number, layers: number) => {
    const m = new Map<string, TensorData>();
    const fake = (shape: number[]): TensorData => ({ dtype: 'float32', shape, data: new Float32Array(0) });
    m.set('model.model.embeddings.tok_embeddings.weight', fake([1280, hidden]));
    for (let i = 0; i < layers; i++) m.set(`model.model.encoder.layers.${i}.mlp.Wi.weight`, fake([ffn, hidden]));
    return m;
  };
  const mini = inferConfig(shapes(384, 1536, 6), {}, 'f');
  assert.deepEqual([mini.name, mini.numHeads, mini.numLayers, mini.intermediateSize], ['ume-mini', 6, 6, 1536]);
  assert.equal(inferConfig(shapes(1728, 6912, 24), {}, 'f').numHeads, 24);
  assert.throws(() => inferConfig(shapes(100, 400, 2), {}, 'f'), /hidden size 100 is not one of the published UME sizes.*numHeads/);
  assert.throws(() => inferConfig(new Map(), {}, 'f'), /cannot infer the model size/);
});

test('a .ckpt path gets the conversion advice; half floats decode exactly', async () => {
  await withDir(async (dir) => {
    const p = join(dir, 'ume.ckpt');
    await writeFile(p, encodeSafetensors([]));
    await assert.rejects(loadUmeWeights(p), /PyTorch pickle; convert it once to safetensors/);
    await assert.rejects(loadUmeWeights(join(dir, 'missing.safetensors')), /cannot read UME weights/);
  });
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test('floatToHalf: every finite half round-trips; midpoints tie to even; nudges go to the nearer side', () => {
  const below = (x: number) => {
    const f = new Float32Array([x]);
    const u = new Uint32Array(f.buffer);
    u[0] = u[0]! - 1; // x > 0 here: one float32 ulp down
    return f[0]!;
  };
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) === 0x7c00) continue;
    assert.equal(floatToHalf(halfToFloat(h)), h, `half 0x${h.toString(16)}`);
  }
  for (let h = 0; h < 0x7bff; h++) {
    const a = halfToFloat(h);
    const b = halfToFloat(h + 1);
    const mid = (a + b) / 2; // exact in float32: one more significant bit than a half
    assert.equal(floatToHalf(mid), h & 1 ? h + 1 : h, `midpoint after 0x${h.toString(16)}`);
    assert.equal(floatToHalf(below(mid)), h, `just below the midpoint after 0x${h.toString(16)}`);
    assert.equal(floatToHalf(-mid), 0x8000 | (h & 1 ? h + 1 : h));
  }
  assert.equal(floatToHalf(65504), 0x7bff);
  assert.equal(floatToHalf(65520), 0x7c00); // the midpoint to the next binade rounds to Infinity
  assert.equal(floatToHalf(2 ** -26), 0); // below half the smallest subnormal
  assert.equal(floatToHalf(Infinity), 0x7c00);
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
});

test('F16 storage: half the bytes, loads as float32 within half precision, refuses out-of-range values', async () => {
  await withDir(async (dir) => {
    const params = initParams(bertParamSpecs(bertConfigOf(C)), 3);
    const f32 = join(dir, 'f32.safetensors');
    const f16 = join(dir, 'f16.safetensors');
    await saveUmeWeights(f32, C, params);
    await saveUmeWeights(f16, C, params, {}, { storage: 'F16' });
    const [b32, b16] = [(await readFile(f32)).byteLength, (await readFile(f16)).byteLength];
    assert.ok(b16 < b32 * 0.55, `F16 file ${b16} bytes vs F32 ${b32}`);
    const loaded = await loadUmeWeights(f16);
    assert.deepEqual(loaded.report.storedDtypes, ['F16']);
    let changed = 0;
    for (const [name, t] of params.entries()) {
      const want = t.data as Float32Array;
      const got = loaded.params.get(name).data as Float32Array;
      for (let i = 0; i < want.length; i++) {
        assert.ok(Math.abs(got[i]! - want[i]!) <= Math.max(Math.abs(want[i]!) * 2 ** -11, 2 ** -25), `${name}[${i}] ${got[i]} vs ${want[i]}`);
        if (got[i] !== want[i]) changed++;
      }
    }
    assert.ok(changed > 0, 'random float32 weights should not all be exact halves');
    const big = initParams(bertParamSpecs(bertConfigOf(C)), 3);
    (big.get([...big.entries()][0]![0]).data as Float32Array)[0] = 1e6;
    await assert.rejects(saveUmeWeights(join(dir, 'big.safetensors'), C, big, {}, { storage: 'F16' }), /F16 cannot store.*save it as F32/);
  });
});
