// `ume-studio score` in-process through main(), with a small random-initialised UME saved to a
// temporary safetensors file (its rewards mean nothing; every value is checked against the real
// scorer on the same weights), real RDKit, real ONNX Runtime on cpu.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, fx, jsonLines } from './run-cli';
import { umeConfig } from '../../server/src/engine/ume/config';
import { UmeScorer } from '../../server/src/engine/ume/scorer';
import { lobsterTensorSpecs, saveUmeWeights, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import { randomLobsterTensors } from '../ume/reference';

const dir = mkdtempSync(join(tmpdir(), 'ume-score-cli-'));
const MODEL = join(dir, 'ume-rand.safetensors');
let scorer: UmeScorer;

before(async () => {
  const C = umeConfig({ name: 'ume-rand', hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32 });
  const w = umeWeightsFromTensors(randomLobsterTensors(lobsterTensorSpecs(C), 5, 0.2), {}, { config: C });
  await saveUmeWeights(MODEL, C, w.params);
  scorer = await UmeScorer.fromFile(MODEL, { device: 'cpu', threads: 1 });
});
after(async () => {
  await scorer.release();
  rmSync(dir, { recursive: true, force: true });
});


const DETECT_KEYS = ['file', 'id', 'range', 'text', 'modality', 'confidence', 'alternatives', 'diagnostics'];
const SCORE_KEYS = ['reward', 'pll', 'mode', 'model', 'n_tokens', 'truncated', 'unknown_tokens', 'least_likely', 'reason'];

test('--json: detect fields plus the score fields; reward = PLL / T from the real scorer; exit 0 when all scored', async () => {
  const r = await cli('score', '--json', '--device', 'cpu', '--model', MODEL, '--temperature', '0.2', fx('score-ok.fasta'));
  assert.equal(r.code, 0, r.err);
  const recs = jsonLines(r.out);
  const detect = jsonLines((await cli('detect', '--json', fx('score-ok.fasta'))).out);
  assert.equal(recs.length, 2);
  for (const [i, rec] of recs.entries()) {
    assert.deepEqual(Object.keys(rec), [...DETECT_KEYS, ...SCORE_KEYS]);
    // Sequences are found exactly as detect finds them.
    assert.deepEqual(Object.fromEntries(DETECT_KEYS.map((k) => [k, rec[k]])), detect[i]);
    const [ref] = await scorer.pll([{ text: rec.text as string, modality: 'amino_acid' }], { mode: 'masked' });
    assert.ok(Math.abs((rec.pll as number) - ref!.mean!) < 1e-6);
    assert.ok(Math.abs((rec.reward as number) - ref!.mean! / 0.2) < 1e-6);
    assert.equal(rec.n_tokens, (rec.text as string).length + 2);
    assert.deepEqual([rec.mode, rec.model, rec.truncated, rec.unknown_tokens, rec.reason], ['masked', 'ume-rand', false, 0, null]);
    const ll = rec.least_likely as Array<{ offset: number; length: number; token: string; logprob: number }>;
    assert.equal(ll.length, 3);
    for (const t of ll) assert.equal((rec.text as string).slice(t.offset, t.offset + t.length), t.token);
    assert.ok(ll[0]!.logprob <= ll[1]!.logprob && ll[1]!.logprob <= ll[2]!.logprob);
    assert.equal(ll[0]!.logprob, Math.min(...ref!.logprobs.filter((x): x is number => x !== null)));
  }
});

test('unscorable sequences get reward null and a reason; exit 1 like detect on error-severity problems', async () => {
  const r = await cli('score', '--json', '--device', 'cpu', '--model', MODEL, '--mode', 'unmasked', fx('score-tagged.txt'));
  assert.equal(r.code, 1);
  const recs = jsonLines(r.out);
  assert.deepEqual(recs.map((x) => [x.text, x.modality, x.reward === null]), [
    ['CC(=O)Oc1ccccc1C(=O)O', 'SMILES', false],
    ['ACGTACGTTGCA', 'nucleotide', false],
    ['C1CC', 'SMILES', true],
  ]);
  assert.match(recs[2]!.reason as string, /^not scored: UME103 Invalid SMILES: unclosed ring/);
  assert.deepEqual([recs[2]!.pll, recs[2]!.n_tokens, recs[2]!.least_likely], [null, null, []]);
  const [ref] = await scorer.pll([{ text: 'ACGTACGTTGCA', modality: 'nucleotide' }], { mode: 'unmasked' });
  assert.ok(Math.abs((recs[1]!.reward as number) - ref!.mean! / 0.1) < 1e-6);
  assert.equal(recs[1]!.mode, 'unmasked');
});

test('human output: a table with location, modality, reward, PLL, tokens, least likely; reasons indented; summary', async () => {
  const r = await cli('score', '--device', 'cpu', '--model', MODEL, fx('score-tagged.txt'));
  assert.equal(r.code, 1);
  assert.match(r.out, /^LOCATION +ID +MODALITY +REWARD +PLL +TOKENS +LEAST LIKELY \(TOKEN@POS\) +SEQUENCE$/m);
  assert.match(r.out, /^test\/cli\/fixtures\/score-tagged\.txt:2:9 +SMILES +-\d+\.\d\d +-\d+\.\d{4} +23 +\S+@\d+ \S+@\d+ \S+@\d+ +CC\(=O\)Oc1ccccc1C\(=O\)O$/m);
  assert.match(r.out, /^test\/cli\/fixtures\/score-tagged\.txt:4:9 +SMILES +— +— +— +C1CC$/m);
  assert.match(r.out, /^ {4}warning: not scored: UME103 /m);
  assert.match(r.out, /^Positions are 1-based \(LINE:COL, TOKEN@POS\); --json gives 0-based ranges and offsets\.$/m);
  assert.match(r.out, /^1 file, 3 sequences, 2 scored, 1 not scored \(model ume-rand, masked PLL, temperature 0\.1\); mean reward by modality: SMILES -\d+\.\d\d \(1\), nucleotide -\d+\.\d\d \(1\)\.$/m);
});

test('sampled mode with --k and --max-length truncation are reported', async () => {
  const long = join(dir, 'long.fasta');
  writeFileSync(long, `>p\n${'MKTAYIAKQR'.repeat(5)}\n`);
  const r = await cli('score', '--json', '--device', 'cpu', '--model', MODEL, '--mode', 'sampled', '--k', '4', '--max-length', '20', '--least-likely', '2', long);
  assert.equal(r.code, 0, r.err);
  const [rec] = jsonLines(r.out);
  assert.deepEqual([rec!.mode, rec!.truncated, rec!.n_tokens, (rec!.least_likely as unknown[]).length], ['sampled', true, 20, 2]);
});

test('usage errors exit 2 with what to do: missing model, bad flags, missing file', async () => {
  const missing = await cli('score', '--model', join(dir, 'nope.safetensors'), fx('score-ok.fasta'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /UME weights ".*nope\.safetensors" not found\. Pass a \.safetensors file/);
  const notWeights = join(dir, 'bad.safetensors');
  writeFileSync(notWeights, 'not a safetensors file');
  const bad = await cli('score', '--model', notWeights, fx('score-ok.fasta'));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /cannot load UME weights .*bad\.safetensors/);
  for (const args of [['--mode', 'pll'], ['--temperature', '0'], ['--temperature', 'x'], ['--device', 'tpu'], ['--k', '0'], ['--bogus']]) {
    const u = await cli('score', '--model', MODEL, ...args, fx('score-ok.fasta'));
    assert.equal(u.code, 2, `${args.join(' ')}: ${u.err}`);
    assert.match(u.err, /See ume-studio score --help/);
  }
  const nofile = await cli('score', '--model', MODEL, 'test/cli/fixtures/none.fasta');
  assert.equal(nofile.code, 2);
  assert.match(nofile.err, /cannot read "test\/cli\/fixtures\/none\.fasta": no such file/);
  assert.equal((await cli('score')).code, 2);
  const help = await cli('score', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /--mode MODE +PLL mode: masked/);
  assert.match((await cli('--help')).out, /^ {2}score +score the sequences in files with UME/m);
});
