import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRDKit } from '../seq/rdkit';
import { Rng } from '../train/rng';
import { grammarSmiles } from './smiles-grammar';
import { fragment, HEADS, LINKS, TAILS, FILLERS } from './smiles-fragments';

test('fragment() reads the attachment atoms from the text', () => {
  assert.deepEqual(fragment('C(=O)N'), { text: 'C(=O)N', entryHetero: false, exitHetero: true });
  assert.deepEqual(fragment('Clc1ccc(cc1)'), { text: 'Clc1ccc(cc1)', entryHetero: true, exitHetero: false });
  assert.deepEqual(fragment('N1CCN(CC1)'), { text: 'N1CCN(CC1)', entryHetero: true, exitHetero: true });
  assert.deepEqual(fragment('S(=O)(=O)'), { text: 'S(=O)(=O)', entryHetero: true, exitHetero: true });
  assert.throws(() => fragment('C(C'), /unbalanced/);
});

test('every fragment is a valid molecule on its own (capped with hydrogens)', async () => {
  const rdkit = await loadRDKit();
  for (const f of [...HEADS, ...LINKS, ...TAILS, ...FILLERS]) {
    const v = rdkit.validate(f.text);
    assert.ok(v.ok, `${f.text}: ${v.reason}`);
  }
});

test('grammar SMILES have exactly the asked length and RDKit accepts every one (3,000 draws, lengths 2-80)', async () => {
  const rdkit = await loadRDKit();
  const rng = new Rng(2024);
  for (let i = 0; i < 3000; i++) {
    const length = 2 + rng.int(79);
    const s = grammarSmiles(rng, length);
    assert.equal(s.length, length, s);
    const v = rdkit.validate(s);
    assert.ok(v.ok, `${s}: ${v.reason}`);
    assert.doesNotMatch(s, /^[ACDEFGHIKLMNPQRSTVWY]+$/, `${s} reads as a protein`);
    assert.match(s, /^(Cl|Br|[CNOSPFIcnos()=#0-9])+$/, `${s} uses only the prompt's elements`);
    assert.doesNotMatch(s, /OO|O(F|Cl|Br|I)|N(F|Cl|Br|I)/, `${s} bonds two heteroatoms`);
  }
});

test('the same seed gives the same SMILES; another seed gives others', () => {
  const draw = (seed: number): string[] => {
    const rng = new Rng(seed);
    return Array.from({ length: 50 }, () => grammarSmiles(rng, 30));
  };
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
  assert.throws(() => grammarSmiles(new Rng(1), 1), /length must be an integer >= 2/);
});
