// Every behaviour of lobster's _detect_modality that REFERENCE.md §1 lists, plus the exact edges of
// Python's strip/upper/regex semantics. `null` = lobster raises ValueError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRDKit } from '../rdkit';
import { detectLobster } from './lobster';
import type { Modality } from '../types';

const cases: Array<[string, Modality | null, string[], string]> = [
  // [input, lobster's answer, problem codes (error first), why]
  ['CCN', 'amino_acid', [], 'ambiguity settled by order alone: amino acids before SMILES'],
  ['ACGT', 'nucleotide', [], 'DNA checked first'],
  ['acgt', 'nucleotide', [], 'uppercased first'],
  ['CCC', 'nucleotide', [], 'only C: matches ^[ATGC]+$'],
  ['GATTACA', 'nucleotide', [], ''],
  ['ACGTN', 'amino_acid', [], 'N is not in ^[ATGC]+$ but is an amino acid'],
  ['ACGTRY', 'amino_acid', [], 'IUPAC R/Y read as amino acids'],
  ['ACGTB', null, ['UME101'], 'IUPAC B fails every rule'],
  ['ACGU', null, ['UME114'], 'RNA fails'],
  ['ugagguaguagguuguauaguu', null, ['UME114'], 'real miRNA fails'],
  ['MKVLAX', null, ['UME101'], 'X (unknown residue) fails'],
  ['MKVLAZ', null, ['UME101'], 'Z fails'],
  ['MKVLAU', null, ['UME101'], 'U (selenocysteine) fails: not RNA since not only ACGTU'],
  ['MKV*', null, ['UME101'], 'stop fails'],
  ['mkvla', 'amino_acid', ['UME106'], 'accepted uppercased; UME would read the raw lowercase as <unk>'],
  ['AC', null, ['UME107'], 'length < 3'],
  ['  AC \n', null, ['UME107'], 'length counted after strip'],
  ['', null, ['UME107'], 'empty'],
  ['ACGT ACGT', null, ['UME105'], 'internal whitespace fails'],
  ['MKV 10 LLA', null, ['UME105'], 'digits and whitespace inside'],
  ['CCO', 'SMILES', [], 'simple SMILES rule: ^[CHONSPFIBrCl0-9]+$ and RDKit-valid'],
  ['OCCO', 'SMILES', [], ''],
  ['C1CCCCC1', 'SMILES', [], 'digits allowed by the simple rule'],
  ['CC(=O)O', 'SMILES', [], 'structure characters'],
  ['C[C@H](N)C(=O)O', 'SMILES', [], 'stereo'],
  ['C1CC', null, ['UME103'], 'RDKit rejects: unclosed ring'],
  ['CC(C', null, ['UME103'], 'RDKit rejects: unmatched parenthesis'],
  ['N(C)(C)(C)C', null, ['UME103'], 'RDKit rejects: valence'],
  ['c1ccccc1', 'SMILES', ['UME115'], 'uppercased to C1CCCCC1: valid, but cyclohexane, not benzene'],
  ['Clc1ccccc1', null, ['UME101'], 'uppercased CLC1CCCCC1: L is outside the simple-SMILES class, no ()[]=#@'],
  ['Clc1ccccc1C(=O)O', null, ['UME103'], 'with a structure character RDKit is asked, and rejects CL'],
  ['c1ccc[se]1', null, ['UME103'], '[SE] is not an element'],
  ['BrCCBr', null, ['UME101'], 'uppercased BRCCBR: R is outside the class'],
  ['HELLO', null, ['UME101'], 'L is neither a base, a residue nor a SMILES atom'],
  ['CC(=O) O', 'SMILES', [], 'RDKit reads a SMILES up to whitespace, as lobster calls it'],
];

test('lobster mode reproduces _detect_modality', async (t) => {
  const rdkit = await loadRDKit();
  for (const [input, expected, codes, why] of cases) {
    await t.test(`${JSON.stringify(input)} -> ${expected} ${why}`, () => {
      const r = detectLobster(input, rdkit);
      assert.equal(r.modality, expected);
      assert.deepEqual(r.problems.map((p) => p.code), codes);
      assert.equal(r.confidence, expected ? 1 : 0);
      assert.deepEqual(r.alternatives, []);
    });
  }
});

test('lobster messages: too short, unable to determine, SMILES validation', async () => {
  const rdkit = await loadRDKit();
  assert.equal(detectLobster('AC', rdkit).problems[0]?.message, 'Sequence too short (length 2). Minimum length required is 3 characters.');
  assert.match(detectLobster('MKVLAX', rdkit).problems[0]?.message ?? '', /^Unable to determine modality for sequence/);
  assert.match(detectLobster('Clc1ccccc1', rdkit).problems[0]?.message ?? '', /uppercases first: "CLC1CCCCC1"/);
  assert.match(detectLobster('Clc1ccccc1C(=O)O', rdkit).problems[0]?.message ?? '', /uppercased text "CLC1CCCCC1C\(=O\)O"/);
  assert.match(detectLobster('C1CC', rdkit).problems[0]?.message ?? '', /unclosed ring/);
});

test("Python's str.strip() whitespace set, not JavaScript's trim()", async () => {
  const rdkit = await loadRDKit();
  assert.equal(detectLobster('\x1cACGT\x1f', rdkit).modality, 'nucleotide'); // Python strips \x1c-\x1f
  assert.equal(detectLobster('\u00a0ACGT\u3000', rdkit).modality, 'nucleotide');
  assert.equal(detectLobster('\ufeffACGT', rdkit).modality, null); // Python keeps a BOM
  assert.equal(detectLobster('\u200bACGT', rdkit).modality, null); // zero-width space is not whitespace
});

test('offsets point into the original (unstripped) text', async () => {
  const rdkit = await loadRDKit();
  const r = detectLobster('  ACGT ACGT', rdkit);
  assert.deepEqual(r.problems.map((p) => [p.code, p.offset, p.length]), [['UME105', 6, 1]]);
  const u = detectLobster(' ACGU', rdkit);
  assert.deepEqual(u.problems.map((p) => [p.offset, p.length]), [[4, 1]]);
});

test('every lobster failure is exactly one error problem; successes have none', async () => {
  const rdkit = await loadRDKit();
  const errorCodes = new Set(['UME101', 'UME103', 'UME105', 'UME107', 'UME114']);
  for (const [input] of cases) {
    const r = detectLobster(input, rdkit);
    const errors = r.problems.filter((p) => errorCodes.has(p.code));
    assert.equal(errors.length, r.modality === null ? 1 : 0, input);
  }
});
