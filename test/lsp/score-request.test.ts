// `ume/score` over stdio with a real UME model (random weights in a temporary file): records equal
// the engine's PLL for the same text, token ranges point at the token's text in the document,
// unscorable sequences come back with reasons, work-done progress is reported, cancellation works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancellationTokenSource, WorkDoneProgress, type WorkDoneProgressBegin, type WorkDoneProgressEnd, type WorkDoneProgressReport } from 'vscode-languageserver-protocol/node';
import { UmeScorer } from '../../server/src/engine/ume/scorer';
import type { ScoreParams, ScoreResult } from '../../server/src/protocol/score';
import { TestClient, fileUri } from './harness';
import { writeRandomModel } from './scoring-model';

let modelPath: string;
let engine: UmeScorer;
let client: TestClient;

before(async () => {
  modelPath = await writeRandomModel('score-model');
  engine = await UmeScorer.fromFile(modelPath, { device: 'cpu' });
  client = await TestClient.start({ settings: { scoring: { modelPath, device: 'cpu' } } });
});
after(async () => {
  await client.stop();
  await engine.release();
});

const score = (params: ScoreParams, token?: CancellationTokenSource['token']): Promise<ScoreResult> =>
  token ? client.connection.sendRequest('ume/score', params, token) : client.connection.sendRequest('ume/score', params);

const CSV = [
  'id,smiles,sequence',
  'a,CC(=O)Oc1ccccc1C(=O)O,',
  'b,,MKTAYIAKQRQISFVKSHFSRQ',
  'c,C1CC,',
  'd,,acgtacgtacgtTTGA',
].join('\n');

test('ume/score: every sequence with reward, pll, perplexity, mode, model, n_tokens and per-token log-probs at their document ranges', async () => {
  const uri = fileUri('score.csv');
  const doc = client.open(uri, 'csv', CSV);
  const r = await score({ uri });
  assert.equal(r.uri, uri);
  assert.equal(r.version, 1);
  assert.equal(r.model, 'score-model');
  assert.equal(r.mode, 'masked');
  assert.equal(r.temperature, 0.1);
  assert.equal(r.provider, 'cpu');
  assert.deepEqual(r.sequences.map((s) => [s.text, s.modality]), [
    ['CC(=O)Oc1ccccc1C(=O)O', 'SMILES'],
    ['MKTAYIAKQRQISFVKSHFSRQ', 'amino_acid'],
    ['acgtacgtacgtTTGA', 'nucleotide'],
  ]);
  for (const s of r.sequences) {
    const [ref] = await engine.pll([{ text: s.text, modality: s.modality }], { mode: 'masked' });
    assert.ok(Math.abs(s.pll - ref!.mean!) < 1e-6, `${s.text}: ${s.pll} vs ${ref!.mean}`);
    assert.ok(Math.abs(s.reward - ref!.mean! / 0.1) < 1e-5);
    assert.ok(Math.abs(s.perplexity - Math.exp(-ref!.mean!)) < 1e-6 * s.perplexity);
    assert.equal(s.n_tokens, ref!.ids.length);
    assert.equal(s.length, s.text.length);
    assert.equal(doc.getText(s.range), s.text);
    // Masked PLL scores every residue token: the per-token list is the engine's, at the right places.
    const scored = ref!.logprobs.map((lp, t) => ({ lp, t })).filter((x) => x.lp !== null);
    assert.equal(s.tokens.length, scored.length);
    s.tokens.forEach((tok, i) => {
      const { lp, t } = scored[i]!;
      assert.ok(Math.abs(tok.logprob - lp!) < 1e-6);
      assert.equal(tok.position, ref!.offsets[t]![0] + 1);
      assert.equal(doc.getText(tok.range), tok.token);
      assert.equal(tok.token, s.text.slice(ref!.offsets[t]![0], ref!.offsets[t]![1]));
    });
    const mean = s.tokens.reduce((a, t) => a + t.logprob, 0) / s.tokens.length;
    assert.ok(Math.abs(mean - s.pll) < 1e-6, 'pll is the mean of the token log-probs');
    assert.deepEqual(
      s.least_likely.map((t) => t.logprob),
      [...s.tokens].map((t) => t.logprob).sort((a, b) => a - b).slice(0, 3),
    );
  }
  assert.equal(r.unscored.length, 1);
  assert.equal(r.unscored[0]!.text, 'C1CC');
  assert.match(r.unscored[0]!.reason, /not a valid SMILES sequence/);
});

test('ume/score: a range limits the sequences; tokens: false leaves the per-token list out', async () => {
  const uri = fileUri('score-range.csv');
  client.open(uri, 'csv', CSV);
  const r = await score({ uri, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 30 } }, tokens: false });
  assert.deepEqual(r.sequences.map((s) => s.text), ['MKTAYIAKQRQISFVKSHFSRQ']);
  assert.deepEqual(r.sequences[0]!.tokens, []);
  assert.equal(r.sequences[0]!.least_likely.length, 3);
});

test('ume/score reports work-done progress: begin, k/n reports, end', async () => {
  const uri = fileUri('score-progress.fasta');
  client.open(uri, 'fasta', Array.from({ length: 20 }, (_, i) => `>s${i}\nMKTAYIAKQRQISFVKSHFSRQ${'ACDEFGHIKLMNPQRSTVWY'.slice(0, i)}\n`).join(''));
  const workDoneToken = 'score-progress-1';
  const events: Array<WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd> = [];
  const sub = client.connection.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
    events.push(v);
  });
  try {
    const r = await score({ uri, workDoneToken, tokens: false });
    assert.equal(r.sequences.length, 20);
    await client.waitFor(() => events.at(-1)?.kind === 'end', 2000, 'progress end');
  } finally {
    sub.dispose();
  }
  assert.equal(events[0]!.kind, 'begin');
  assert.equal((events[0] as WorkDoneProgressBegin).cancellable, true);
  const reports = events.filter((e): e is WorkDoneProgressReport => e.kind === 'report');
  assert.ok(reports.length >= 3, `expected a report per chunk, got ${reports.length}`);
  assert.equal(reports.at(-1)!.message, '20/20 sequences');
  assert.equal(reports.at(-1)!.percentage, 100);
  const pct = reports.map((e) => e.percentage ?? 0);
  assert.deepEqual(pct, [...pct].sort((a, b) => a - b), 'percentages never go back');
});

test('ume/score cancelled: the request fails with RequestCancelled soon, and the next one works', async () => {
  const uri = fileUri('score-cancel.fasta');
  const seq = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSPLHSVYVDQWDWERVMG';
  client.open(uri, 'fasta', Array.from({ length: 30 }, (_, i) => `>s${i}\n${seq.slice(i)}${seq.slice(0, i)}\n`).join(''));
  const source = new CancellationTokenSource();
  const t0 = performance.now();
  const pending = score({ uri, tokens: false }, source.token);
  setTimeout(() => source.cancel(), 100);
  await assert.rejects(pending, (e: { code?: number }) => e.code === -32800);
  const ms = performance.now() - t0;
  assert.ok(ms < 3000, `cancellation took ${ms.toFixed(0)} ms`);
  const ok = await score({ uri: fileUri('score.csv'), tokens: false });
  assert.equal(ok.sequences.length, 3);
});

test('ume/score: bad params are refused in words', async () => {
  await assert.rejects(client.connection.sendRequest('ume/score', { uri: 42 }), /needs \{ "uri": string/);
  await assert.rejects(client.connection.sendRequest('ume/score', { uri: 'untitled:x' }), /not open and is not a file: URI/);
});

test('ume/score token ranges follow multi-line FASTA records and JSON escapes back into the document', async () => {
  const fasta = fileUri('score-wrapped.fasta');
  const fdoc = client.open(fasta, 'fasta', '>wrapped\nMKTAYIAK\nQRQISFVK\nSHFSRQ\n');
  const f = await score({ uri: fasta });
  assert.equal(f.sequences[0]!.text, 'MKTAYIAKQRQISFVKSHFSRQ');
  const toks = f.sequences[0]!.tokens;
  assert.equal(toks.length, 22);
  for (const t of toks) assert.equal(fdoc.getText(t.range), t.token);
  assert.deepEqual([toks[7]!.range.start, toks[8]!.range.start, toks[21]!.range.start], [
    { line: 1, character: 7 },
    { line: 2, character: 0 },
    { line: 3, character: 5 },
  ]);

  const json = fileUri('score-escaped.jsonl');
  const jdoc = client.open(json, 'jsonl', '{"smiles": "F/C=C\\\\F"}\n');
  const j = await score({ uri: json });
  assert.equal(j.sequences[0]!.text, 'F/C=C\\F');
  const back = j.sequences[0]!.tokens.find((t) => t.token === '\\')!;
  assert.equal(jdoc.getText(back.range), '\\\\', 'the escaped backslash maps to its escape in the file');
});
