// The real sequences in test/fixtures/sequences (drawn from Debian packages by
// scripts/make-sequence-fixtures.sh), detected in both modes. The default mode must get every one
// right; lobster mode must reproduce lobster, including what lobster gets wrong, listed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRDKit } from '../rdkit';
import { detectDefault } from './default';
import { detectLobster } from './lobster';
import type { Modality } from '../types';

interface Fixture {
  text: string;
  expected: Modality;
  source: string;
  id: string;
}

const dir = join(__dirname, '../../../../../test/fixtures/sequences');

function load(name: string): Fixture[] {
  const [header, ...rows] = readFileSync(join(dir, name), 'utf8').trimEnd().split('\n');
  assert.equal(header, 'text\texpected_modality\tsource\tlicence');
  return rows.map((r) => {
    const [text, expected, source, licence] = r.split('\t');
    assert.ok(text && expected && source && licence, `incomplete row in ${name}: ${r.slice(0, 60)}`);
    return { text, expected: expected as Modality, source, id: source.split(': ').pop() as string };
  });
}

const fixtures = [...load('smiles.tsv'), ...load('proteins.tsv'), ...load('nucleotides.tsv')];

// Where lobster's detector fails on real data, and why.
const LOBSTER_FAILS: Record<string, string> = {
  'CHEBI:35696': 'UME103', // [Cl-].[Cl-].[Co++] uppercased: [CL-], [CO++] are no elements
  'CHEBI:49375': 'UME103', // lowercase aromatic SMILES broken by uppercasing
  'CHEBI:38451': 'UME103',
  'CHEBI:38878': 'UME103',
  'CHEBI:59480': 'UME103',
  'let-7 (RNA, U)': 'UME114', // RNA
};

test('at least 60 real fixtures, >= 20 per modality, each with a source and licence', () => {
  assert.ok(fixtures.length >= 60, String(fixtures.length));
  for (const m of ['SMILES', 'amino_acid', 'nucleotide'] as const) {
    assert.ok(fixtures.filter((f) => f.expected === m).length >= 20, m);
  }
  assert.ok(fixtures.some((f) => f.expected === 'nucleotide' && /u/i.test(f.text) && !/t/i.test(f.text)), 'an RNA written with U');
});

test('default mode detects every real fixture correctly, without errors', async () => {
  const rdkit = await loadRDKit();
  for (const f of fixtures) {
    const r = detectDefault(f.text, rdkit);
    assert.equal(r.modality, f.expected, `${f.source}: ${f.text.slice(0, 50)}`);
    assert.ok(r.confidence > 0.99, `${f.id}: confidence ${r.confidence}`);
    // Only the canonical-form hint and "unknown to UME's vocabulary" (a rare bracket atom such as
    // [Co++]: valid chemistry the scorer reads as <unk>) may appear on real data.
    assert.deepEqual(r.problems.map((p) => p.code).filter((c) => c !== 'UME108' && c !== 'UME111'), [], f.id);
  }
});

test('lobster mode reproduces lobster on real data, including its failures', async () => {
  const rdkit = await loadRDKit();
  let uppercased = 0;
  for (const f of fixtures) {
    const r = detectLobster(f.text, rdkit);
    const fails = LOBSTER_FAILS[f.id];
    if (fails) {
      assert.equal(r.modality, null, f.id);
      assert.deepEqual(r.problems.map((p) => p.code), [fails], f.id);
      continue;
    }
    assert.equal(r.modality, f.expected, `${f.source}: ${f.text.slice(0, 50)}`);
    // A lowercase SMILES that survives uppercasing is read as a different molecule: warned.
    if (f.expected === 'SMILES' && f.text !== f.text.toUpperCase()) {
      uppercased++;
      assert.deepEqual(r.problems.map((p) => p.code), ['UME115'], f.id);
    } else {
      assert.deepEqual(r.problems, [], f.id);
    }
  }
  assert.ok(uppercased >= 3, `aromatic SMILES accepted after uppercasing: ${uppercased}`);
});
