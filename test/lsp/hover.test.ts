// Hover scoring over stdio with a real UME model (random weights in a temporary file, loaded through
// umeStudio.scoring.modelPath): every number in the hover is checked against the engine's own PLL
// for the same text and weights; cache, supersession, cancellation, unscorable sequences, bad paths.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CancellationTokenSource, HoverRequest, type Hover, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { UmeScorer } from '../../server/src/engine/ume/scorer';
import { leastLikely, type PllMode } from '../../server/src/engine/ume/pll';
import type { Modality } from '../../server/src/engine/seq/types';
import { TestClient, fileUri } from './harness';
import { writeRandomModel } from './scoring-model';

const ROOT = join(__dirname, '..', '..');
const PROTEIN = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSPLHSVYVDQWDWERVMGDGERQFSTLKSTVEAIWAGIKATEAAVSEEFGLAPFLPDQIHFVHSQELLSRYPDLDAKGRERAIAKDLGAVFLVGIGGKLSDGHRHDVRAPDYDDWSTPSELGHAGLNGDILVWNPVLEDAFELSSMGIRVDADTLKHQLALTGDEDRLELEWHQALLRGEMPQTIGGGIGQSRLTMLLLQLPHLGQVQAGVWPAACRESVPALLKLLKRSDWQAWSSTAAYERR';
const SMILES = 'CC(=O)Oc1ccccc1C(=O)O';

let modelPath: string;
let engine: UmeScorer;
let client: TestClient;

before(async () => {
  modelPath = await writeRandomModel('hover-model');
  engine = await UmeScorer.fromFile(modelPath, { device: 'cpu' });
  client = await TestClient.start({ settings: { scoring: { modelPath, device: 'cpu' } } });
});
after(async () => {
  await client.stop();
  await engine.release();
});

function hover(uri: string, line: number, character: number, token?: CancellationTokenSource['token']): Promise<Hover | null> {
  return client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } }, token);
}

const markdown = (h: Hover | null): string => {
  assert.ok(h, 'expected a hover');
  const c = h.contents as MarkupContent;
  assert.equal(c.kind, 'markdown');
  return c.value;
};

/** The numbers the hover prints, parsed back. */
function parseHover(md: string) {
  const num = (re: RegExp) => {
    const m = re.exec(md);
    assert.ok(m, `${re} not in hover:\n${md}`);
    return Number(m[1]);
  };
  const head = /^\*\*UME\*\* · (\w+) \(confidence (\d+)%\) · length (\d+)/.exec(md);
  assert.ok(head, md);
  const least = [...md.matchAll(/\*\*([^*]+)\*\* at (\d+) \((-?[\d.]+)\)/g)].map((m) => ({ token: m[1]!, position: Number(m[2]), logprob: Number(m[3]) }));
  return {
    modality: head[1]!,
    length: Number(head[3]),
    reward: num(/reward: \*\*(-?[\d.]+)\*\*/),
    temperature: num(/PLL \/ temperature ([\d.]+)/),
    pll: num(/PLL \(mean log-prob\): (-?[\d.]+)/),
    perplexity: num(/perplexity: ([\d.]+)/),
    model: /model: (\S+) ·/.exec(md)?.[1],
    mode: /mode: (\w+)/.exec(md)?.[1],
    tokens: num(/· (\d+) tokens/),
    least,
  };
}

async function expectMatchesEngine(md: string, text: string, modality: Modality, mode: PllMode = 'masked', temperature = 0.1) {
  const [ref] = await engine.pll([{ text, modality }], { mode });
  const h = parseHover(md);
  assert.equal(h.modality, modality);
  assert.equal(h.length, text.length);
  assert.equal(h.model, 'hover-model');
  assert.equal(h.mode, mode);
  assert.equal(h.temperature, temperature);
  assert.equal(h.tokens, ref!.ids.length);
  const close = (a: number, b: number, decimals: number, what: string) => assert.ok(Math.abs(a - b) <= 0.6 * 10 ** -decimals + 1e-9, `${what}: hover ${a}, engine ${b}`);
  close(h.pll, ref!.mean!, 4, 'pll');
  close(h.reward, ref!.mean! / temperature, 3, 'reward');
  close(h.perplexity, Math.exp(-ref!.mean!), 3, 'perplexity');
  const least = leastLikely(ref!, 3);
  assert.equal(h.least.length, 3);
  h.least.forEach((l, i) => {
    const e = least[i]!;
    assert.equal(l.position, e.offsets[0] + 1);
    assert.equal(l.token, text.slice(e.offsets[0], e.offsets[1]));
    close(l.logprob, e.logprob, 3, `least likely #${i + 1}`);
  });
}

test('hover on a protein and a SMILES: modality, length, reward, PLL, perplexity, model, mode and 3 least likely positions, equal to the engine', async () => {
  const fasta = fileUri('hover-protein.fasta');
  client.open(fasta, 'fasta', `>sp|P0|TEST a protein\n${PROTEIN.slice(0, 100)}\n`);
  await expectMatchesEngine(markdown(await hover(fasta, 1, 10)), PROTEIN.slice(0, 100), 'amino_acid');

  const smi = fileUri('hover.smi');
  client.open(smi, 'smiles', `${SMILES} aspirin\n`);
  const md = markdown(await hover(smi, 0, 3));
  // SMILES tokens carry brackets and parentheses: shown escaped, parsed back here.
  await expectMatchesEngine(md.replace(/\\([[\]])/g, '$1'), SMILES, 'SMILES');
});

test('the second hover on the same text comes from the cache: identical and faster', async () => {
  const uri = fileUri('hover-cache.fasta');
  const text = PROTEIN.slice(100, 300);
  client.open(uri, 'fasta', `>c\n${text}\n`);
  await client.diagnosticsFor(uri);
  let t = performance.now();
  const first = markdown(await hover(uri, 1, 5));
  const cold = performance.now() - t;
  t = performance.now();
  const second = markdown(await hover(uri, 1, 150));
  const cached = performance.now() - t;
  assert.equal(second, first);
  assert.ok(cached < cold, `cached ${cached.toFixed(1)} ms should beat uncached ${cold.toFixed(1)} ms`);
  // The same text elsewhere (another document) is a cache hit too.
  const other = fileUri('hover-cache-2.txt');
  client.open(other, 'plaintext', `seq ${text}\n`);
  assert.equal(markdown(await hover(other, 0, 10)), first);
});

test('unscorable sequences say why; text outside sequences has no hover', async () => {
  const uri = fileUri('hover-bad.fasta');
  client.open(uri, 'fasta', '>bad\nMKTAYJAKQR\n>lower\nmktayiakqrqisfvk\n');
  const bad = markdown(await hover(uri, 1, 2));
  assert.match(bad, /amino_acid .* length 10/);
  assert.match(bad, /not scored: not a valid amino\\_acid sequence: 'J' is not a valid amino-acid code/);
  assert.match(markdown(await hover(uri, 3, 2)), /not scored: .*outside UME's amino\\_acid vocabulary/);
  assert.equal(await hover(uri, 0, 2), null, 'a FASTA header is not a sequence');
});

test('temperature and mode settings change the hover (reward = PLL / T)', async () => {
  const uri = fileUri('hover-settings.smi');
  client.open(uri, 'smiles', 'c1ccccc1O phenol\n');
  await client.setSettings({ scoring: { modelPath, device: 'cpu', mode: 'unmasked', temperature: 0.5 } });
  try {
    await expectMatchesEngine(markdown(await hover(uri, 0, 2)), 'c1ccccc1O', 'SMILES', 'unmasked', 0.5);
  } finally {
    await client.setSettings({ scoring: { modelPath, device: 'cpu' } });
  }
});

test('a newer hover on the same document supersedes a waiting one, which returns null at once', async () => {
  const uri = fileUri('hover-supersede.fasta');
  const a = PROTEIN.slice(0, 200);
  const b = PROTEIN.slice(5, 205);
  client.open(uri, 'fasta', `>a\n${a}\n>b\n${b}\n`);
  await client.diagnosticsFor(uri);
  const t0 = performance.now();
  let firstAt = 0;
  const first = hover(uri, 1, 3).then((h) => ((firstAt = performance.now() - t0), h));
  const second = hover(uri, 3, 3);
  const [h1, h2] = await Promise.all([first, second]);
  const secondAt = performance.now() - t0;
  assert.equal(h1, null, 'the superseded hover returns null');
  assert.ok(firstAt < secondAt, `superseded hover answered at ${firstAt.toFixed(0)} ms, before the newer one (${secondAt.toFixed(0)} ms)`);
  await expectMatchesEngine(markdown(h2), b, 'amino_acid');
});

test('cancelling a hover queued behind a long ume/score answers at once and the server carries on', async () => {
  const big = fileUri('hover-queue-big.fasta');
  client.open(big, 'fasta', Array.from({ length: 12 }, (_, i) => `>s${i}\n${PROTEIN.slice(i, i + 160)}\n`).join(''));
  const uri = fileUri('hover-queue.fasta');
  client.open(uri, 'fasta', `>q\n${PROTEIN.slice(50, 350)}\n`);
  await client.diagnosticsFor(big);
  await client.diagnosticsFor(uri);
  let scoreDone = 0;
  const t0 = performance.now();
  const scoring = client.connection.sendRequest('ume/score', { uri: big, tokens: false }).then(() => (scoreDone = performance.now() - t0));
  await new Promise((r) => setTimeout(r, 50));
  const source = new CancellationTokenSource();
  const queued = hover(uri, 1, 3, source.token).then(
    (h) => ({ h, at: performance.now() - t0 }),
    (e: Error) => ({ h: e, at: performance.now() - t0 }),
  );
  await new Promise((r) => setTimeout(r, 10));
  source.cancel();
  const { h, at } = await queued;
  assert.ok(h === null || h instanceof Error, `a cancelled hover gives null or a cancellation error, got ${JSON.stringify(h)}`);
  await scoring;
  assert.ok(at < scoreDone, `cancelled hover answered at ${at.toFixed(0)} ms, the long score finished at ${scoreDone.toFixed(0)} ms`);
  assert.match(markdown(await hover(uri, 1, 3)), /reward/);
});

test('shutdown during a long ume/score: the scorer thread ends between ORT calls and the server exits with code 0', async () => {
  const other = await TestClient.start({ settings: { scoring: { modelPath, device: 'cpu' } } });
  const big = fileUri('shutdown-big.fasta');
  other.open(big, 'fasta', Array.from({ length: 12 }, (_, i) => `>s${i}\n${PROTEIN.slice(i, i + 200)}\n`).join(''));
  await other.diagnosticsFor(big);
  const scoring = other.connection.sendRequest('ume/score', { uri: big, tokens: false }).catch((e: Error) => e);
  await new Promise((r) => setTimeout(r, 100));
  await other.stop();
  void scoring;
  assert.equal(other.process.exitCode, 0, `exit code ${other.process.exitCode}, signal ${other.process.signalCode}; stderr:\n${other.stderr}`);
  assert.doesNotMatch(other.stderr, /terminate called|Napi::Error/);
});

test('the bundled server (what the extension runs) scores in its bundled scorer thread, as the engine does', async () => {
  // Its own build folder: no race with another build of dist/, and no stale dist/ tested.
  const out = join(ROOT, '.test-artifacts', 'lsp-bundle', 'dist');
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  assert.ok(existsSync(join(out, 'scorer-thread.js')), 'the build writes the scorer thread beside the server');
  const bundled = await TestClient.start({ settings: { scoring: { modelPath, device: 'cpu' } }, server: 'bundle', bundle: join(out, 'server.js') });
  try {
    const uri = fileUri('bundled.fasta');
    const text = PROTEIN.slice(20, 90);
    bundled.open(uri, 'fasta', `>b\n${text}\n`);
    await bundled.diagnosticsFor(uri);
    const h = await bundled.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 5 } });
    await expectMatchesEngine(markdown(h), text, 'amino_acid');
    assert.ok(bundled.logs.some((l) => /UME model hover-model loaded .* \(in its thread: started at \d+ ms/.test(l)), bundled.logs.join('\n'));
  } finally {
    await bundled.stop();
  }
  assert.equal(bundled.process.exitCode, 0, bundled.stderr);
});

test('a bad model path: a clear error in the hover and an error message, no crash; fixing the path recovers', async () => {
  const uri = fileUri('hover-badpath.smi');
  client.open(uri, 'smiles', 'CCN(CC)CC triethylamine\n');
  await client.setSettings({ scoring: { modelPath: '/nonexistent/ume-weights.safetensors', device: 'cpu' } });
  try {
    const md = markdown(await hover(uri, 0, 2));
    assert.match(md, /scoring failed: UME weights "\/nonexistent\/ume-weights\.safetensors" not found\. Pass a \.safetensors file/);
    assert.match(md, /umeStudio\.scoring\.modelPath/);
    await client.waitFor(() => client.messages.some((m) => m.type === 1 && /ume-weights\.safetensors" not found/.test(m.message)), 5000, 'an error message');
    assert.ok(client.logs.some((l) => /UME scoring: .*not found/.test(l)));
    const score = client.connection.sendRequest('ume/score', { uri });
    await assert.rejects(score, /UME scoring: .*not found/);
  } finally {
    await client.setSettings({ scoring: { modelPath, device: 'cpu' } });
  }
  assert.match(markdown(await hover(uri, 0, 2)), /reward: \*\*-?[\d.]+\*\*/);
  assert.equal(client.process.exitCode, null, 'the server is still running');
});

test('a different model path loads that model (reload on settings change)', async () => {
  const other = await writeRandomModel('other-model', undefined, 99);
  const uri = fileUri('hover-reload.smi');
  client.open(uri, 'smiles', 'CCOC(=O)C ethyl acetate\n');
  const before = markdown(await hover(uri, 0, 2));
  await client.setSettings({ scoring: { modelPath: other, device: 'cpu' } });
  try {
    const after = markdown(await hover(uri, 0, 2));
    assert.match(after, /model: other-model · mode: masked/);
    assert.notEqual(parseHover(after).pll, parseHover(before).pll, 'different weights, different PLL');
  } finally {
    await client.setSettings({ scoring: { modelPath, device: 'cpu' } });
  }
});

test('scoring turned off: no hover', async () => {
  const uri = fileUri('hover-off.smi');
  client.open(uri, 'smiles', 'CCO ethanol\n');
  await client.setSettings({ scoring: { enabled: false, modelPath } });
  try {
    assert.equal(await hover(uri, 0, 1), null);
  } finally {
    await client.setSettings({ scoring: { modelPath, device: 'cpu' } });
  }
});
