// Code actions over stdio: the engine's quick fixes applied to the text, the document re-checked,
// the diagnostic gone; per-code "fix all" and the source.fixAll action; stale requests refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction } from 'vscode-languageserver-protocol/node';
import { TestClient, fileUri } from './harness';

let client: TestClient;
before(async () => {
  client = await TestClient.start({ settings: {} });
});
after(async () => {
  await client?.stop();
});

function only(actions: CodeAction[], title: RegExp): CodeAction {
  const found = actions.filter((a) => title.test(a.title));
  assert.equal(found.length, 1, `expected one action matching ${title}, got: ${actions.map((a) => a.title).join(' | ')}`);
  return found[0]!;
}

// One diagnostic, one fix: open, check the code, apply the fix with that title, expect the text, and
// expect the re-check to come back clean.
const SINGLE_FIXES: Array<{ name: string; lang: string; text: string; code: string; title: RegExp; fixed: string }> = [
  {
    // The multi-line record keeps its layout; only the letters change.
    name: 'uppercase a lowercase protein',
    lang: 'fasta',
    text: '>p1\nmktayiakqrqisfvk\nshfsrq\n',
    code: 'UME106',
    title: /^Uppercase the protein sequence$/,
    fixed: '>p1\nMKTAYIAKQRQISFVK\nSHFSRQ\n',
  },
  {
    name: 'canonicalize a SMILES with RDKit',
    lang: 'smiles',
    text: 'CC(=O)OC1=CC=CC=C1C(=O)O aspirin\n',
    code: 'UME108',
    title: /^Canonicalize SMILES/,
    fixed: 'CC(=O)Oc1ccccc1C(=O)O aspirin\n',
  },
  {
    name: 'remove digits and spaces inside a sequence',
    lang: 'fasta',
    text: '>p\nMKTAYIAKQR 11 QISFVKSHFSRQ\n',
    code: 'UME105',
    title: /^Remove whitespace and digits/,
    fixed: '>p\nMKTAYIAKQRQISFVKSHFSRQ\n',
  },
  {
    name: 'wrap an untagged completion in its tag',
    lang: 'jsonl',
    text: '{"completion": "ATGAAACGCATTAGCACCACCATTACC"}\n',
    code: 'UME110',
    title: /wrap in <dna>/,
    fixed: '{"completion": "<dna>ATGAAACGCATTAGCACCACCATTACC</dna>"}\n',
  },
];

for (const c of SINGLE_FIXES) {
  test(`${c.name}: preferred quick fix attached to its diagnostic, applied, re-checked`, async () => {
    const uri = fileUri(`${c.code}.${c.lang}`);
    client.open(uri, c.lang, c.text);
    const ds = await client.diagnosticsFor(uri);
    assert.deepEqual(ds.map((d) => d.code), [c.code]);
    const fix = only(await client.codeActions(uri, ds[0]!.range, [ds[0]!]), c.title);
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics?.map((x) => x.code), [c.code]);
    client.applyEdit(fix.edit!);
    assert.equal(client.text(uri), c.fixed);
    assert.deepEqual(await client.diagnosticsFor(uri), []);
    client.close(uri);
  });
}

test('"Fix all UME106 problems in file" fixes every record at once', async () => {
  const uri = fileUri('fix-all.fasta');
  client.open(uri, 'fasta', '>a\nmktayiakqr\n>b\nMKTAYJAKQR\n>c\nqisfvkshfsrq\n');
  const ds = await client.diagnosticsFor(uri);
  assert.deepEqual(ds.map((d) => d.code), ['UME106', 'UME104', 'UME106']);
  const actions = await client.codeActions(uri, ds[0]!.range, [ds[0]!]);
  const all = only(actions, /^Fix all UME106 problems in file \(2\)$/);
  assert.equal(all.kind, 'quickfix');
  client.applyEdit(all.edit!);
  assert.equal(client.text(uri), '>a\nMKTAYIAKQR\n>b\nMKTAYJAKQR\n>c\nQISFVKSHFSRQ\n');
  assert.deepEqual((await client.diagnosticsFor(uri)).map((d) => d.code), ['UME104']);
  client.close(uri);
});

test('source.fixAll.ume-studio applies every preferred fix in the file, only when asked for', async () => {
  const uri = fileUri('source-fix-all.smi');
  client.open(uri, 'smiles', 'C1=CC=CC=C1 benzene\nCCO ethanol\nOC(=O)C acetic\n');
  const ds = await client.diagnosticsFor(uri);
  assert.deepEqual(ds.map((d) => d.code), ['UME108', 'UME108']);
  const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const unasked = await client.codeActions(uri, whole, []);
  assert.equal(unasked.filter((a) => a.kind === 'source.fixAll.ume-studio').length, 0);
  const [fixAll] = await client.codeActions(uri, whole, [], ['source.fixAll']);
  assert.equal(fixAll?.kind, 'source.fixAll.ume-studio');
  client.applyEdit(fixAll!.edit!);
  assert.equal(client.text(uri), 'c1ccccc1 benzene\nCCO ethanol\nCC(=O)O acetic\n');
  assert.deepEqual(await client.diagnosticsFor(uri), []);
  client.close(uri);
});

test('fixes are offered only for the version they were computed on', async () => {
  const uri = fileUri('stale.fasta');
  client.open(uri, 'fasta', '>p\nmktayiakqr\n');
  const [d] = await client.diagnosticsFor(uri);
  client.change(uri, [{ range: { start: { line: 0, character: 2 }, end: { line: 0, character: 2 } }, text: 'x' }]);
  // Asked before the new version is analysed: no edit against text that has moved on.
  assert.deepEqual(await client.codeActions(uri, d!.range, [d!]), []);
  const [fresh] = await client.diagnosticsFor(uri);
  assert.equal((await client.codeActions(uri, fresh!.range, [fresh!])).length, 1);
  client.close(uri);
});
