import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRDKit } from '../rdkit';
import { detectDefault, AMBIGUOUS_BELOW } from './default';
import type { Modality, SequenceHints } from '../types';

type Case = [input: string, hints: SequenceHints | undefined, modality: Modality | null, codes: string[], why: string];

const cases: Case[] = [
  ['ACGU', undefined, 'nucleotide', [], 'RNA'],
  ['ugagguaguagguuguauaguu', undefined, 'nucleotide', [], 'real RNA, lowercase'],
  ['acgtacgtnnnnACGTACGTACGGT', undefined, 'nucleotide', [], 'soft-masked DNA'],
  ['ACGTRYACGTACGTTGCAACGT', undefined, 'nucleotide', ['UME112'], 'IUPAC ambiguity codes'],
  ['MKVXBZLLAAGIV', undefined, 'amino_acid', [], 'extended amino acids'],
  ['MKTAYIAKQR#QISFVKSHFSRQ', { fastaHeader: 'seq1' }, 'amino_acid', ['UME104'], 'a stray # in a FASTA protein is a bad residue, not a broken SMILES'],
  ['MVLSPADKTNVKAAW@GKVGAHAGEY', { fastaHeader: '' }, 'amino_acid', ['UME104'], 'a stray @ in a FASTA record'],
  ['MKTAYIAKQR#QISFVKSHFSRQ', undefined, 'SMILES', ['UME103'], 'the same text without FASTA context reads as a broken SMILES'],
  ['MKVLAAGIV*', undefined, 'amino_acid', ['UME111'], 'terminal stop: <unk> for UME'],
  ['MKV*LLAAG*', undefined, 'amino_acid', ['UME113', 'UME111'], 'internal stop'],
  ['MKV--LLA..G', undefined, 'amino_acid', [], 'gaps are UME tokens'],
  ['mkvlaagivalll', undefined, 'amino_acid', ['UME106'], 'lowercase protein'],
  ['MKVLA AGIVA 10', undefined, 'amino_acid', ['UME105', 'UME105'], 'whitespace and digits inside'],
  ['c1ccccc1', undefined, 'SMILES', [], 'aromatic SMILES keeps its case'],
  ['C1=CC=CC=C1', undefined, 'SMILES', ['UME108'], 'Kekule form is not canonical'],
  ['Clc1ccccc1', undefined, 'SMILES', [], 'chlorine'],
  ['C1CC', undefined, 'SMILES', ['UME103'], 'ring digits make it SMILES; RDKit says unclosed ring'],
  ['c1cccc1', undefined, 'SMILES', ['UME103'], 'kekulization failure'],
  ['CC(C', undefined, 'SMILES', ['UME103'], 'unmatched parenthesis'],
  ['XJJJJ', undefined, null, ['UME101'], 'J is in no alphabet'],
  ['AC', undefined, 'nucleotide', ['UME107', 'UME102'], 'too short (and ambiguous)'],
  ['MKVLAAGIVJLLA', undefined, 'amino_acid', ['UME104'], 'one invalid residue in a protein'],
  ['ACGTACGTACGTEACGTACGTACGT', undefined, 'nucleotide', ['UME104'], 'one invalid base (E) in DNA'],
  ['ACGTAC', { tag: 'protein' }, 'amino_acid', [], 'a tag settles ambiguity'],
  ['ATGGCGTACGATCGATCGATGCTAGCTAGCTAGCATCGATCG', { tag: 'protein' }, 'nucleotide', ['UME109'], 'tag says protein, content is DNA'],
  ['CC(=O)O', { tag: 'dna' }, 'SMILES', ['UME109'], 'tag says DNA, content is SMILES'],
  ['CCCC', { extension: '.smi' }, 'SMILES', [], 'extension hint'],
  ['CCCC', { column: 'dna' }, 'nucleotide', ['UME102'], 'column hint (still ambiguous at 4 letters)'],
  ['ACGTAC', { fastaHeader: 'sp|P69905|HBA_HUMAN Hemoglobin subunit alpha OS=Homo sapiens OX=9606' }, 'amino_acid', ['UME102'], 'UniProt header'],
];

test('default mode', async (t) => {
  const rdkit = await loadRDKit();
  for (const [input, hints, modality, codes, why] of cases) {
    await t.test(`${JSON.stringify(input)} ${hints ? JSON.stringify(hints) : ''} -> ${modality}: ${why}`, () => {
      const r = detectDefault(input, rdkit, hints ? { hints } : {});
      assert.equal(r.modality, modality);
      assert.deepEqual(r.problems.map((p) => p.code), codes);
    });
  }
});

test('short ACGT-only text is honestly ambiguous: nucleotide first, amino acid as the alternative', async () => {
  const rdkit = await loadRDKit();
  const r = detectDefault('ACGTAC', rdkit);
  assert.equal(r.modality, 'nucleotide');
  assert.ok(r.confidence > 0.5 && r.confidence < AMBIGUOUS_BELOW, String(r.confidence));
  assert.deepEqual(r.alternatives.map((a) => a.modality), ['amino_acid']);
  assert.ok(Math.abs(r.confidence + (r.alternatives[0]?.confidence ?? 0) - 1) < 1e-3);
  assert.match(r.problems[0]?.message ?? '', /Ambiguous: reads as nucleotide \(\d+%\) but also as amino_acid/);
  // Longer ACGT text is not ambiguous any more.
  const long = detectDefault('ACGTACGTTGCAACGTAGCT', rdkit);
  assert.equal(long.modality, 'nucleotide');
  assert.ok(long.confidence > 0.999);
  assert.deepEqual(long.problems, []);
});

test('CCN: SMILES (ethylamine) first, with DNA and peptide readings as alternatives', async () => {
  const r = detectDefault('CCN', await loadRDKit());
  assert.equal(r.modality, 'SMILES');
  assert.deepEqual(r.alternatives.map((a) => a.modality).sort(), ['amino_acid', 'nucleotide']);
  assert.equal(r.problems[0]?.code, 'UME102');
});

test('problem offsets are exact and relative to the unstripped text', async () => {
  const rdkit = await loadRDKit();
  const at = (s: string): Array<[string, number, number]> => detectDefault(s, rdkit).problems.map((p) => [p.code, p.offset, p.length]);
  assert.deepEqual(at('  MKVLAAGIVJJLLA'), [['UME104', 11, 2]]);
  assert.deepEqual(at('MKV*LLAAG**'), [['UME113', 3, 1], ['UME111', 9, 2]]);
  assert.deepEqual(at(' C1CC'), [['UME103', 2, 1]]);
  assert.deepEqual(at('N(C)(C)(C)C'), [['UME103', 0, 1]]);
  assert.deepEqual(at('MKVLA AGIVA 10'), [['UME105', 5, 1], ['UME105', 11, 3]]);
  assert.deepEqual(at('MKVLAagivLLA'), [['UME106', 5, 4]]);
});

test('RDKit reason and canonical form come through', async () => {
  const rdkit = await loadRDKit();
  const bad = detectDefault('C[N+](C)(C)(C)C', rdkit);
  assert.match(bad.problems[0]?.message ?? '', /^Invalid SMILES: Explicit valence for atom # 1 N, 5, is greater than permitted\.$/);
  const ok = detectDefault('OCC', rdkit);
  assert.equal(ok.canonicalSmiles, 'CCO');
  assert.match(ok.problems.find((p) => p.code === 'UME108')?.message ?? '', /canonical: CCO/);
});

test('UME111 marks bracket atoms missing from a supplied SMILES vocabulary', async () => {
  const rdkit = await loadRDKit();
  const r = detectDefault('CC[Se]CC', rdkit, { smilesVocabulary: new Set(['C', '[NH4+]']) });
  assert.deepEqual(r.problems.filter((p) => p.code === 'UME111').map((p) => [p.offset, p.length]), [[2, 4]]);
});

test('a long run of invalid characters is capped with a summary', async () => {
  const rdkit = await loadRDKit();
  const s = 'ACGTRACGT'.repeat(40);
  const iupac = detectDefault(s, rdkit).problems.filter((p) => p.code === 'UME112');
  assert.equal(iupac.length, 20);
  assert.match(iupac[19]?.message ?? '', /21 such places/);
});
