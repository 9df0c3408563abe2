import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../../server/src/engine/models/forward-check';
import { umeConfig, type UmeConfig } from '../../server/src/engine/ume/config';
import { leastLikely, type PllResult } from '../../server/src/engine/ume/pll';
import { UmeScorer, type SequenceInput } from '../../server/src/engine/ume/scorer';
import { SPECIAL } from '../../server/src/engine/ume/tokenizer';
import { lobsterTensorSpecs, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import { randomLobsterTensors, refUmeForward } from './reference';

const C: UmeConfig = umeConfig({ name: 'ume-test', hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32 });
const tensors = randomLobsterTensors(lobsterTensorSpecs(C), 21, 0.2);
let scorer: UmeScorer;

const INPUTS: SequenceInput[] = [
  { text: 'MKTAYIAKQR', modality: 'amino_acid' },
  { text: 'CC(=O)Oc1ccccc1C(=O)O', modality: 'SMILES' },
  { text: 'ACGTTGCA', modality: 'nucleotide' },
  { text: 'VYF', modality: 'amino_acid' },
];

before(() => {
  scorer = UmeScorer.fromParams(C, umeWeightsFromTensors(tensors, {}, { config: C }).params, { device: 'cpu', threads: 1 });
});
after(async () => {
  await scorer.release();
});

const V = C.vocabSize;
const residues = (ids: number[]) => ids.map((_, t) => t).filter((t) => t > 0 && t < ids.length - 1);

function refUnmasked(ids: number[]): number[] {
  const lp = refUmeForward(C, tensors, ids).logprobs.data;
  return ids.map((id, t) => lp[t * V + id]!);
}

function refMasked(ids: number[]): Array<number | null> {
  const out: Array<number | null> = ids.map(() => null);
  for (const p of residues(ids)) {
    const masked = ids.slice();
    masked[p] = SPECIAL.mask;
    out[p] = refUmeForward(C, tensors, masked).logprobs.data[p * V + ids[p]!]!;
  }
  return out;
}

/** Scored log-probs only (nulls dropped); the null pattern is compared separately where it matters. */
const values = (r: PllResult) => r.logprobs.filter((x): x is number => x !== null);
const scoredMask = (r: PllResult) => r.logprobs.map((x) => x !== null);

test('unmasked PLL equals the reference: mean observed-token log-prob over all tokens incl. cls and eos', async () => {
  const res = await scorer.pll(INPUTS, { mode: 'unmasked' });
  res.forEach((r, i) => {
    const ref = refUnmasked(r.ids);
    assertClose(values(r), ref, 1e-4, `unmasked log-probs of ${INPUTS[i]!.text}`);
    assert.equal(r.count, r.ids.length);
    assertClose([r.mean!], [ref.reduce((a, b) => a + b, 0) / ref.length], 1e-4, 'unmasked mean');
    assert.equal(r.ids[0], [1, 2, 3, 1][i]);
  });
});

test('unmasked PLL of a mixed batch equals per-sequence PLL (padding does not leak)', async () => {
  const together = await scorer.pll(INPUTS, { mode: 'unmasked' });
  for (let i = 0; i < INPUTS.length; i++) {
    const [alone] = await scorer.pll([INPUTS[i]!], { mode: 'unmasked' });
    assertClose(values(together[i]!), values(alone!), 1e-5, `sequence ${i} in a batch vs alone`);
  }
});

test('masked PLL equals the reference: each residue masked in turn, mean over residues only', async () => {
  const res = await scorer.pll(INPUTS.slice(0, 3), { mode: 'masked' });
  res.forEach((r) => {
    const ref = refMasked(r.ids);
    assert.equal(r.logprobs[0], null, 'cls is not scored');
    assert.equal(r.logprobs[r.ids.length - 1], null, 'eos is not scored');
    assert.equal(r.count, r.ids.length - 2);
    assert.deepEqual(scoredMask(r), ref.map((x) => x !== null));
    assertClose(values(r), ref.filter((x): x is number => x !== null), 1e-4, 'masked log-probs');
    const refMean = (ref.filter((x) => x !== null) as number[]).reduce((a, b) => a + b, 0) / r.count;
    assertClose([r.mean!], [refMean], 1e-4, 'masked mean');
  });
  assert.deepEqual(leastLikely(res[0]!, 3).map((x) => x.index).length, 3);
});

test('sampled with k >= length equals masked exactly; smaller k scores a seeded subset with the same values', async () => {
  const masked = await scorer.pll(INPUTS, { mode: 'masked' });
  const full = await scorer.pll(INPUTS, { mode: 'sampled', k: 1000 });
  assert.deepEqual(full.map((r) => r.logprobs), masked.map((r) => r.logprobs));
  assert.deepEqual(full.map((r) => r.mean), masked.map((r) => r.mean));
  const some = await scorer.pll(INPUTS, { mode: 'sampled', k: 3, seed: 5 });
  some.forEach((r, i) => {
    const scored = r.logprobs.flatMap((x, t) => (x === null ? [] : [t]));
    assert.equal(scored.length, Math.min(3, r.ids.length - 2));
    assertClose(scored.map((t) => r.logprobs[t]!), scored.map((t) => masked[i]!.logprobs[t]!), 1e-5, 'sampled values vs masked');
  });
  // Seeded and independent of the batch: the same sequence alone gets the same positions.
  const [alone] = await scorer.pll([INPUTS[1]!], { mode: 'sampled', k: 3, seed: 5 });
  assert.deepEqual(scoredMask(alone!), scoredMask(some[1]!));
  const other = await scorer.pll([INPUTS[1]!], { mode: 'sampled', k: 3, seed: 6 });
  assert.notDeepEqual(scoredMask(other[0]!), scoredMask(some[1]!));
});

test('chunked forward passes (tight memory bounds) give the same PLL as one big batch', async () => {
  const tight = new UmeScorer(scorer.weights, { device: 'cpu', threads: 1, maxTokens: 40, maxAttention: 2000 });
  try {
    const a = await tight.pll(INPUTS, { mode: 'masked' });
    const b = await scorer.pll(INPUTS, { mode: 'masked' });
    a.forEach((r, i) => {
      assert.deepEqual(scoredMask(r), scoredMask(b[i]!));
      assertClose(values(r), values(b[i]!), 1e-5, `chunked vs batched ${i}`);
    });
  } finally {
    await tight.release();
  }
});

test('masked PLL through the shared-context graph equals explicit copies, however the passes are split', async () => {
  const explicit = new UmeScorer(scorer.weights, { device: 'cpu', threads: 1, maxShared: 0 });
  // One base per pass (the bound admits a single 22-token base) and copies split across passes.
  const oneBase = new UmeScorer(scorer.weights, { device: 'cpu', threads: 1, maxShared: 23 * 23 * C.hiddenSize, maxTokens: 60 });
  try {
    const ref = await explicit.pll(INPUTS, { mode: 'masked' });
    for (const [name, s] of [['default bounds', scorer], ['one base per pass', oneBase]] as const) {
      const got = await s.pll(INPUTS, { mode: 'masked' });
      got.forEach((r, i) => {
        assert.deepEqual(scoredMask(r), scoredMask(ref[i]!));
        assertClose(values(r), values(ref[i]!), 1e-5, `${name}: shared vs explicit, sequence ${i}`);
      });
    }
  } finally {
    await explicit.release();
    await oneBase.release();
  }
});

test('truncation is reported; an empty sequence has no masked PLL and says why', async () => {
  const short = new UmeScorer(scorer.weights, { device: 'cpu', threads: 1, maxLength: 6 });
  try {
    const [r] = await short.pll([{ text: 'MKTAYIAKQR', modality: 'amino_acid' }], { mode: 'masked' });
    assert.equal(r!.truncated, true);
    assert.equal(r!.ids.length, 6);
    assert.equal(r!.count, 4);
  } finally {
    await short.release();
  }
  const [empty] = await scorer.pll([{ text: '', modality: 'amino_acid' }], { mode: 'masked' });
  assert.equal(empty!.mean, null);
  assert.match(empty!.reason!, /no residue tokens/);
  const [emptyUnmasked] = await scorer.pll([{ text: '', modality: 'amino_acid' }], { mode: 'unmasked' });
  assert.equal(emptyUnmasked!.count, 2);
  assert.ok(Number.isFinite(emptyUnmasked!.mean));
});

test('cancelled requests stop with an AbortError; bad options are refused', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(scorer.pll(INPUTS, { mode: 'masked', signal: ac.signal }), { name: 'AbortError' });
  await assert.rejects(scorer.pll(INPUTS, { mode: 'sampled', k: 0 }), /positive integer k/);
  await assert.rejects(scorer.pll(INPUTS, { mode: 'bogus' as 'masked' }), /unknown PLL mode/);
});

test('embeddings are the mean of final hidden states over real tokens', async () => {
  const res = await scorer.embed(INPUTS);
  const encs = scorer.encode(INPUTS);
  res.forEach((r, i) => {
    const ids = encs[i]!.ids;
    const h = refUmeForward(C, tensors, ids).hidden.data;
    const H = C.hiddenSize;
    const mean = Array.from({ length: H }, (_, j) => ids.reduce((s, _id, t) => s + h[t * H + j]!, 0) / ids.length);
    assertClose(r.embedding, mean, 1e-4, `embedding ${i}`);
  });
});
