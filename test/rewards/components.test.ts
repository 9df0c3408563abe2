import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRewardConfig } from '../../server/src/engine/rewards/load';
import { linguisticComplexity } from '../../server/src/engine/rewards/components/sequence-stats';

const row = (completion: string) => ({ prompt: '', completion });

async function values(component: Record<string, unknown>, completions: string[]): Promise<Array<number | null>> {
  const r = await loadRewardConfig({ components: [{ name: 'c', ...component }] });
  try {
    return (await r.functions[0]!.score(completions.map(row))).map((x) => x.value);
  } finally {
    await r.close();
  }
}

describe('sequence components', () => {
  it('linguistic_complexity: 1 for a maximally varied sequence, low for repeats', async () => {
    assert.equal(linguisticComplexity('ACGT', 4, 8), 1);
    // AAAAAAAA: one distinct word of each length out of min(4^k, 9 - k) possible
    assert.ok(Math.abs(linguisticComplexity('AAAAAAAA', 4, 8) - 8 / (4 + 7 + 6 + 5 + 4 + 3 + 2 + 1)) < 1e-12);
    const [varied, repeat, smiles] = await values({ type: 'linguistic_complexity' }, ['<protein>MKVLAAGIVGLLLAWTSPQRE</protein>', '<protein>QQQQQQQQQQQQQQQQQQQQQ</protein>', '<smiles>CCO</smiles>']);
    assert.ok(varied! > 0.8 && repeat! < 0.1, `${varied} vs ${repeat}`);
    assert.equal(smiles, null);
  });

  it('composition: GC content, hydrophobic fraction, scored in a range', async () => {
    assert.deepEqual(await values({ type: 'composition', params: { property: 'gc_content' } }, ['<dna>GGCCAATT</dna>', '<protein>MKV</protein>']), [0.5, null]);
    assert.deepEqual(await values({ type: 'composition', params: { property: 'gc_content', min: 0.4, max: 0.6 } }, ['<dna>GGCCAATT</dna>', '<dna>GGGGGGGA</dna>']), [1, 0]);
    assert.deepEqual(await values({ type: 'composition', params: { property: 'hydrophobic_fraction' } }, ['<protein>AILKDE</protein>']), [0.5]);
  });

  it('kmer_novelty: the share of k-mers absent from the references', async () => {
    assert.deepEqual(await values({ type: 'kmer_novelty', params: { references: ['ACGTACGT'], k: 4 } }, ['<dna>ACGTACGT</dna>', '<dna>TTTTTTTT</dna>', '<dna>ACGTTTTT</dna>']), [0, 1, 3 / 4]);
  });

  it('length per modality: range steps and a target', async () => {
    const v = await values({ type: 'length', params: { SMILES: { min: 3, max: 5 }, amino_acid: { target: 10, tolerance: 2 } } }, ['<smiles>CCO</smiles>', '<smiles>CCCCCCO</smiles>', '<protein>MKVLAAGIVG</protein>', '<protein>MKV</protein>']);
    assert.equal(v[0], 1);
    assert.equal(v[1], 0);
    assert.ok(v[2]! > 0.99 && v[3]! < 0.01, `${v[2]} ${v[3]}`);
  });

  it('smarts: count, presence, absence; sa_score rises with complexity', async () => {
    assert.deepEqual(await values({ type: 'smarts', params: { patterns: ['[OX2H]'], mode: 'count' } }, ['<smiles>OCCO</smiles>', '<smiles>CCC</smiles>']), [2, 0]);
    assert.deepEqual(await values({ type: 'smarts', params: { patterns: ['[N+](=O)[O-]'], mode: 'absence' } }, ['<smiles>c1ccccc1[N+](=O)[O-]</smiles>', '<smiles>c1ccccc1</smiles>']), [0, 1]);
    const [simple, complex] = await values({ type: 'sa_score' }, ['<smiles>CCO</smiles>', '<smiles>C[C@H]1C[C@@H]2C[C@H]3C[C@@H](C1)C23C(=O)O[C@@H]1CC2(CC1)CC2</smiles>']);
    assert.ok(simple! >= 1 && complex! <= 10 && complex! > simple!, `${simple} ${complex}`);
  });

  it('similarity: 1 to itself, mean over references', async () => {
    assert.deepEqual(await values({ type: 'similarity', params: { references: ['CCO'] } }, ['<smiles>CCO</smiles>']), [1]);
    const [m] = await values({ type: 'similarity', params: { references: ['CCO', 'c1ccccc1'], aggregate: 'mean' } }, ['<smiles>CCO</smiles>']);
    assert.equal(m, 0.5, 'Tanimoto 1 to CCO, 0 to benzene (no shared bits)');
  });
});
