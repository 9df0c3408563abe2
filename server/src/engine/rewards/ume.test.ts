import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveModel } from '../reward/index';
import { UmeScorer } from '../ume/scorer';
import { checkRewardResults } from './types';
import { createUmeReward, umeRowResult, type UmeReward } from './ume';

const UBIQUITIN = 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG';
const row = (completion: string) => ({ prompt: 'Generate a sequence', completion });

describe('createUmeReward with the real ume-tiny', () => {
  let reward: UmeReward;
  before(async () => {
    reward = await createUmeReward({ mode: 'masked', device: 'cpu' });
  });
  after(async () => reward.close?.());

  it('scores uppercase ubiquitin and abstains on lowercase ubiquitin (unk tokens), never an inflated PLL', async () => {
    const inputs = [row(`<protein>${UBIQUITIN}</protein>`), row(`<protein>${UBIQUITIN.toLowerCase()}</protein>`)];
    const res = checkRewardResults(reward, inputs, await reward.score(inputs));
    assert.equal(typeof res[0]!.value, 'number');
    assert.ok(Number.isFinite(res[0]!.value!) && res[0]!.value! < 0, `uppercase reward ${res[0]!.value}`);
    assert.equal(res[0]!.modality, 'amino_acid');
    assert.equal(res[0]!.kind, undefined);
    assert.equal(res[1]!.value, null);
    assert.equal(res[1]!.kind, 'unk-tokens');
    assert.match(res[1]!.reason!, /outside UME's amino-acid alphabet/);
  });

  it('the raw scorer does give lowercase ubiquitin a higher PLL: the reason to abstain', async () => {
    const scorer = await UmeScorer.fromFile(resolveModel().path, { device: 'cpu' });
    try {
      const [up, low] = await scorer.pll([{ text: UBIQUITIN, modality: 'amino_acid' }, { text: UBIQUITIN.toLowerCase(), modality: 'amino_acid' }], { mode: 'masked' });
      assert.ok(low!.mean! > up!.mean!, `lowercase ${low!.mean} vs uppercase ${up!.mean}`);
    } finally {
      await scorer.release();
    }
  });

  it('penalised rows keep their penalty value and kind; lowercase DNA is fine (UME lowercases nucleotides)', async () => {
    const inputs = [row('<smiles>CCO</smiles>'), row(UBIQUITIN), row('<smiles>C1CC</smiles>'), row('<dna>acgtacgtagctagctagcatcgatcg</dna>')];
    const res = await reward.score(inputs);
    assert.equal(typeof res[0]!.value, 'number');
    assert.equal(res[1]!.kind, 'no-tag');
    assert.equal(res[2]!.kind, 'invalid-smiles');
    for (const r of [res[1]!, res[2]!]) {
      assert.equal(typeof r.value, 'number');
      assert.ok(r.value! < Math.min(res[0]!.value!, res[3]!.value!), 'a penalty ranks below every valid row');
      assert.ok(r.reason);
    }
    assert.equal(res[3]!.modality, 'nucleotide');
    assert.equal(typeof res[3]!.value, 'number');
  });

  it('takes the options the trainer passes: temperature and name', async () => {
    const r2 = await createUmeReward({ mode: 'masked', device: 'cpu', temperature: 1, name: 'ume_t1' });
    try {
      assert.equal(r2.name, 'ume_t1');
      const [a] = await r2.score([row('<smiles>CCO</smiles>')]);
      const [b] = await reward.score([row('<smiles>CCO</smiles>')]);
      assert.ok(Math.abs(a!.value! * 10 - b!.value!) < 1e-6 * Math.abs(b!.value!), `${a!.value} at T 1 vs ${b!.value} at T 0.1`);
    } finally {
      await r2.close?.();
    }
  });
});

describe('umeRowResult', () => {
  const base = { pll: -2, nTokens: 5, penalized: false, modality: 'amino_acid' as const };
  it('abstains on a scored sequence that holds <unk> even when preparation let it through', () => {
    const r = umeRowResult({ ...base, reward: -20, sequences: [{ text: 'MKVl', modality: 'amino_acid', source: 'protein', pll: -2, nTokens: 6, truncated: false }] });
    assert.equal(r.value, null);
    assert.equal(r.kind, 'unk-tokens');
    assert.match(r.reason!, /1 <unk> token/);
  });
  it('abstains on scoring errors and non-finite PLLs, with the scorer message', () => {
    const r = umeRowResult({ ...base, reward: -31, penalized: true, kind: 'scoring-error', reason: 'UME scorer "x" failed: boom', sequences: [] });
    assert.equal(r.value, null);
    assert.equal(r.kind, 'scoring-error');
    assert.match(r.reason!, /boom/);
  });
  it('flags truncated rows', () => {
    const r = umeRowResult({ ...base, reward: -20, truncated: true, reason: 'scored the first 8 tokens only', sequences: [{ text: 'MKV', modality: 'amino_acid', source: 'protein', pll: -2, nTokens: 5, truncated: true }] });
    assert.equal(r.value, -20);
    assert.equal(r.kind, 'truncated');
  });
});
