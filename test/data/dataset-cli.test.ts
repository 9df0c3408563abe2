// `ume-studio dataset synthetic|check` through the CLI's main() in-process: the files written, their
// bytes across runs, refusing to clobber, and the check report's lines and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli/run-cli';
import { loadPromptDataset, syntheticDataset } from '../../server/src/engine/data/index';
import { loadRDKit } from '../../server/src/engine/seq/rdkit';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ume-dataset-cli-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const digest = async (dir: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = createHash('sha256').update(await readFile(join(dir, f))).digest('hex');
  return out;
};

test('synthetic writes lobster\'s splits as JSONL, byte for byte the same on a second run and in another directory', async () => {
  await withDir(async (root) => {
    const a = join(root, 'a');
    const r = await cli('dataset', 'synthetic', '--out', a);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote {5}.*train\.jsonl \(270 rows\)/);
    assert.match(r.out, /wrote {5}.*validation\.jsonl \(15 rows\)/);
    assert.match(r.out, /wrote {5}.*test\.jsonl \(15 rows\)/);
    assert.match(r.out, /wrote {5}.*full\.jsonl \(300 rows\)/);
    assert.deepEqual((await readdir(a)).sort(), ['full.jsonl', 'manifest.json', 'test.jsonl', 'train.jsonl', 'validation.jsonl']);
    const first = await digest(a);
    const again = await cli('dataset', 'synthetic', '--out', a, '--seed', '42');
    assert.equal(again.code, 0, again.err);
    assert.equal((again.out.match(/unchanged/g) ?? []).length, 5, again.out);
    const b = join(root, 'b');
    assert.equal((await cli('dataset', 'synthetic', '--out', b)).code, 0);
    assert.deepEqual(await digest(b), first);

    // Each line is {prompt, completion, modality}; the files read back as the generator's rows.
    const lines = (await readFile(join(a, 'train.jsonl'), 'utf8')).trimEnd().split('\n');
    assert.deepEqual(Object.keys(JSON.parse(lines[0]!) as object), ['prompt', 'completion', 'modality']);
    const back = await loadPromptDataset({ kind: 'jsonl', path: join(a, 'train.jsonl') });
    assert.deepEqual(back.rows, syntheticDataset().splits.train);
    assert.deepEqual(back.warnings, []);
    const manifest = JSON.parse(await readFile(join(a, 'manifest.json'), 'utf8')) as { seed: number; splits: Record<string, { rows: number; sha256: string }> };
    assert.equal(manifest.seed, 42);
    assert.equal(manifest.splits.train!.rows, 270);
    assert.equal(manifest.splits.full!.sha256, first['full.jsonl']);

    // Every SMILES in the written files is valid by RDKit.
    const rdkit = await loadRDKit();
    const full = await loadPromptDataset({ kind: 'jsonl', path: join(a, 'full.jsonl') });
    const smiles = full.rows.filter((x) => x.modality === 'SMILES');
    assert.equal(smiles.length, 100);
    for (const x of smiles) assert.ok(rdkit.validate(x.completion as string).ok, String(x.completion));
  });
});

test('synthetic refuses to replace files that differ unless --force; --seed and --per-modality change the rows', async () => {
  await withDir(async (dir) => {
    assert.equal((await cli('dataset', 'synthetic', '--out', dir)).code, 0);
    const before = await digest(dir);
    const refused = await cli('dataset', 'synthetic', '--out', dir, '--seed', '7');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /already exist with other contents: choose another directory or overwrite \(--force\)/);
    assert.deepEqual(await digest(dir), before, 'nothing was touched');
    const forced = await cli('dataset', 'synthetic', '--out', dir, '--seed', '7', '--per-modality', '20', '--force');
    assert.equal(forced.code, 0, forced.err);
    assert.match(forced.out, /train\.jsonl \(54 rows\)/);
    assert.notDeepEqual(await digest(dir), before);
  });
});

test('synthetic usage errors exit 2 with a message', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['dataset'], /give an action, synthetic or check/],
    [['dataset', 'make'], /unknown action "make"; use synthetic or check/],
    [['dataset', 'synthetic'], /--out DIR is required/],
    [['dataset', 'synthetic', '--out', 'x', '--seed=-3'], /--seed expects an integer >= 0/],
    [['dataset', 'synthetic', '--out', 'x', '--seed', '4294967296'], /--seed must be at most 4294967295/],
    [['dataset', 'synthetic', '--out', 'x', '--per-modality', '3'], /--per-modality expects an integer >= 4/],
    [['dataset', 'synthetic', '--out', 'x', '--per-modality', '2000000'], /--per-modality must be at most 1000000/],
    [['dataset', 'synthetic', '--out', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['dataset', 'check'], /give exactly one FILE\.jsonl, got 0/],
    [['dataset', 'check', 'no/such/file.jsonl'], /cannot read dataset no\/such\/file\.jsonl: no such file/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
  const help = await cli('dataset', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /ume-studio dataset synthetic --out DIR/);
});

test('check lists every bad line as FILE:LINE, counts rows per modality, exits 1 on errors and 0 on warnings only', async () => {
  await withDir(async (dir) => {
    const bad = join(dir, 'prompts.jsonl');
    await writeFile(bad, ['{"prompt": "a <smiles>"}', '{"prompt": "b", "modality": "protein"}', 'nope', '{"prompt": "c"}', '{"text": "d"}'].join('\n'));
    const r = await cli('dataset', 'check', bad);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, new RegExp(`^${bad}:3: error: not valid JSON`, 'm'));
    assert.match(r.out, new RegExp(`^${bad}:4: warning: modality unknown`, 'm'));
    assert.match(r.out, new RegExp(`^${bad}:5: error: no "prompt" field \\(fields: text\\)`, 'm'));
    assert.match(r.out, /: 3 rows \(SMILES 1, amino_acid 1, nucleotide 0, unknown 1; modality from prompt tags for 1\); 2 errors, 1 warning$/m);

    const j = await cli('dataset', 'check', '--json', bad);
    assert.equal(j.code, 1);
    const s = JSON.parse(j.out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(s), ['file', 'rows', 'modalities', 'inferred_modality', 'errors', 'warnings', 'problems']);
    assert.deepEqual((s.problems as Array<{ line: number }>).map((p) => p.line), [3, 4, 5]);

    const capped = await cli('dataset', 'check', '--max-samples', '2', bad);
    assert.equal(capped.code, 0, capped.out);
    assert.match(capped.out, /2 rows \(stopped at --max-samples 2, line 2\)/);

    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '\n');
    const e = await cli('dataset', 'check', empty);
    assert.equal(e.code, 1);
    assert.match(e.out, /empty\.jsonl: error: the file is empty/);
  });
});
