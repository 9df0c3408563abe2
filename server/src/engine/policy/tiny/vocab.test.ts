import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractTagged } from '../../reward/extract';
import { MODALITIES } from '../../seq/types';
import { encode, SPECIAL, tokenString, VOCAB_SIZE } from '../../ume/tokenizer';
import { allowedTable, CLS_ID, completionText, MODALITY_RANGE, promptIds, readPrompt, restrictionRow } from './vocab';

test("each modality's range is exactly the ids UME's tokenizer gives that modality", () => {
  const samples = { SMILES: 'CC(=O)Oc1ccccc1C(=O)O[Na+]Br', amino_acid: 'ACDEFGHIKLMNPQRSTVWYXBZUO', nucleotide: 'acgtnu.-' };
  for (const m of MODALITIES) {
    const [lo, hi] = MODALITY_RANGE[m];
    const ids = encode(samples[m], m).ids.slice(1, -1);
    for (const id of ids) assert.ok(id >= lo && id <= hi, `${m}: id ${id} (${tokenString(id)}) outside [${lo}, ${hi}]`);
    assert.equal(encode('x', m).ids[0], CLS_ID[m]);
  }
  assert.equal(tokenString(MODALITY_RANGE.nucleotide[1]), 'u');
  assert.equal(MODALITY_RANGE.nucleotide[1], VOCAB_SIZE - 1);
});

test('the restriction table allows a modality its own ids and <eos>, and everything without a modality start', () => {
  const t = allowedTable();
  const allowed = (row: number): number[] => [...Array(VOCAB_SIZE).keys()].filter((i) => t[row * VOCAB_SIZE + i]);
  assert.deepEqual(allowed(CLS_ID.nucleotide), [SPECIAL.eos, 1272, 1273, 1274, 1275, 1276, 1277, 1278, 1279]);
  assert.equal(allowed(CLS_ID.amino_acid).length, 1 + 27);
  assert.equal(allowed(CLS_ID.SMILES).length, 1 + 1220);
  assert.equal(allowed(0).length, VOCAB_SIZE);
  assert.deepEqual([restrictionRow(2), restrictionRow(0), restrictionRow(7), restrictionRow(undefined)], [2, 0, 0, 0]);
});

test('prompts: the modality comes from the argument, else the last tag, else a single keyword', () => {
  assert.deepEqual(promptIds('anything', 'SMILES'), [SPECIAL.cls_smiles]);
  assert.deepEqual(promptIds('Write a molecule as <smiles>...</smiles>. Answer: <protein>'), [SPECIAL.cls_amino_acid]);
  assert.deepEqual(promptIds('Generate a DNA sequence'), [SPECIAL.cls_nucleotide]);
  assert.deepEqual(promptIds([{ role: 'user', content: 'Give me a peptide' }]), [SPECIAL.cls_amino_acid]);
  assert.throws(() => promptIds('Generate a protein or a DNA sequence'), /cannot tell which modality[\s\S]*<smiles>, <protein> or <dna>/);
  assert.throws(() => promptIds('hello'), /cannot tell which modality/);
});

test('a prompt ending inside an open tag continues its content as a prefix', () => {
  assert.deepEqual(promptIds('Make a drug: <smiles>CCO'), [2, 54, 54, 58]);
  assert.deepEqual(readPrompt('<dna>acGT ', null), { modality: 'nucleotide', prefix: 'acGT' });
  assert.deepEqual(promptIds('<dna>acGT'), [3, 1274, 1275, 1276, 1277]);
  assert.deepEqual(promptIds('<smiles>CCO</smiles> now a protein: <protein>VYF'), [1, 30, 42, 41]);
  assert.throws(() => promptIds('<smiles>CC', 'amino_acid'), /ends inside a <smiles>-type tag but the modality is amino_acid/);
  assert.throws(() => promptIds('<protein>VYfF'), /"f" at offset 2, which UME's tokenizer does not know/);
});

test('completions come out in lobster tags, DNA upper case, closed only after <eos>', () => {
  assert.equal(completionText([2], [54, 54, 58, SPECIAL.eos]), '<smiles>CCO</smiles>');
  assert.equal(completionText([2, 54], [54, 58, SPECIAL.eos]), '<smiles>CCO</smiles>', 'the prefix is part of the sequence');
  assert.equal(completionText([1], [30, 42, 41, SPECIAL.eos]), '<protein>VYF</protein>');
  assert.equal(completionText([3], [1274, 1275, 1276, 1277, SPECIAL.eos]), '<dna>ACGT</dna>');
  const cut = completionText([1], [30, 42, 41]);
  assert.equal(cut, '<protein>VYF');
  assert.deepEqual(extractTagged(cut), { spans: [], unclosed: ['protein'] }, 'the reward sees the truncation');
  assert.equal(extractTagged(completionText([3], [1276, SPECIAL.eos])).spans[0]?.modality, 'nucleotide');
  assert.throws(() => completionText([0], [4]), /start with <cls_smiles>, <cls_amino_acid> or <cls_nucleotide>/);
});
