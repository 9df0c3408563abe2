// The .vsix holds what a user needs and nothing else: the bundles (client, server, CLI, trainer,
// reward worker, scorer thread, webview), both embedded models with their cards, RDKit's wasm, ONNX
// Runtime's linux-x64 binaries and its JS; no sources, tests, docs, source maps, other platforms'
// binaries or other node_modules. Its size is printed (the README states it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { ensureVsix } from '../e2e/harness/vsix';
import { zipEntries } from './zip-entries';

const REQUIRED = [
  'extension/package.json',
  'extension/dist/client.js',
  'extension/dist/server.js',
  'extension/dist/cli.js',
  'extension/dist/trainer.js',
  'extension/dist/reward-worker.js',
  'extension/dist/scorer-thread.js',
  'extension/dist/webview/dashboard.js',
  'extension/dist/webview/dashboard.css',
  'extension/syntaxes/smiles.tmLanguage.json',
  'extension/syntaxes/fasta.tmLanguage.json',
  'extension/server/src/engine/ume/models/ume-tiny/model.safetensors',
  'extension/server/src/engine/ume/models/ume-tiny/config.json',
  'extension/server/src/engine/ume/models/ume-tiny/MODEL_CARD.md',
  'extension/server/src/engine/policy/models/policy-tiny/model.safetensors',
  'extension/server/src/engine/policy/models/policy-tiny/config.json',
  'extension/server/src/engine/policy/models/policy-tiny/MODEL_CARD.md',
  'extension/node_modules/@rdkit/rdkit/dist/RDKit_minimal.wasm',
  'extension/node_modules/@rdkit/rdkit/dist/RDKit_minimal.js',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
];

/** Why each kind of file must not be in the package. */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\.ts$/, 'TypeScript sources'],
  [/\.map$/, 'source maps (30+ MB of them)'],
  [/^extension\/(test|scripts|bench|docs|examples|client|webview\/src|\.e2e|\.ci|\.vscode|runs|data)\//, 'development folders'],
  [/^extension\/server\/(?!src\/engine\/(ume|policy)\/models\/)/, 'server sources other than the embedded models'],
  [/^extension\/node_modules\/(?!(@rdkit\/rdkit|onnxruntime-node|onnxruntime-common)\/)/, 'node_modules other than the three that cannot be bundled'],
  [/onnxruntime-node\/bin\/.*\/(darwin|win32)\//, 'other platforms\' ONNX Runtime binaries'],
  [/onnxruntime-node\/bin\/.*\/linux\/arm64\//, 'linux-arm64 ONNX Runtime binaries'],
];

test('the .vsix holds the bundles, both models, RDKit wasm and ONNX Runtime for linux-x64, and nothing else', (t) => {
  const vsix = ensureVsix((line) => t.diagnostic(line));
  const entries = zipEntries(vsix);
  const names = new Set(entries.map((e) => e.name));
  assert.deepEqual(REQUIRED.filter((n) => !names.has(n)), [], 'missing from the .vsix');
  assert.ok([...names].some((n) => /onnxruntime-node\/bin\/napi-v6\/linux\/x64\/libonnxruntime\.so/.test(n)), 'ONNX Runtime\'s shared library');
  const bad = entries.flatMap((e) => FORBIDDEN.filter(([re]) => re.test(e.name)).map(([, why]) => `${e.name} (${why})`));
  assert.deepEqual(bad, [], 'in the .vsix but should not be');
  const bytes = statSync(vsix).size;
  const unpacked = entries.reduce((a, e) => a + e.size, 0);
  t.diagnostic(`${vsix}: ${(bytes / 2 ** 20).toFixed(1)} MiB, ${entries.length} files, ${(unpacked / 2 ** 20).toFixed(1)} MiB unpacked`);
  // The models are F16 (ume-tiny ~10 MB, policy-tiny ~5 MB); a package past this has picked up something.
  assert.ok(bytes < 45 * 2 ** 20, `the .vsix is ${(bytes / 2 ** 20).toFixed(1)} MiB`);
});
