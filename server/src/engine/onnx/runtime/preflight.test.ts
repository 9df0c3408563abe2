import assert from 'node:assert/strict';
import { test } from 'node:test';
import { machineFacts, preflight, type MachineFacts } from './preflight';

function facts(platform: NodeJS.Platform, files: Record<string, string[]>, bindingDir: string | null = '/ort/bin'): MachineFacts {
  const all = new Set(Object.entries(files).flatMap(([d, ns]) => ns.map((n) => `${d}/${n}`)));
  return { platform, bindingDir: bindingDir ?? undefined, list: (d) => files[d] ?? [], exists: (p) => all.has(p) };
}

test('cuda: skipped with the library it looked for when the provider library is not beside the binding', () => {
  const r = preflight('cuda', facts('linux', { '/ort/bin': ['onnxruntime_binding.node', 'libonnxruntime.so.1'] }));
  assert.match(r ?? '', /CUDA provider library is not installed \(libonnxruntime_providers_cuda\.so .*\/ort\/bin\)/);
  assert.equal(preflight('cuda', facts('linux', { '/ort/bin': ['libonnxruntime_providers_cuda.so'] })), undefined);
  assert.equal(preflight('cuda', facts('win32', { '/ort/bin': ['onnxruntime_providers_cuda.dll'] })), undefined);
  assert.match(preflight('cuda', facts('darwin', {})) ?? '', /only built for Linux and Windows/);
  assert.equal(preflight('cuda', facts('linux', {}, null)), undefined, 'an unknown layout is left to ORT');
});

test('webgpu on Linux: tried only when a GPU device node exists', () => {
  assert.match(preflight('webgpu', facts('linux', { '/dev': ['null'] })) ?? '', /no GPU adapter/);
  assert.match(preflight('webgpu', facts('linux', { '/dev/dri': ['card0'] })) ?? '', /no GPU adapter/, 'a display-only card node is not a render node');
  assert.equal(preflight('webgpu', facts('linux', { '/dev/dri': ['card0', 'renderD128'] })), undefined);
  assert.equal(preflight('webgpu', facts('linux', { '/dev': ['nvidia0'] })), undefined);
  assert.equal(preflight('webgpu', facts('linux', { '/dev': ['dxg'] })), undefined);
  assert.equal(preflight('webgpu', facts('darwin', {})), undefined, 'Metal/D3D12 machines are left to ORT');
  assert.equal(preflight('cpu', facts('linux', {})), undefined);
});

test('this machine: the real binding folder is found', () => {
  const f = machineFacts();
  assert.ok(f.bindingDir && f.list(f.bindingDir).includes('onnxruntime_binding.node'), `binding folder: ${f.bindingDir}`);
});
