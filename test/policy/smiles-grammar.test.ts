// policy-tiny's SMILES syntax constraint (engine/policy/tiny/smiles-grammar.ts): it accepts real
// SMILES (RDKit's NCI test set), what it lets the sampler write parses (Python RDKit, before
// sanitization), and sampled, recomputed and train-graph log-probs agree under it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { compile } from '../../server/src/engine/onnx/runtime';
import type { Value } from '../../server/src/engine/onnx/ir';
import { logpBatch } from '../../server/src/engine/policy/logprob-batch';
import { PolicyTiny, CLS_ID } from '../../server/src/engine/policy/tiny';
import { advance, allowedNext, grammarFeeds, GRAMMAR_INDEX, SMILES_START, stateAfter } from '../../server/src/engine/policy/tiny/smiles-grammar';
import { extractTagged } from '../../server/src/engine/reward/extract';
import { loadRDKit } from '../../server/src/engine/seq/rdkit';
import { buildInferenceGraph } from '../../server/src/engine/train/compile-step';
import { Rng } from '../../server/src/engine/train/rng';
import { encode, SPECIAL } from '../../server/src/engine/ume/tokenizer';

const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';
/** Every NCI_STRIDE-th molecule of the set (about 300); UME_GRAMMAR_FULL=1 walks all ~4900 (minutes). */
const NCI_STRIDE = process.env['UME_GRAMMAR_FULL'] === '1' ? 1 : 16;
const PY = '/usr/bin/python3';
const hasPyRdkit = existsSync(PY) && spawnSync(PY, ['-c', 'import rdkit'], { stdio: 'ignore' }).status === 0;

const body = (smiles: string): number[] | null => {
  const ids = encode(smiles, 'SMILES').ids.slice(1, -1);
  return ids.includes(SPECIAL.unk) ? null : ids;
};

/** Which of `smiles` Python RDKit parses (syntax only: sanitize=False). */
function pyParses(smiles: readonly string[]): boolean[] {
  const code = 'import sys,json\nfrom rdkit import Chem, RDLogger\nRDLogger.DisableLog("rdApp.*")\nprint(json.dumps([Chem.MolFromSmiles(s, sanitize=False) is not None for s in json.load(sys.stdin)]))';
  const r = spawnSync(PY, ['-c', code], { input: JSON.stringify(smiles), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as boolean[];
}

test('the grammar accepts real molecules: RDKit NCI set, every token allowed and <eos> allowed at the end', { skip: existsSync(NCI) ? false : `${NCI} missing (Debian package rdkit-data)` }, async () => {
  const lines = readFileSync(NCI, 'utf8').split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean).filter((_, i) => i % NCI_STRIDE === 0);
  let checked = 0;
  const refused: string[] = [];
  for (const smi of lines) {
    const ids = body(smi);
    if (!ids) continue;
    checked++;
    let s = SMILES_START;
    let ok = true;
    for (const id of ids) {
      if (!allowedNext(s)[id]) ok = false;
      s = advance(s, id);
    }
    if (!ok || !allowedNext(s)[SPECIAL.eos]) refused.push(smi);
  }
  assert.ok(checked > 4000 / NCI_STRIDE, `${checked} molecules checked`);
  // Multi-fragment salts and the like are real SMILES too: nothing RDKit sanitizes may be refused
  // (the valence rules do refuse the set's few over-valent entries, e.g. F[P](F)(F)(F)(F)F).
  const rdkit = await loadRDKit();
  const wrong = refused.filter((smi) => rdkit.validate(smi).ok);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${checked} real SMILES that RDKit sanitizes refused`);
  assert.ok(refused.length < 20 / NCI_STRIDE + 2, `${refused.length} refused`);
});

test('rules: branches balance, rings close before <eos>, a ring label is not reused on one atom, a broken prefix goes free', () => {
  const ids = (s: string): number[] => body(s)!;
  const C = ids('C')[0]!;
  const open = ids('(')[0] ?? ids('C(C)')[1]!;
  const close = ids('C(C)')[3]!;
  const one = ids('C1CC1')[1]!;
  assert.equal(allowedNext(SMILES_START)[SPECIAL.eos], 0, 'no empty SMILES');
  assert.equal(allowedNext(SMILES_START)[open], 0, 'no branch first');
  assert.equal(allowedNext(stateAfter([C]))[SPECIAL.eos], 1);
  assert.equal(allowedNext(stateAfter([C, open, C]))[SPECIAL.eos], 0, 'branch open');
  assert.equal(allowedNext(stateAfter([C, open, C]))[close], 1);
  assert.equal(allowedNext(stateAfter([C]))[close], 0, 'nothing to close');
  assert.equal(allowedNext(stateAfter([C, one]))[SPECIAL.eos], 0, 'ring 1 open');
  assert.equal(allowedNext(stateAfter([C, one]))[one], 0, 'C11 bonds an atom to itself');
  assert.equal(allowedNext(stateAfter([C, one, C, C, one]))[SPECIAL.eos], 1);
  assert.equal(stateAfter([close, C]).free, true);
});

test('grammarFeeds: SMILES rows get the constrained rows, others and rule-breaking rows row 0 (unconstrained)', () => {
  const good = [CLS_ID.SMILES, ...body('CC(=O)O')!, SPECIAL.eos];
  const broken = [CLS_ID.SMILES, ...body('C')!, ...body('C(C)')!.slice(3, 4), SPECIAL.eos]; // "C)"
  const protein = [CLS_ID.amino_acid, ...encode('MKV', 'amino_acid').ids.slice(1, -1), SPECIAL.eos];
  const batch = logpBatch([good, broken, protein].map((seq) => ({ promptIds: seq.slice(0, 1), completionIds: seq.slice(1) })), 64, SPECIAL.pad)!;
  const f = grammarFeeds(batch.inputIds.data as BigInt64Array, batch.inputIds.shape[1]!, batch.positions.data as BigInt64Array, batch.T, SPECIAL.cls_smiles, -1e9);
  const index = Array.from(f[GRAMMAR_INDEX]!.data as BigInt64Array, Number);
  const row = (b: number): number[] => index.slice(b * batch.T, (b + 1) * batch.T);
  assert.ok(row(0).every((k) => k > 0), 'the SMILES row is constrained at every position');
  assert.deepEqual(row(1), new Array(batch.T).fill(0));
  assert.deepEqual(row(2), new Array(batch.T).fill(0));
});

let policy: PolicyTiny;
before(async () => {
  policy = await PolicyTiny.load(undefined, { threads: 1, smilesGrammar: true, smilesGrammarBudget: 160 });
});
after(async () => {
  await policy.release();
});

test('under the grammar, sampled SMILES parse, and sample/logprobs/train-graph log-probs agree', { skip: hasPyRdkit ? false : 'Debian python3-rdkit is not installed' }, async () => {
  const rows = Array.from({ length: 48 }, () => [CLS_ID.SMILES]);
  const samples = await policy.sample(rows, { maxNewTokens: 160 }, new Rng(3));
  const finished = samples.filter((s) => s.finish === 'stop');
  // The budget closes every row within maxNewTokens.
  assert.equal(finished.length, 48, `${finished.length} of 48 finished`);
  const texts = finished.map((s) => extractTagged(s.text).spans[0]!.content);
  const parses = pyParses(texts);
  // A prefix the greedy closing plan cannot finish ends with <eos> anyway (the mask is never empty):
  // rare (0.8% of 128 at T=1 in scripts/policy/smiles-validity.ts).
  const unparsed = texts.filter((_, i) => !parses[i]);
  assert.ok(unparsed.length <= texts.length * 0.05, `SMILES the grammar let through that RDKit cannot parse: ${unparsed.length} of ${texts.length}: ${unparsed.slice(0, 3).join('  ')}`);

  const requests = samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.ids }));
  const viaLogprobs = await policy.logprobs(requests, 1);
  const graph = buildInferenceGraph(policy.params.specs(), { input_ids: { dtype: 'int64', shape: ['B', 'L'] }, positions: { dtype: 'int64', shape: ['B', 'T'] }, ...policy.logpExtraInputs }, (ctx) => {
    const extra: Record<string, Value> = Object.fromEntries(Object.keys(policy.logpExtraInputs ?? {}).map((k) => [k, ctx.batch[k]!]));
    const out = policy.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature: 1, extra });
    return { logps: out.logps };
  });
  const model = await compile(graph, { device: 'cpu', threads: 1 });
  const batch = logpBatch(requests, policy.config.maxLen, SPECIAL.pad)!;
  const out = await model.run({ ...Object.fromEntries(policy.params.entries()), input_ids: batch.inputIds, positions: batch.positions, ...policy.logpExtraFeeds(batch.inputIds, batch.positions) });
  await model.release();
  const lp = out['logps']!.data as Float32Array;
  let worst = 0;
  samples.forEach((s, b) => {
    for (let t = 0; t < s.ids.length; t++) {
      worst = Math.max(worst, Math.abs(s.logprobs[t]! - viaLogprobs[b]!.logps[t]!), Math.abs(s.logprobs[t]! - lp[b * batch.T + t]!));
    }
  });
  assert.ok(worst < 1e-4, `largest log-prob difference ${worst}`);
  // The constraint matters: the unconstrained model gives the same completions lower log-probs.
  const free = await PolicyTiny.load(undefined, { threads: 1 });
  try {
    const un = await free.logprobs(requests, 1);
    const sum = (x: Float32Array): number => x.reduce((a, v) => a + v, 0);
    assert.ok(samples.some((_, b) => sum(un[b]!.logps) < sum(viaLogprobs[b]!.logps) - 1e-3), 'the grammar changed no log-prob');
  } finally {
    await free.release();
  }
});
