// UmeRewardFunction through a real UmeScorer (ONNX Runtime, a small random-initialised UME: its
// rewards mean nothing, but every number here is checked against the scorer's own PLL), real RDKit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { umeConfig, type UmeConfig } from '../../server/src/engine/ume/config';
import { UmeScorer } from '../../server/src/engine/ume/scorer';
import { lobsterTensorSpecs, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import type { PllOptions } from '../../server/src/engine/ume/pll';
import type { Encoding } from '../../server/src/engine/ume/tokenizer';
import { UmeRewardFunction, type PllScorer } from '../../server/src/engine/reward/index';
import { randomLobsterTensors } from '../ume/reference';

const C: UmeConfig = umeConfig({ name: 'ume-reward-test', hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32 });
const tensors = randomLobsterTensors(lobsterTensorSpecs(C), 7, 0.2);
const newScorer = (maxLength = 128) => new UmeScorer(umeWeightsFromTensors(tensors, {}, { config: C }), { device: 'cpu', threads: 1, maxLength });
let scorer: UmeScorer;

before(() => {
  scorer = newScorer();
});
after(async () => {
  await scorer.release();
});

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** The scorer's own mean log-prob for one sequence: what a reward must equal times 1/T. */
async function pllOf(text: string, modality: 'SMILES' | 'amino_acid' | 'nucleotide', mode: PllOptions['mode'] = 'sampled'): Promise<number> {
  const [r] = await scorer.pll([{ text, modality }], { mode });
  return r!.mean!;
}

test('valid rows: reward = PLL / T exactly, with modality and token count; defaults T 0.1, sampled (k 16)', async () => {
  const reward = new UmeRewardFunction(scorer);
  const b = await reward.score(['<smiles>CCO</smiles>', 'Here: <protein>MKTAYIAKQR</protein>', '<amino_acid>VYF</amino_acid>', '<DNA>acgtacgt</DNA>']);
  assert.equal(b.mode, 'sampled');
  assert.equal(b.temperature, 0.1);
  assert.equal(b.model, 'ume-reward-test');
  const expected = [
    ['CCO', 'SMILES', 5],
    ['MKTAYIAKQR', 'amino_acid', 12],
    ['VYF', 'amino_acid', 5],
    ['acgtacgt', 'nucleotide', 10],
  ] as const;
  for (const [i, [text, modality, n]] of expected.entries()) {
    const row = b.rows[i]!;
    const pll = await pllOf(text, modality);
    assert.equal(row.penalized, false, row.reason);
    assert.equal(row.reason, undefined);
    assert.equal(row.modality, modality);
    assert.equal(row.nTokens, n);
    close(row.pll!, pll, 1e-6);
    close(row.reward!, row.pll! / 0.1);
    assert.equal(b.rewards[i], row.reward);
  }
  // <amino_acid> is accepted (lobster's own prompt asked for it, its reward rejected it).
  assert.equal(b.rows[2]!.sequences[0]!.source, 'amino_acid');
});

test('temperature and mode are honoured: unmasked at T 0.5 gives the unmasked PLL / 0.5', async () => {
  const b = await new UmeRewardFunction(scorer, { temperature: 0.5, mode: 'unmasked' }).score(['<protein>MKTAYIAKQR</protein>']);
  close(b.rows[0]!.reward!, (await pllOf('MKTAYIAKQR', 'amino_acid', 'unmasked')) / 0.5, 1e-6);
});

test("default 'sampled' scores k = 16 residues of a longer sequence; 'masked' scores them all", async () => {
  const text = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ'; // 33 residues > k
  const [sampled, masked] = await Promise.all([new UmeRewardFunction(scorer).score([`<protein>${text}</protein>`]), new UmeRewardFunction(scorer, { mode: 'masked' }).score([`<protein>${text}</protein>`])]);
  close(sampled.rows[0]!.pll!, await pllOf(text, 'amino_acid', 'sampled'), 1e-6);
  close(masked.rows[0]!.pll!, await pllOf(text, 'amino_acid', 'masked'), 1e-6);
  assert.notEqual(sampled.rows[0]!.pll, masked.rows[0]!.pll);
  // Deterministic: the same sequence gets the same sampled positions, so the same reward, in any batch.
  const again = await new UmeRewardFunction(scorer).score(['<smiles>CCO</smiles>', `<protein>${text}</protein>`]);
  assert.equal(again.rows[1]!.reward, sampled.rows[0]!.reward);
});

const MIXED = [
  '<smiles>CCO</smiles>',
  'no tag at all',
  '<smiles></smiles>',
  '<smiles>C1CC</smiles>',
  '<protein>MKTAYIAKQRQISFVKSHFSRQ</protein>',
  `<protein>${'MKTAYIAKQR'.repeat(20)}</protein>`,
  '<dna>acgtnacgt</dna>',
  '<protein>mktayiakqr</protein>',
  '<rna>ACGUACGU</rna>',
];

test('invalid or unscorable rows get the penalty AND a reason; the penalty ranks below every valid row', async () => {
  const b = await new UmeRewardFunction(scorer).score(MIXED);
  const kinds = b.rows.map((r) => r.kind ?? 'scored');
  assert.deepEqual(kinds, ['scored', 'no-tag', 'empty-tag', 'invalid-smiles', 'scored', 'overlong', 'scored', 'unknown-tokens', 'scored']);
  const valid = b.rows.filter((r) => !r.penalized).map((r) => r.reward!);
  // A random model's PLL is far below lobster's -0.5 break-even; the penalty still ranks last.
  assert.ok(Math.max(...valid) < -5, `valid rewards ${valid}`);
  const penalty = Math.min(...valid) - 0.5 / 0.1;
  for (const r of b.rows.filter((x) => x.penalized)) {
    assert.ok(r.reason && r.reason.length > 10, `a penalised row needs a reason: ${JSON.stringify(r)}`);
    close(r.reward!, penalty);
    assert.equal(r.pll, null);
    assert.ok(r.reward! < Math.min(...valid));
    assert.notEqual(r.reward, 0);
  }
  assert.match(b.rows[3]!.reason!, /invalid SMILES "C1CC": .*ring/i);
  assert.match(b.rows[5]!.reason!, /202 tokens .* over the scorer's max length 128/);
  assert.equal(b.stats.penalty, penalty);
  assert.equal(b.stats.noTag, 1);
  assert.equal(b.stats.invalid, 4);
  assert.equal(b.stats.penalized, 5);
  assert.equal(b.stats.byModality.SMILES.count, 1);
  assert.equal(b.stats.byModality.amino_acid.count, 1);
  assert.equal(b.stats.byModality.nucleotide.count, 2);
  assert.equal(b.metrics['train/batch_size'], MIXED.length);
  assert.equal(b.metrics['train/modality_nucleotide/count'], 2);
  close(b.metrics['train/min_reward'] as number, penalty);
});

test("fixed penalty reproduces lobster's -5 (and its defect: it outranks these valid rows)", async () => {
  const b = await new UmeRewardFunction(scorer, { penalty: { kind: 'fixed', pll: -0.5 } }).score(['<smiles>CCO</smiles>', 'untagged']);
  assert.equal(b.rows[1]!.reward, -5);
  assert.ok(b.rows[0]!.reward! < -5);
});

test('all rows invalid: fallback penalty -ln(1280) / T', async () => {
  const b = await new UmeRewardFunction(scorer).score(['nothing', '<smiles></smiles>']);
  for (const r of b.rows) close(r.reward!, -Math.log(1280) / 0.1);
});

test("overlong: 'truncate' scores the first maxLength tokens and flags the row", async () => {
  const b = await new UmeRewardFunction(scorer, { overlong: 'truncate' }).score([MIXED[5]!]);
  const r = b.rows[0]!;
  assert.equal(r.penalized, false);
  assert.equal(r.truncated, true);
  assert.equal(r.nTokens, 128);
  assert.match(r.reason!, /first 128 tokens only/);
  close(r.pll!, await pllOf('MKTAYIAKQR'.repeat(20), 'amino_acid'), 1e-6);
});

test("several tags: 'first' scores the first; 'mean' and 'min' combine every sequence's PLL", async () => {
  const text = '<smiles>CCO</smiles> then <protein>MKTAYIAKQR</protein>';
  const a = await pllOf('CCO', 'SMILES');
  const p = await pllOf('MKTAYIAKQR', 'amino_acid');
  const [first, mean, min] = await Promise.all((['first', 'mean', 'min'] as const).map((multiple) => new UmeRewardFunction(scorer, { multiple }).score([text])));
  close(first!.rows[0]!.pll!, a, 1e-6);
  assert.equal(first!.rows[0]!.sequences.length, 1);
  close(mean!.rows[0]!.pll!, (a + p) / 2, 1e-6);
  assert.equal(mean!.rows[0]!.nTokens, 5 + 12);
  close(min!.rows[0]!.pll!, Math.min(a, p), 1e-6);
});

test('detection fallback: off penalises untagged text; on, untagged sequences are scored by detected modality', async () => {
  const texts = ['MKTAYIAKQRQISFVKSHFSRQ', 'CC(=O)Oc1ccccc1C(=O)O'];
  const off = await new UmeRewardFunction(scorer).score(texts);
  assert.deepEqual(off.rows.map((r) => r.kind), ['no-tag', 'no-tag']);
  const on = await new UmeRewardFunction(scorer, { detection: 'default' }).score(texts);
  assert.deepEqual(on.rows.map((r) => [r.modality, r.penalized]), [['amino_acid', false], ['SMILES', false]]);
  close(on.rows[1]!.pll!, await pllOf(texts[1]!, 'SMILES'), 1e-6);
});

test("TRL null rows: noTag 'null' abstains on untagged rows; `modalities` abstains on other modalities", async () => {
  const b = await new UmeRewardFunction(scorer, { noTag: 'null', modalities: ['SMILES'] }).score(['plain text', '<protein>MKT</protein>', '<smiles>CCO</smiles>', '<smiles>C1C</smiles>']);
  assert.deepEqual(b.rewards.slice(0, 2), [null, null]);
  assert.match(b.rows[0]!.reason!, /no <smiles>/);
  assert.match(b.rows[1]!.reason!, /amino_acid sequence; this reward judges only SMILES/);
  assert.equal(b.rows[2]!.penalized, false);
  assert.equal(b.rows[3]!.penalized, true, 'an invalid SMILES is still judged (penalised) by a SMILES-only reward');
  assert.equal(b.stats.nulls, 2);
  assert.equal(b.stats.overall.count, 2);
});

test('TRL calling convention: (prompts, completions, columns) -> one value per completion; conversational completions', async () => {
  const reward = new UmeRewardFunction(scorer, { name: 'ume_pll' });
  const f = reward.asRewardFunc();
  assert.equal(f.rewardName, 'ume_pll');
  const out = await f(['p1', 'p2'], [[{ role: 'assistant', content: '<smiles>CCO</smiles>' }], 'none'], { answer: ['x', 'y'] });
  assert.equal(out.length, 2);
  close(out[0]!, (await pllOf('CCO', 'SMILES')) / 0.1, 1e-6);
  assert.equal(reward.last?.rewards, out);
  assert.equal(reward.totalSamples, 2);
  assert.equal(reward.last?.metrics['train/total_samples_processed'], 2);
  assert.deepEqual((await reward.score([])).rows, []);
});

test('each forward pass holds one modality; scorer calls are chunks of batchSize (counted on the real scorer)', async () => {
  const forwards: number[][] = [];
  // Spy on the real scorer's (private) run: record the cls token of every row of every forward pass.
  const s = newScorer();
  type Run = (o: string[], f: Record<string, { shape: number[]; data: BigInt64Array }>) => Promise<unknown>;
  const spied = s as unknown as { run: Run };
  const realRun = spied.run.bind(s);
  spied.run = (outputs, feeds) => {
    const ids = feeds['input_ids']!;
    const [B, T] = ids.shape as [number, number];
    forwards.push(Array.from({ length: B }, (_, b) => Number(ids.data[b * T])));
    return realRun(outputs, feeds);
  };
  const calls: Array<{ modalities: string[] }> = [];
  const counting: PllScorer = {
    name: s.name,
    maxLength: s.maxLength,
    pllEncoded: (encs: readonly Encoding[], o: PllOptions) => {
      calls.push({ modalities: encs.map((e) => e.modality) });
      return s.pllEncoded(encs, o);
    },
  };
  const completions = [
    ...['CCO', 'CCN', 'c1ccccc1', 'CC(=O)O', 'CCCC'].map((x) => `<smiles>${x}</smiles>`),
    ...['MKT', 'VYF', 'GGAV'].map((x) => `<protein>${x}</protein>`),
    '<dna>acgt</dna>',
  ];
  // Interleave modalities so grouping has work to do.
  const order = [0, 5, 8, 1, 6, 2, 7, 3, 4];
  const b = await new UmeRewardFunction(counting, { batchSize: 2, mode: 'unmasked' }).score(order.map((i) => completions[i]!));
  assert.ok(b.rows.every((r) => !r.penalized));
  // 5 SMILES -> 3 calls, 3 proteins -> 2, 1 DNA -> 1.
  assert.deepEqual(calls.map((c) => c.modalities.length), [2, 2, 1, 2, 1, 1]);
  for (const c of calls) assert.equal(new Set(c.modalities).size, 1, `one modality per scorer call: ${c.modalities}`);
  assert.ok(forwards.length >= calls.length);
  for (const f of forwards) assert.equal(new Set(f).size, 1, `one cls (modality) per forward pass: ${f}`);
  assert.deepEqual([...new Set(forwards.flat())].sort(), [1, 2, 3]);
  await s.release();
});

test("the scorer's real errors become penalties with the scorer's message, never a reward of 0", async () => {
  const released = newScorer();
  await released.release();
  const b = await new UmeRewardFunction(released).score(['<smiles>CCO</smiles>', '<protein>MKT</protein>']);
  for (const r of b.rows) {
    assert.equal(r.kind, 'scoring-error');
    assert.match(r.reason!, /UME scorer "ume-reward-test" failed: .*released/);
    close(r.reward!, -Math.log(1280) / 0.1);
  }
});

test('non-finite PLL from corrupt (NaN) weights is a penalty with a reason', async () => {
  const bad = new Map(tensors);
  const name = [...bad.keys()].find((k) => k.endsWith('tok_embeddings.weight'))!;
  const t = bad.get(name)!;
  bad.set(name, { ...t, data: new Float32Array(t.data as Float32Array).fill(Number.NaN) });
  const nanScorer = new UmeScorer(umeWeightsFromTensors(bad, {}, { config: C }), { device: 'cpu', threads: 1 });
  try {
    const b = await new UmeRewardFunction(nanScorer).score(['<smiles>CCO</smiles>']);
    assert.equal(b.rows[0]!.kind, 'non-finite');
    assert.match(b.rows[0]!.reason!, /no finite PLL/);
    assert.ok(Number.isFinite(b.rows[0]!.reward!));
  } finally {
    await nanScorer.release();
  }
});

test('a failing scorer call is retried per sequence, so only the sequence that fails is penalised', async () => {
  // Fault injection around the real scorer: refuse any call that contains the "poison" protein.
  const poison = 'WWWWWWWW';
  const flaky: PllScorer = {
    name: scorer.name,
    maxLength: scorer.maxLength,
    pllEncoded: async (encs, o) => {
      if (encs.some((e) => e.ids.length === poison.length + 2 && e.modality === 'amino_acid' && e.ids.slice(1, -1).every((id) => id === e.ids[1]))) throw new Error('simulated ORT failure');
      return scorer.pllEncoded(encs, o);
    },
  };
  const b = await new UmeRewardFunction(flaky).score(['<protein>MKTAYIAKQR</protein>', `<protein>${poison}</protein>`, '<protein>VYF</protein>']);
  assert.deepEqual(b.rows.map((r) => r.kind ?? 'scored'), ['scored', 'scoring-error', 'scored']);
  assert.match(b.rows[1]!.reason!, /simulated ORT failure/);
});

test('cancellation rejects with AbortError instead of penalising', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(new UmeRewardFunction(scorer).score(['<smiles>CCO</smiles>'], { signal: ac.signal }), { name: 'AbortError' });
});

test('bad options are refused with what is allowed', () => {
  assert.throws(() => new UmeRewardFunction(scorer, { temperature: 0 }), /temperature must be a positive number/);
  assert.throws(() => new UmeRewardFunction(scorer, { batchSize: 0 }), /batchSize must be a positive integer/);
  assert.throws(() => new UmeRewardFunction(scorer, { mode: 'pll' as 'masked' }), /unknown PLL mode "pll"/);
  assert.throws(() => new UmeRewardFunction(scorer, { detection: 'yes' as 'off' }), /detection must be/);
});
