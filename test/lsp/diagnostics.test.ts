// The language server over stdio: initialize, didOpen/didChange/didClose, publishDiagnostics
// content and exact ranges, debouncing, tagged-only analysis outside sequence files, and the
// ume/analyzeDocument request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { TestClient, fileUri } from './harness';

let client: TestClient;
before(async () => {
  client = await TestClient.start({ settings: {} });
});
after(async () => {
  await client?.stop();
});

const brief = (ds: Diagnostic[]) => ds.map((d) => ({ code: d.code, severity: d.severity, range: d.range }));
const at = (line: number, start: number, end: number, endLine = line) => ({
  start: { line, character: start },
  end: { line: endLine, character: end },
});

test('initialize announces incremental sync and code actions (quick fixes and fix-all)', () => {
  const caps = client.initializeResult.capabilities;
  assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
  assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.ume-studio'], resolveProvider: false });
  assert.equal(client.initializeResult.serverInfo?.name, 'UME Studio language server');
});

test('a FASTA file with a bad residue gets one error on exactly that residue', async () => {
  const uri = fileUri('bad-residue.fasta');
  client.open(uri, 'fasta', '>sp|P0CG48|UBC_HUMAN\nMQIFVKTLTGKTITLEVEPS\nDTIENVKAKJQDKEGIPPDQ\n');
  const ds = await client.diagnosticsFor(uri);
  assert.deepEqual(brief(ds), [{ code: 'UME104', severity: DiagnosticSeverity.Error, range: at(2, 9, 10) }]);
  assert.equal(ds[0]!.source, 'ume-studio');
  assert.match(ds[0]!.message as string, /'J' is not a valid amino-acid code/);

  // Fixing the residue with an incremental edit clears the diagnostic for the new version.
  client.change(uri, [{ range: at(2, 9, 10), text: 'I' }]);
  assert.deepEqual(await client.diagnosticsFor(uri), []);
  client.close(uri);
});

test('CRLF line ends and a BOM-free UTF-16 line keep exact columns', async () => {
  const uri = fileUri('crlf.fasta');
  // "é" in the header is one UTF-16 unit; the sequence line is what matters.
  client.open(uri, 'fasta', '>prot é\r\nMKTAYIAKQR\r\nQISFV1KSHF\r\n');
  const ds = await client.diagnosticsFor(uri);
  assert.deepEqual(
    ds.map((d) => [d.code, d.range]),
    [['UME105', at(2, 5, 6)]],
  );
  client.close(uri);
});

test('typing is debounced: only the last of several quick edits is analysed and published', async () => {
  const uri = fileUri('typing.fasta');
  client.open(uri, 'fasta', '>p\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEV\n');
  await client.diagnosticsFor(uri);
  const before = client.publishes.length;
  for (const ch of ['J', 'J', 'J', 'J', 'J']) {
    const end = client.doc(uri).positionAt(client.text(uri).length - 1);
    client.change(uri, [{ range: { start: end, end }, text: ch }]);
  }
  const ds = await client.diagnosticsFor(uri);
  const published = client.publishes.slice(before).filter((p) => p.uri === uri).map((p) => p.version);
  assert.deepEqual(published, [6], 'intermediate versions 2..5 must not be published');
  // One diagnostic on the run of five typed residues, for the final text only.
  assert.deepEqual(brief(ds), [{ code: 'UME104', severity: DiagnosticSeverity.Error, range: at(1, 32, 37) }]);
  assert.match(ds[0]!.message as string, /'JJJJJ' is not a valid amino-acid code/);
  client.close(uri);
});

test('closing a document clears its diagnostics', async () => {
  const uri = fileUri('closed.smi');
  client.open(uri, 'smiles', 'C1CC mol\n');
  assert.equal((await client.diagnosticsFor(uri)).length, 1);
  client.close(uri);
  await client.waitFor(() => client.diagnostics.get(uri)?.diagnostics.length === 0, 5000, 'cleared diagnostics');
});

test('in other languages only tagged sequences are checked; sequence languages are checked fully', async () => {
  const md = fileUri('notes.md');
  const text = 'Ligand: CC(=O)OC1=CC=CC=C1C(=O\nAnswer: <smiles>C1=CC=CC=C1C(=O</smiles>\n';
  client.open(md, 'markdown', text);
  const ds = await client.diagnosticsFor(md);
  // The unclosed '(' inside the tag, not the untagged SMILES on line 0.
  assert.deepEqual(brief(ds), [{ code: 'UME103', severity: DiagnosticSeverity.Error, range: at(1, 28, 29) }]);

  const txt = fileUri('notes.txt');
  client.open(txt, 'plaintext', text);
  const all = await client.diagnosticsFor(txt);
  assert.deepEqual(
    all.map((d) => [d.code, d.range.start.line]),
    [['UME103', 0], ['UME103', 1]],
  );
  client.close(md);
  client.close(txt);
});

test('documents of other schemes are left alone', async () => {
  const uri = 'git:/repo/p.fasta?HEAD';
  client.open(uri, 'fasta', '>p\nMKJ\n');
  const probe = fileUri('probe.fasta');
  client.open(probe, 'fasta', '>p\nMKTAYIAKQR\n');
  await client.diagnosticsFor(probe); // analysed after the git: document was opened
  assert.equal(client.diagnostics.has(uri), false);
  client.close(uri);
  client.close(probe);
});

test('ume/analyzeDocument returns the records the CLI prints, for open and closed files', async () => {
  const uri = fileUri('request.smi');
  client.open(uri, 'smiles', 'CCO ethanol\nC1CC broken\n');
  const result = (await client.connection.sendRequest('ume/analyzeDocument', { uri })) as {
    uri: string;
    version: number;
    records: Array<{ file: string; text: string; modality: string | null; range: unknown; diagnostics: Array<{ code: string }> }>;
  };
  assert.equal(result.version, 1);
  assert.deepEqual(
    result.records.map((r) => [r.file, r.text, r.modality, r.diagnostics.map((d) => d.code)]),
    [
      [uri, 'CCO', 'SMILES', []],
      [uri, 'C1CC', 'SMILES', ['UME103']],
    ],
  );
  assert.deepEqual(result.records[1]!.range, at(1, 0, 4));
  client.close(uri);

  const onDisk = new URL('../../examples/molecules.smi', `file://${__filename}`).toString();
  const closed = (await client.connection.sendRequest('ume/analyzeDocument', { uri: onDisk })) as { version: null; records: unknown[] };
  assert.equal(closed.version, null);
  assert.equal(closed.records.length, 6);

  await assert.rejects(client.connection.sendRequest('ume/analyzeDocument', { uri: 'untitled:Nope' }), /not open/);
  await assert.rejects(client.connection.sendRequest('ume/analyzeDocument', {}), /needs \{ "uri": string \}/);
});
