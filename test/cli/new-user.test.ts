// The defects a new user met in `score` and `detect` (issue 17, item 6), each as a test: <unk>-heavy
// sequences get no reward (and so never outrank a scorable one), records carry their FASTA id or
// CSV id/name column, positions follow one stated convention per output, the summary means are per
// modality, `-` reads standard input, and --device cuda without CUDA says so once and scores on cpu.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliWithStdin, jsonLines } from './run-cli';
import { umeConfig } from '../../server/src/engine/ume/config';
import { lobsterTensorSpecs, saveUmeWeights, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import { randomLobsterTensors } from '../ume/reference';

const dir = mkdtempSync(join(tmpdir(), 'ume-new-user-'));
const MODEL = join(dir, 'ume-rand.safetensors');
const PROTEIN = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEV';

before(async () => {
  const C = umeConfig({ name: 'ume-rand', hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32 });
  const w = umeWeightsFromTensors(randomLobsterTensors(lobsterTensorSpecs(C), 5, 0.2), {}, { config: C });
  await saveUmeWeights(MODEL, C, w.params);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a lowercase protein (all <unk>) gets no reward, with the reason, in the JSON and in the table', async () => {
  const file = join(dir, 'case.fasta');
  writeFileSync(file, `>upper\n${PROTEIN}\n>lower\n${PROTEIN.toLowerCase()}\n>mixed\n${PROTEIN.slice(0, 20)}${PROTEIN.slice(20).toLowerCase()}\n`);
  const json = jsonLines((await cli('score', '--json', '--device', 'cpu', '--model', MODEL, file)).out);
  assert.deepEqual(json.map((r) => r.id), ['upper', 'lower', 'mixed']);
  assert.equal(typeof json[0]!.reward, 'number');
  for (const r of json.slice(1)) {
    assert.equal(r.reward, null, `${r.id} must not be rewarded`);
    assert.equal(r.pll, null);
    assert.match(r.reason as string, /^not scored: \d+ of 32 tokens of .* are outside UME's amino_acid vocabulary .*<unk>.*uppercase the sequence$/);
  }
  const table = await cli('score', '--device', 'cpu', '--model', MODEL, file);
  assert.equal(table.code, 1, 'a sequence that could not be scored makes the exit status 1');
  assert.match(table.out, /case\.fasta:4:1 +lower +amino_acid +— +— +— +mktayiakqr/);
  assert.match(table.out, /^ {4}warning: not scored: 32 of 32 tokens .*"m" at 1, "k" at 2/m);
  assert.match(table.out, /; mean reward by modality: amino_acid -\d+\.\d\d \(1\)\.$/m);
});

test('FASTA ids, .smi names and CSV id/name columns tie results to records (detect and score, table and JSON)', async () => {
  const csv = join(dir, 'assay.csv');
  writeFileSync(csv, 'compound_id,smiles,activity\nCPD-1,CCO,0.5\nCPD-2,c1ccccc1O,0.7\n,CCN,0.1\n');
  const smi = join(dir, 'mols.smi');
  writeFileSync(smi, 'CCO ethanol\nc1ccccc1\n');
  const detect = jsonLines((await cli('detect', '--json', csv, smi)).out);
  assert.deepEqual(detect.map((r) => [r.text, r.id]), [['CCO', 'CPD-1'], ['c1ccccc1O', 'CPD-2'], ['CCN', null], ['CCO', 'ethanol'], ['c1ccccc1', null]]);
  const human = (await cli('detect', csv)).out;
  assert.match(human, /assay\.csv:2:7 {2}CPD-1 {2}SMILES/);
  const table = (await cli('score', '--device', 'cpu', '--model', MODEL, csv)).out;
  assert.match(table, /assay\.csv:3:7 +CPD-2 +SMILES +-\d/);
});

test('positions: the table is 1-based throughout, the JSON 0-based throughout, for the same token', async () => {
  const file = join(dir, 'one.fasta');
  writeFileSync(file, `>p\n${PROTEIN}\n`);
  const [rec] = jsonLines((await cli('score', '--json', '--device', 'cpu', '--model', MODEL, '--least-likely', '1', file)).out);
  const least = (rec!.least_likely as Array<{ offset: number; token: string }>)[0]!;
  assert.equal(PROTEIN[least.offset], least.token, 'JSON offsets are 0-based into "text"');
  assert.deepEqual(rec!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: PROTEIN.length } });
  const table = (await cli('score', '--device', 'cpu', '--model', MODEL, '--least-likely', '1', file)).out;
  assert.match(table, new RegExp(`one\\.fasta:2:1 .* ${least.token}@${least.offset + 1} `), 'the table says LINE:COL and @POS 1-based');
  assert.match(table, /^Positions are 1-based \(LINE:COL, TOKEN@POS\); --json gives 0-based ranges and offsets\.$/m);
  assert.match((await cli('score', '--help')).out, /JSON positions are 0-based/);
});

test('"-" reads standard input; --format names its format; "-" twice is a usage error', async () => {
  const fasta = `>a\n${PROTEIN}\n`;
  const sniffed = jsonLines((await cliWithStdin(fasta, 'detect', '--json', '-')).out);
  assert.deepEqual(sniffed.map((r) => [r.file, r.id, r.modality]), [['-', 'a', 'amino_acid']]);
  const csv = jsonLines((await cliWithStdin('name,smiles\nethanol,CCO\n', 'detect', '--json', '--format', 'csv', '-')).out);
  assert.deepEqual(csv.map((r) => [r.text, r.id]), [['CCO', 'ethanol']]);
  const scored = jsonLines((await cliWithStdin(fasta, 'score', '--json', '--device', 'cpu', '--model', MODEL, '-')).out);
  assert.equal(typeof scored[0]!.reward, 'number');
  const twice = await cliWithStdin(fasta, 'detect', '-', '-');
  assert.equal(twice.code, 2);
  assert.match(twice.err, /"-" \(standard input\) can be given once/);
  assert.equal((await cliWithStdin(fasta, 'detect', '--format', 'xml', '-')).code, 2);
});

test('--device cuda where CUDA cannot start: said once on stderr, then the same scores as on cpu', async () => {
  const file = join(dir, 'three.fasta');
  writeFileSync(file, `>a\n${PROTEIN}\n>b\n${PROTEIN.slice(5)}\n>c\n${PROTEIN.slice(10)}\n`);
  const cuda = await cli('score', '--json', '--device', 'cuda', '--model', MODEL, file);
  const cpu = await cli('score', '--json', '--device', 'cpu', '--model', MODEL, file);
  assert.equal(cuda.code, 0, cuda.err);
  const messages = cuda.err.split('\n').filter((l) => l.trim());
  if (messages.length === 0) return; // a machine where CUDA works: nothing to fall back from
  assert.equal(messages.length, 1, cuda.err);
  assert.match(messages[0]!, /^score: --device cuda: device "cuda" could not start: .*To fix: .*Scoring on cpu instead\.$/);
  assert.doesNotMatch(cuda.out, /could not start/);
  assert.deepEqual(jsonLines(cuda.out).map((r) => r.reward), jsonLines(cpu.out).map((r) => r.reward));
});
