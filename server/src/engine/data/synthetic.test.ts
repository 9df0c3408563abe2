import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { loadRDKit } from '../seq/rdkit';
import { encode, SPECIAL } from '../ume/tokenizer';
import { readPromptTags } from './infer-modality';
import { SYNTHETIC_LENGTHS } from './prompts';
import { splitSizes, syntheticDataset } from './synthetic';
import { formatJsonlRow } from './write';
import { SPLIT_NAMES } from './types';

const bytesOf = (seed?: number, perModality?: number): string => {
  const d = syntheticDataset(seed, perModality);
  return SPLIT_NAMES.map((s) => d.splits[s].map(formatJsonlRow).join('\n')).join('\n--\n');
};

test('lobster\'s counts: 100 rows per modality, 270/15/15 splits plus full; splits partition full', () => {
  const d = syntheticDataset();
  assert.equal(d.rows.length, 300);
  assert.deepEqual(SPLIT_NAMES.map((s) => d.splits[s].length), [270, 15, 15, 300]);
  assert.deepEqual(d.splits.full, d.rows);
  const counts = { SMILES: 0, amino_acid: 0, nucleotide: 0 };
  for (const r of d.rows) counts[r.modality!]++;
  assert.deepEqual(counts, { SMILES: 100, amino_acid: 100, nucleotide: 100 });
  // Full keeps generation order: all SMILES, then proteins, then DNA (as lobster's list).
  assert.deepEqual([d.rows[0]!.modality, d.rows[100]!.modality, d.rows[200]!.modality], ['SMILES', 'amino_acid', 'nucleotide']);
  const seen = new Set([...d.splits.train, ...d.splits.validation, ...d.splits.test]);
  assert.equal(seen.size, 300, 'train, validation and test are disjoint and cover full');
  for (const r of d.rows) assert.ok(seen.has(r));
  // The held-out splits are shuffled across modalities, not one modality's tail.
  assert.ok(new Set(d.splits.validation.map((r) => r.modality)).size > 1);
});

test('byte-for-byte reproducible from the seed (pinned digest); other seeds and sizes differ', () => {
  const a = bytesOf(42);
  assert.equal(a, bytesOf());
  assert.equal(a, bytesOf(42, 100));
  // Pinned: a change here means every user's "seed 42" dataset changed; do it on purpose only.
  assert.equal(createHash('sha256').update(a).digest('hex').slice(0, 16), PINNED_SHA256_PREFIX);
  assert.notEqual(a, bytesOf(43));
  assert.notEqual(a, bytesOf(42, 50));
});
const PINNED_SHA256_PREFIX = '588283a15e1c3f2e';

test('completion lengths lie in lobster\'s ranges and use only their alphabets', () => {
  for (const r of syntheticDataset().rows) {
    const c = r.completion as string;
    const [lo, hi] = SYNTHETIC_LENGTHS[r.modality!];
    assert.ok(c.length >= lo && c.length <= hi, `${r.modality} ${c.length}: ${c}`);
    if (r.modality === 'amino_acid') assert.match(c, /^[ACDEFGHIKLMNPQRSTVWY]+$/);
    if (r.modality === 'nucleotide') assert.match(c, /^[ATGC]+$/);
  }
  // Lengths spread over the range (a generator stuck at one length would pass the bounds check).
  const smilesLengths = new Set(syntheticDataset().rows.filter((r) => r.modality === 'SMILES').map((r) => (r.completion as string).length));
  assert.ok(smilesLengths.size >= 25, `only ${smilesLengths.size} distinct SMILES lengths`);
});

test('every SMILES is valid by RDKit and tokenizes with no <unk> under UME; completions are unique', async () => {
  const rdkit = await loadRDKit();
  for (const seed of [42, 0, 7]) {
    const rows = syntheticDataset(seed).rows;
    for (const r of rows.filter((x) => x.modality === 'SMILES')) {
      const s = r.completion as string;
      const v = rdkit.validate(s);
      assert.ok(v.ok, `seed ${seed}: ${s}: ${v.reason}`);
      assert.ok(!encode(s, 'SMILES').ids.includes(SPECIAL.unk), `${s} has <unk> tokens`);
    }
    for (const m of ['SMILES', 'amino_acid', 'nucleotide'] as const) {
      const cs = rows.filter((x) => x.modality === m).map((x) => x.completion);
      assert.equal(new Set(cs).size, cs.length, `${m} completions repeat`);
    }
  }
});

test('prompts ask for exactly the tag the UME reward accepts for the row\'s modality (never <amino_acid>)', () => {
  const want = { SMILES: 'smiles', amino_acid: 'protein', nucleotide: 'dna' } as const;
  for (const r of syntheticDataset().rows) {
    const tags = readPromptTags(r.prompt);
    assert.deepEqual(tags.tags, [want[r.modality!]]);
    assert.equal(tags.modality, r.modality);
    assert.doesNotMatch(r.prompt as string, / {2}/, 'no runs of spaces');
  }
});

test('split sizes follow Hugging Face\'s two train_test_split calls, with exact integers', () => {
  assert.deepEqual(splitSizes(300), { train: 270, validation: 15, test: 15 });
  assert.deepEqual(splitSizes(210), { train: 189, validation: 10, test: 11 });
  assert.deepEqual(splitSizes(12), { train: 10, validation: 1, test: 1 });
  assert.deepEqual(SPLIT_NAMES.map((s) => syntheticDataset(1, 4).splits[s].length), [10, 1, 1, 12]);
  assert.throws(() => syntheticDataset(42, 3), /rows per modality must be an integer from 4/);
  assert.throws(() => syntheticDataset(-1), /seed must be an integer from 0/);
});
