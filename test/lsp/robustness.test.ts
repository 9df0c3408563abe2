// What a stdio fuzz of the language server found (issue 17), as a reproducer: a batch of ~100 KB
// SMILES-rich plain-text, JSON and .smi documents holding the molecules that crashed RDKit's wasm
// (ring-label chains, long aromatic chains, big rings) or made it spin forever (a 900-atom branch),
// with hovers on all of them, including positions outside the documents. Before the fix the server
// stopped validating SMILES (every later check failed) or went silent at 100% CPU with gigabytes of
// RSS. Now every request is answered, a canary document gets its exact diagnostics, and memory stays
// bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HoverRequest } from 'vscode-languageserver-protocol/node';
import { TestClient, fileUri } from './harness';

const POISON = [
  Array.from({ length: 780 }, (_, i) => `C%${10 + (i % 30)}`).join(''), // C%10C%11...C%39%10...
  'c'.repeat(5000),
  `c1${'c'.repeat(2000)}c1`,
  `C(${'C'.repeat(900)})O`, // spins forever in a fresh RDKit instance
  'c1ccccc1'.repeat(150),
  'C'.repeat(1000),
];
const NORMAL = ['CC(=O)Oc1ccccc1C(=O)O', 'CN1C=NC2=C1C(=O)N(C(=O)N2C)C', 'OC(=O)CCc1ccncc1', 'C1CCCCC1N', 'Clc1ccc(Br)cc1'];

function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function plainDoc(seed: number): string {
  const r = rng(seed);
  const parts: string[] = [];
  let size = 0;
  let p = 0;
  while (size < 100_000) {
    const piece = r() < 0.1 ? POISON[p++ % POISON.length]! : r() < 0.5 ? NORMAL[Math.floor(r() * NORMAL.length)]! : 'the compound was dissolved in';
    parts.push(piece, r() < 0.2 ? '\n' : ' ');
    size += piece.length + 1;
  }
  return parts.join('');
}

function jsonDoc(seed: number): string {
  const r = rng(seed);
  const rows: Array<Record<string, string>> = [];
  let size = 0;
  let p = 0;
  while (size < 100_000) {
    const smiles = r() < 0.15 ? POISON[p++ % POISON.length]! : NORMAL[Math.floor(r() * NORMAL.length)]!;
    rows.push({ id: `m${rows.length}`, smiles, text: `<smiles>${NORMAL[rows.length % NORMAL.length]}</smiles>` });
    size += smiles.length + 60;
  }
  return JSON.stringify(rows, null, 1);
}

/** Peak resident memory of a process (Linux), in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

test('SMILES-rich 100 KB documents with RDKit-crashing molecules: every request answered, SMILES still checked, memory bounded', async () => {
  const client = await TestClient.start({ settings: { scoring: { enabled: true } } });
  try {
    const docs: Array<{ uri: string; languageId: string; text: string }> = [];
    for (let i = 0; i < 4; i++) docs.push({ uri: fileUri(`rich-${i}.txt`), languageId: 'plaintext', text: plainDoc(i + 1) });
    for (let i = 0; i < 3; i++) docs.push({ uri: fileUri(`rich-${i}.json`), languageId: 'json', text: jsonDoc(i + 11) });
    docs.push({ uri: fileUri('poison.smi'), languageId: 'smiles', text: [...POISON, ...NORMAL].join('\n') });

    const started = Date.now();
    const hovers: Array<Promise<unknown>> = [];
    for (const d of docs) {
      client.open(d.uri, d.languageId, d.text);
      const lines = d.text.split('\n').length;
      for (const [line, character] of [[0, 3], [Math.floor(lines / 2), 10], [lines + 5, 0], [0, 1_000_000]] as const) {
        hovers.push(client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: d.uri }, position: { line, character } }));
      }
    }
    for (const d of docs) await client.diagnosticsFor(d.uri, 120_000);
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      Promise.allSettled(hovers),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 60_000))),
    ]);
    clearTimeout(timer);
    assert.ok(answered, 'hover requests left unanswered after 60 s');

    // The canary: RDKit still gives exact answers after all of that.
    const canary = fileUri('canary.smi');
    client.open(canary, 'smiles', 'CCO\nC1CC\nc1ccccc1\n');
    const ds = await client.diagnosticsFor(canary, 30_000);
    assert.deepEqual(ds.map((d) => [d.code, d.range.start.line]), [['UME103', 1]]);
    assert.match(ds[0]!.message as string, /^Invalid SMILES: unclosed ring: ring bond 1 is opened but never closed/);

    const poison = client.diagnostics.get(fileUri('poison.smi'))!.diagnostics;
    for (let line = 0; line < POISON.length; line++) {
      const d = poison.find((x) => x.range.start.line === line && x.code === 'UME103');
      if (d) assert.match(d.message as string, /^SMILES not checked: too large to check/, `line ${line}`);
    }
    for (let line = POISON.length; line < POISON.length + NORMAL.length; line++) {
      assert.ok(!poison.some((x) => x.range.start.line === line && x.severity === 1), `no error on the normal SMILES at line ${line}`);
    }
    const peak = peakRssMb(client.process.pid!);
    console.log(`${docs.length} documents (${docs.reduce((a, d) => a + d.text.length, 0)} chars), ${hovers.length} hovers: all answered in ${Date.now() - started} ms; server peak RSS ${peak.toFixed(0)} MB`);
    assert.ok(peak < 1000, `server peak RSS ${peak.toFixed(0)} MB`);
    assert.doesNotMatch(client.logs.join('\n'), /RDKit failed/);
  } finally {
    await client.stop();
  }
});
