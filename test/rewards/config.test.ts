import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRDKit } from '../../server/src/engine/seq/rdkit';
import { loadChemistry } from '../../server/src/engine/rewards/chem/molecule';
import { checkRewardConfig, RewardConfigError } from '../../server/src/engine/rewards/config';
import { compositeFunction, RewardBuilder } from '../../server/src/engine/rewards/composite';
import { loadRewardConfig, resolveRewardConfig } from '../../server/src/engine/rewards/load';
import { DEFAULT_MULTI_CONFIG, translateSeed003 } from '../../server/src/engine/rewards/seed003';
import type { RewardInput } from '../../server/src/engine/rewards/types';
import { sigmoid } from '../../server/src/engine/rewards/transforms';

const row = (completion: string, columns?: Record<string, unknown>): RewardInput => ({ prompt: 'p', completion, ...(columns ? { columns } : {}) });
const ASPIRIN = 'CC(=O)Oc1ccccc1C(=O)O';
const ASPIRIN_QED = 0.5501217966938848; // Python RDKit 2022.09 QED.qed
const ASPIRIN_MW = 180.15899999999996;

describe('reward config: weighted_sum (one function per component, TRL)', () => {
  it('exposes each component as its own function with its weight; transforms are REINVENT\'s', async () => {
    const r = await loadRewardConfig({
      components: [
        { name: 'qed', type: 'qed', weight: 2 },
        { name: 'mw', type: 'mw', weight: 0.5, transform: { type: 'sigmoid', low: 100, high: 300, k: 0.5 } },
        { name: 'valid', type: 'validity' },
      ],
    });
    try {
      assert.deepEqual(r.functions.map((f) => f.name), ['qed', 'mw', 'valid']);
      assert.deepEqual(r.weights, [2, 0.5, 1]);
      const inputs = [row(`<smiles>${ASPIRIN}</smiles>`), row('<protein>MKVLAAGIVGLLLA</protein>'), row('<smiles>C1CC</smiles>')];
      const [qed, mw, valid] = await Promise.all(r.functions.map((f) => f.score(inputs)));
      assert.ok(Math.abs(qed![0]!.value! - ASPIRIN_QED) < 1e-6);
      assert.equal(qed![1]!.value, null);
      assert.match(qed![1]!.reason!, /judges SMILES only/);
      assert.equal(qed![2]!.value, null);
      assert.match(qed![2]!.reason!, /could not parse/);
      assert.ok(Math.abs(mw![0]!.components!['mw']!.raw! - ASPIRIN_MW) < 1e-6);
      assert.ok(Math.abs(mw![0]!.value! - sigmoid(ASPIRIN_MW, 100, 300, 0.5)) < 1e-12);
      assert.deepEqual(valid!.map((v) => v.value), [1, 1, 0]);
      assert.ok(r.functions[0]!.lastTimings!()['qed']! >= 0);
    } finally {
      await r.close();
    }
  });
});

describe('reward config: REINVENT means (one composite function)', () => {
  it('arithmetic_mean renormalises weights over the components that scored the row', async () => {
    const r = await loadRewardConfig({ aggregation: 'arithmetic_mean', components: [{ name: 'qed', type: 'qed', weight: 3 }, { name: 'valid', type: 'validity', weight: 1 }] });
    try {
      assert.equal(r.functions.length, 1);
      assert.equal(r.functions[0]!.name, 'reward');
      const [mol, prot] = await r.functions[0]!.score([row(`<smiles>${ASPIRIN}</smiles>`), row('<protein>MKVLAAGIVG</protein>')]);
      assert.ok(Math.abs(mol!.value! - (3 * ASPIRIN_QED + 1) / 4) < 1e-9);
      assert.equal(prot!.value, 1, 'qed abstains on a protein: the mean is over validity alone');
      assert.equal(prot!.components!['qed']!.value, null);
      assert.deepEqual(Object.keys(r.functions[0]!.lastTimings!()), ['qed', 'valid']);
    } finally {
      await r.close();
    }
  });

  it('geometric_mean is prod max(s, 1e-8)^(w / sum w)', async () => {
    const r = await loadRewardConfig({ aggregation: 'geometric_mean', components: [{ name: 'qed', type: 'qed', weight: 1 }, { name: 'heavy', type: 'heavy_atoms', weight: 2, transform: { type: 'step', low: 20, high: 40 } }] });
    try {
      const [a] = await r.functions[0]!.score([row(`<smiles>${ASPIRIN}</smiles>`)]);
      // aspirin has 13 heavy atoms: the step gives 0, clamped to 1e-8
      assert.ok(Math.abs(a!.value! - ASPIRIN_QED ** (1 / 3) * 1e-8 ** (2 / 3)) < 1e-15);
    } finally {
      await r.close();
    }
  });

  it('a row nobody can score is null with every reason; a component that throws gives null, never 0', async () => {
    const r = await loadRewardConfig({ aggregation: 'arithmetic_mean', components: [{ name: 'qed', type: 'qed' }, { name: 'mw', type: 'mw' }] });
    try {
      const [x] = await r.functions[0]!.score([row('<dna>ACGTACGTAC</dna>')]);
      assert.equal(x!.value, null);
      assert.match(x!.reason!, /qed: qed judges SMILES only.*mw: mw judges SMILES only/);
    } finally {
      await r.close();
    }
    const config = checkRewardConfig({ aggregation: 'arithmetic_mean', components: [{ name: 'boom', type: 'qed' }, { name: 'valid', type: 'validity' }] });
    const builder = new RewardBuilder(config, { chem: await loadChemistry(), rdkit: await loadRDKit(), baseDir: '.' });
    const throwing = { name: 'boom', type: 'qed' as const, measure: async () => Promise.reject(new Error('disk on fire')) };
    const valid = await builder.component(config.components[1]!);
    const f = compositeFunction(builder, [{ c: config.components[0]!, comp: throwing }, { c: config.components[1]!, comp: valid }], []);
    const [res] = await f.score([row('<smiles>CCO</smiles>')]);
    assert.equal(res!.components!['boom']!.value, null);
    assert.match(res!.components!['boom']!.error!, /component "boom" failed: disk on fire/);
    assert.equal(res!.value, 1, 'the mean is over the component that worked');
  });
});

describe('diversity filter (REINVENT IdenticalMurckoScaffold semantics)', () => {
  it('zeroes repeated SMILES and scaffolds past bucket_size; memorises only scores >= minscore', async () => {
    const r = await loadRewardConfig({
      aggregation: 'arithmetic_mean',
      components: [{ name: 'valid', type: 'validity' }, { name: 'df', type: 'diversity_filter', params: { bucket_size: 2, minscore: 0.5 } }],
    });
    try {
      const f = r.functions[0]!;
      // four benzene derivatives (scaffold c1ccccc1), then a repeat, then a pyridine
      const s = ['Cc1ccccc1', 'CCc1ccccc1', 'CCCc1ccccc1', 'Cc1ccccc1', 'Cc1ccncc1'];
      const res = await f.score(s.map((x) => row(`<smiles>${x}</smiles>`)));
      assert.deepEqual(res.map((x) => x.value), [1, 1, 0, 0, 1]);
      assert.match(res[2]!.components!['df']!.error!, /bucket scaffold c1ccccc1 is full/);
      assert.match(res[3]!.components!['df']!.error!, /repeated SMILES/);
      // the memory persists across calls
      const [again] = await f.score([row('<smiles>CCCCc1ccccc1</smiles>')]);
      assert.equal(again!.value, 0);
    } finally {
      await r.close();
    }
  });

  it('under weighted_sum it is its own function: 1 kept, 0 filtered; proteins repeat by sequence', async () => {
    const r = await loadRewardConfig({ components: [{ name: 'valid', type: 'validity' }, { name: 'df', type: 'diversity_filter', weight: 0.5 }] });
    try {
      assert.deepEqual(r.weights, [1, 0.5]);
      const res = await r.functions[1]!.score([row('<protein>MKVLA</protein>'), row('<protein>MKVLA</protein>'), row('no tag here at all, just words')]);
      assert.deepEqual(res.map((x) => x.value), [1, 0, null]);
    } finally {
      await r.close();
    }
  });
});

describe('bad configs: clear errors with the nearest valid name', () => {
  const bad = (c: unknown, re: RegExp) => assert.throws(() => checkRewardConfig(c), (e: Error) => e instanceof RewardConfigError && re.test(e.message));
  it('names what is wrong', () => {
    bad({ components: [{ name: 'q', type: 'qde' }] }, /unknown component type "qde" \(did you mean "qed"\?\)/);
    bad({ aggregation: 'geometric', components: [{ type: 'qed' }] }, /unknown aggregation "geometric" \(did you mean "geometric_mean"\?\)/);
    bad({ componets: [] }, /unknown key "componets" \(did you mean "components"\?\)/);
    bad({ components: [{ type: 'qed', wieght: 1 }] }, /unknown key "wieght" \(did you mean "weight"\?\)/);
    bad({ components: [{ type: 'similarity', params: { refrences: ['CCO'] } }] }, /unknown param "refrences" \(did you mean "references"\?\)/);
    bad({ components: [{ type: 'qed', transform: { type: 'sigmoid', low: 0, high: 1 } }] }, /"sigmoid" needs "k"/);
    bad({ components: [{ type: 'qed' }, { type: 'qed' }] }, /used twice/);
    bad({ components: [{ type: 'qed', weight: -1 }] }, /weight.*>= 0/);
    bad({ components: [] }, /non-empty list/);
    bad({ components: [{ type: 'diversity_filter' }] }, /only diversity filters/);
    bad([], /must be a JSON object/);
  });

  it('files: missing, empty, malformed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reward-config-'));
    try {
      assert.throws(() => resolveRewardConfig(join(dir, 'nope.json')), /no such file/);
      writeFileSync(join(dir, 'empty.json'), '');
      assert.throws(() => resolveRewardConfig(join(dir, 'empty.json')), /is empty/);
      writeFileSync(join(dir, 'bad.json'), '{"components": [');
      assert.throws(() => resolveRewardConfig(join(dir, 'bad.json')), /not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invalid SMARTS or reference SMILES fails when the config loads', async () => {
    await assert.rejects(loadRewardConfig({ components: [{ type: 'smarts', params: { patterns: ['[C;'] } }] }), /invalid SMARTS "\[C;"/);
    await assert.rejects(loadRewardConfig({ components: [{ type: 'similarity', params: { references: ['C1CC'] } }] }), /reference 1 \("C1CC"\) is not a valid SMILES/);
  });
});

describe('seed-003 compatibility', () => {
  it('translates *_weight keys and sections, with a note per key', () => {
    const t = translateSeed003({ accuracy_weight: 0.4, length_weight: 0.2, quality_weight: 0.4, accuracy: { correct_keywords: ['yes'] }, length: { optimal_length: 150, length_weight: 0.1 }, quality: { reward_scale: 1, penalty_scale: -0.5 } });
    assert.deepEqual(t.config.components.map((c) => [c.name, c.type, c.weight]), [['accuracy', 'validity', 0.4], ['length', 'length', 0.2], ['quality', 'ume', 0.4]]);
    assert.deepEqual(t.config.components[1]!.params, { target: 150 });
    const notes = t.notes.join('\n');
    assert.match(notes, /accuracy_weight = 0.4 -> component "accuracy" \(type validity\)/);
    assert.match(notes, /length.optimal_length = 150 -> length params.target/);
    assert.match(notes, /accuracy.correct_keywords dropped/);
    assert.doesNotThrow(() => checkRewardConfig(t.config));
    assert.throws(() => translateSeed003({ fluency_weight: 1 }), /"fluency" is neither a component type/);
  });

  it('the default multi mix is a valid config', () => {
    const c = checkRewardConfig(DEFAULT_MULTI_CONFIG);
    assert.deepEqual(c.components.map((x) => x.type), ['ume', 'validity', 'length', 'diversity_filter']);
  });
});
