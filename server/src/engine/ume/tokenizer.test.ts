import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Tokenizer } from 'tokenizers';
import { collate, encode, SPECIAL, tokenString } from './tokenizer';
import type { Modality } from '../modality';

test('REFERENCE.md goldens', () => {
  assert.deepEqual(encode('VYF', 'amino_acid').ids, [1, 30, 42, 41, 4]);
  assert.deepEqual(encode('CCO', 'SMILES').ids, [2, 54, 54, 58, 4]);
  assert.deepEqual(encode('acGT', 'nucleotide').ids, [3, 1274, 1275, 1276, 1277, 4]);
});

test('our own goldens: unk handling, literal specials, bracket atoms, ring-bond %nn', () => {
  // lowercase amino acids are unknown to UME; X/B are tokens; a literal <mask> is the mask token
  assert.deepEqual(encode('vyfX<mask>B', 'amino_acid').ids, [1, 5, 5, 5, 47, 8, 48, 4]);
  // an unmatched SMILES gap ("XY") is ONE <unk>; [Na+] and %10 are single tokens
  const s = encode('CCOXY<mask>Cl [Na+]c1ccccc1%10', 'SMILES');
  assert.deepEqual(s.ids, [2, 54, 54, 58, 5, 8, 72, 5, 106, 55, 59, 55, 55, 55, 55, 55, 59, 112, 4]);
  assert.deepEqual(s.offsets[4], [3, 5]);
  assert.deepEqual(s.offsets[8], [14, 19]);
  // nucleotides are lowercased first: U and N are tokens, x/y are not
  assert.deepEqual(encode('ACGUNxy', 'nucleotide').ids, [3, 1274, 1275, 1276, 1279, 1278, 5, 5, 4]);
  assert.equal(tokenString(SPECIAL.mask), '<mask>');
});

test('right truncation keeps <cls> and <eos>', () => {
  const e = encode('MKTAYIAKQR', 'amino_acid', { maxLength: 5 });
  assert.equal(e.ids.length, 5);
  assert.equal(e.ids[0], SPECIAL.cls_amino_acid);
  assert.equal(e.ids[4], SPECIAL.eos);
  assert.deepEqual(e.ids.slice(1, 4), encode('MKT', 'amino_acid').ids.slice(1, 4));
  assert.equal(e.truncated, true);
  assert.throws(() => encode('A', 'amino_acid', { maxLength: 1 }), /at least 2/);
});

test('collate pads right to the longest (dynamic) or to a fixed length', () => {
  const b = collate([encode('CCO', 'SMILES'), encode('C', 'SMILES')]);
  assert.equal(b.length, 5);
  assert.deepEqual(Array.from(b.inputIds, Number), [2, 54, 54, 58, 4, 2, 54, 4, 6, 6]);
  assert.deepEqual(Array.from(b.attentionMask, Number), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  assert.equal(collate([encode('C', 'SMILES')], 8).length, 8);
  assert.throws(() => collate([encode('CCO', 'SMILES')], 3), /shorter than the longest/);
});

// The reference: HuggingFace's own tokenizer (Rust, via its npm binding) on lobster's tokenizer.json files.
const vocabDir = join(__dirname, '..', 'vocab');
const files: Record<Modality, string> = {
  SMILES: 'ume_smiles_tokenizer.json',
  amino_acid: 'ume_amino_acid_tokenizer.json',
  nucleotide: 'ume_nucleotide_tokenizer.json',
};

function randomStrings(alphabet: string[], n: number, seed: number): string[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => {
    const len = 1 + Math.floor(rnd() * 40);
    let out = '';
    for (let i = 0; i < len; i++) out += alphabet[Math.floor(rnd() * alphabet.length)];
    return out;
  });
}

test('ids equal HuggingFace tokenizers on fuzzed and real strings', async () => {
  const smilesAlphabet = ['C', 'c', 'O', 'N', 'n', '(', ')', '=', '#', '1', '2', '%10', '[C@H]', '[Na+]', '[Xx]', 'Cl', 'Br', 'B', 'X', ' ', '<mask>', '<cls_smiles>', '<cls_amino_acid>', 'é', '@', '/', '\\', '.', '-', '+'];
  const aaAlphabet = [...'ACDEFGHIKLMNPQRSTVWYXBZUO.-acdxyz*1 ', '<mask>', '<eos>', '<cls_amino_acid>', '<cls_smiles>', '<reserved_for_smiles_0>', '<cls>', '<sep>'];
  const nucAlphabet = [...'ACGTUNacgtunRYxk.- ', '<mask>', '<pad>', '<cls_nucleotide>', '<reserved_for_smiles_3>', '<reserved_for_amino_acids_2>', '<CLS>'];
  const cases: Record<Modality, string[]> = {
    SMILES: [...randomStrings(smilesAlphabet, 300, 1), 'CC(=O)Oc1ccccc1C(=O)O', 'C[C@@H](N)C(=O)O', 'O=C=O', 'c1ccc2c(c1)[nH]c1ccccc12', '[2H]C([2H])([2H])Cl'],
    amino_acid: [...randomStrings(aaAlphabet, 300, 2), 'MKTAYIAKQRQISFVKSHFSRQ', '<mask><cls_smiles><mask>', '<reserved_for_smiles_0>', 'A<cls>', '<cls>'],
    nucleotide: [...randomStrings(nucAlphabet, 300, 3), 'ATGCGTACGTTAGC', '<mask><RESERVED_FOR_SMILES_3><mask>', '<reserved_for_amino_acids_2>', '<CLS>', '<cls>x'],
  };
  for (const modality of Object.keys(files) as Modality[]) {
    const hf = Tokenizer.fromFile(join(vocabDir, files[modality]));
    for (const text of cases[modality]) {
      const want = (await hf.encode(text)).getIds();
      assert.deepEqual(encode(text, modality).ids, want, `${modality} ${JSON.stringify(text)}`);
    }
  }
});
