// `ume-studio detect` on fixture files: exit codes, the exact JSON Lines shape, human output and
// usage errors, through the CLI's main() in-process (spawning tsx per case costs seconds); the last
// test spawns the esbuild bundle (dist/cli.js) on examples/*, the README's main job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cli, fx, jsonLines, ROOT } from './run-cli';




test('--json prints one object per sequence with exactly the documented keys; exit 1 on errors', async () => {
  const r = await cli('detect', '--json', fx('error.smi'));
  assert.equal(r.code, 1, r.err);
  const [ok, bad] = jsonLines(r.out);
  assert.ok(typeof ok!.confidence === 'number' && ok!.confidence > 0.9 && ok!.confidence <= 1, String(ok!.confidence));
  assert.deepEqual(
    { ...ok, confidence: 'checked' },
    {
      file: fx('error.smi'),
      id: 'ethanol',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } },
      text: 'CCO',
      modality: 'SMILES',
      confidence: 'checked',
      alternatives: [],
      diagnostics: [],
    },
  );
  assert.deepEqual(Object.keys(bad!), ['file', 'id', 'range', 'text', 'modality', 'confidence', 'alternatives', 'diagnostics']);
  assert.deepEqual(bad!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } });
  const diags = bad!.diagnostics as Array<Record<string, unknown>>;
  assert.deepEqual(diags.map((d) => Object.keys(d)), [['code', 'severity', 'message']]);
  assert.deepEqual(diags.map((d) => [d.code, d.severity]), [['UME103', 'error']]);
});

test('warnings alone exit 0; --severity can raise or silence a code', async () => {
  const r = await cli('detect', fx('warn-only.fasta'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^test\/cli\/fixtures\/warn-only\.fasta:4:1 {2}lower {2}amino_acid \(\d\.\d\d\) {2}mktayiakqr {2}UME106$/m);
  assert.match(r.out, /^ {4}warning UME106: /m);
  assert.match(r.out, /^1 file, 2 sequences \(2 amino_acid\); 1 warning\.$/m);

  assert.equal((await cli('detect', '--severity', 'UME106=error', fx('warn-only.fasta'))).code, 1);
  const off = await cli('detect', '--json', '--severity', 'invalid-smiles=off', fx('error.smi'));
  assert.equal(off.code, 0);
  assert.deepEqual(jsonLines(off.out).map((o) => o.diagnostics), [[], []]);
});

test('file-level problems are records with text, modality and confidence null', async () => {
  const r = await cli('detect', '--json', fx('empty-record.fasta'));
  const records = jsonLines(r.out);
  const fileLevel = records.filter((o) => o.text === null);
  assert.equal(fileLevel.length, 1);
  assert.equal(fileLevel[0]!.modality, null);
  assert.equal(fileLevel[0]!.confidence, null);
  assert.deepEqual((fileLevel[0]!.diagnostics as Array<{ code: string }>).map((d) => d.code), ['UME003']);
  assert.equal(records.filter((o) => o.text !== null).length, 1);
});

test('--mode lobster gives lobster\'s answers', async () => {
  const rna = await cli('detect', '--json', '--mode', 'lobster', '--min-length', '5', fx('rna.txt'));
  const dflt = await cli('detect', '--json', '--min-length', '5', fx('rna.txt'));
  assert.deepEqual(jsonLines(dflt.out).map((o) => [o.text, o.modality]), [['AUGGCUACGUAGC', 'nucleotide']]);
  assert.deepEqual(jsonLines(rna.out).map((o) => (o.diagnostics as Array<{ code: string }>).map((d) => d.code)), [['UME114']]);
  assert.equal(rna.code, 1);
});

test('usage errors exit 2 with a message saying what is wrong', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['detect', '--bogus', fx('error.smi')], /Unknown option '--bogus'/],
    [['detect', 'no/such/file.fa'], /cannot read "no\/such\/file\.fa": no such file/],
    [['detect', '--mode', 'lobsterr', fx('error.smi')], /--mode must be one of default, lobster; got "lobsterr"/],
    [['detect', '--min-length', '0', fx('error.smi')], /--min-length expects an integer >= 1, got "0"/],
    [['detect', '--severity', 'UME999=off', fx('error.smi')], /--severity expects CODE=LEVEL with a known code/],
    [['detect'], /no FILE given/],
    [['detect', 'test/cli'], /is a directory/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /Usage: ume-studio COMMAND/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.out, '', `${args.join(' ')} printed to stdout`);
    assert.match(r.err, message, args.join(' '));
  }
  const help = await cli('detect', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: ume-studio detect FILE\.\.\. \[options\]/);
});

test('the bundled CLI runs the README main job on examples/*', () => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const examples = ['assay.csv', 'grpo_completions.jsonl', 'lab-notes.txt', 'molecules.smi', 'proteins.fasta'].map((f) => `examples/${f}`);
  const r = spawnSync(process.execPath, ['dist/cli.js', 'detect', '--json', ...examples], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr); // the examples carry deliberate errors
  const records = jsonLines(r.stdout);
  const errors = records.flatMap((o) =>
    (o.diagnostics as Array<{ code: string; severity: string }>).filter((d) => d.severity === 'error').map((d) => `${o.file} ${d.code}`),
  );
  assert.deepEqual(errors, [
    'examples/grpo_completions.jsonl UME103',
    'examples/molecules.smi UME103',
    'examples/proteins.fasta UME104',
  ]);
  const byModality = (m: string) => records.filter((o) => o.modality === m).length;
  assert.deepEqual([byModality('SMILES'), byModality('amino_acid'), byModality('nucleotide')], [13, 6, 3]);
});
