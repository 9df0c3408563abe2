import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDirs, ModelNotFoundError, resolveModel } from './model-path';

const root = mkdtempSync(join(tmpdir(), 'ume-model-path-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a given file is used as is; a folder gives model.safetensors, <folder>.safetensors or its only .safetensors', () => {
  const f = join(root, 'mine.safetensors');
  writeFileSync(f, '');
  assert.deepEqual(resolveModel(f), { path: f, name: 'mine', isDefault: false });
  const d = join(root, 'ume-x');
  mkdirSync(d);
  writeFileSync(join(d, 'other.safetensors'), '');
  assert.equal(resolveModel(d).path, join(d, 'other.safetensors'));
  writeFileSync(join(d, 'ume-x.safetensors'), '');
  assert.equal(resolveModel(d).path, join(d, 'ume-x.safetensors'));
  writeFileSync(join(d, 'model.safetensors'), '');
  assert.equal(resolveModel(d).path, join(d, 'model.safetensors'));
  const two = join(root, 'two');
  mkdirSync(two);
  writeFileSync(join(two, 'a.safetensors'), '');
  writeFileSync(join(two, 'b.safetensors'), '');
  assert.throws(() => resolveModel(two), /holds 2 .safetensors files \(a.safetensors, b.safetensors\); pass the one to use/);
});

test('missing weights: an error that says where it looked and how to get them', () => {
  assert.throws(() => resolveModel(join(root, 'nope.safetensors')), (e: Error) => e instanceof ModelNotFoundError && /not found\. Pass a \.safetensors file/.test(e.message));
  const here = join(root, 'engine', 'reward');
  mkdirSync(here, { recursive: true });
  assert.throws(() => resolveModel(undefined, here), (e: Error) => e instanceof ModelNotFoundError && /ume-tiny is missing .*--model PATH/.test(e.message) && e.message.includes(join(root, 'engine', 'ume', 'models', 'ume-tiny')));
  // Once the default lands where the source tree keeps it, it is found without --model.
  const dir = join(root, 'engine', 'ume', 'models', 'ume-tiny');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.safetensors'), '');
  assert.deepEqual(resolveModel(undefined, here), { path: join(dir, 'model.safetensors'), name: 'ume-tiny', isDefault: true });
});

test('from the bundle (dist/), the default is looked for in dist/models and in the source tree beside dist', () => {
  assert.deepEqual(defaultModelDirs('/x/dist'), ['/x/dist/models/ume-tiny', '/x/server/src/engine/ume/models/ume-tiny']);
  assert.deepEqual(defaultModelDirs('/x/server/src/engine/reward'), ['/x/server/src/engine/ume/models/ume-tiny']);
});
