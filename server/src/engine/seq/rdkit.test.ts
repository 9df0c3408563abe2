import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRDKit, validateSmiles } from './rdkit';

test('valid SMILES come back canonical', async () => {
  const v = await validateSmiles('C1=CC=CC=C1');
  assert.deepEqual(v, { ok: true, canonical: 'c1ccccc1' });
  assert.equal((await validateSmiles('OCC')).canonical, 'CCO');
  assert.equal((await validateSmiles('[C@@H](F)(Cl)Br')).canonical, 'F[C@H](Cl)Br');
});

test('the loader is shared: one module, one promise', async () => {
  const [a, b] = await Promise.all([loadRDKit(), loadRDKit()]);
  assert.equal(a, b);
  assert.match(a.version, /^\d{4}\.\d\d\.\d/);
});

// Each failure kind with its reason and the span RDKit's report points at.
const failures: Array<[string, string, RegExp, number, number]> = [
  ['C1CC', 'unclosed-ring', /^unclosed ring: ring bond 1 is opened but never closed$/, 1, 1],
  ['CC1CC1CC1', 'unclosed-ring', /ring bond 1/, 8, 1],
  ['CC(C', 'unmatched-parentheses', /'\(' is never closed/, 2, 1],
  ['CCCC)(', 'unmatched-parentheses', /'\)' has no matching '\('/, 4, 1],
  ['N(C)(C)(C)C', 'valence', /^Explicit valence for atom # 0 N, 4, is greater than permitted$/, 0, 1],
  ['C[N+](C)(C)(C)C', 'valence', /atom # 1 N, 5/, 1, 4],
  ['CCCl(C)', 'valence', /atom # 2 Cl, 2/, 2, 2],
  ['c1ccnc1', 'kekulize', /^can't kekulize: aromatic atoms 0 1 2 3 4/, 0, 6],
  ['cc', 'aromaticity', /non-ring atom 0 marked aromatic/, 0, 1],
  ['CCXC', 'syntax', /^syntax error at position 3 \('X'\)$/, 2, 1],
  ['C==C', 'syntax', /position 3/, 2, 1],
  ['ACGT', 'syntax', /position 1 \('A'\)/, 0, 1],
  ['', 'empty', /empty/, 0, 0],
  ['CC\nO', 'syntax', /single-line/, 0, 4],
];

for (const [smiles, kind, reason, offset, length] of failures) {
  test(`invalid ${JSON.stringify(smiles)}: ${kind}`, async () => {
    const v = await validateSmiles(smiles);
    assert.equal(v.ok, false);
    assert.equal(v.canonical, undefined);
    assert.equal(v.kind, kind);
    assert.match(v.reason ?? '', reason);
    assert.deepEqual([v.offset, v.length], [offset, length]);
  });
}

test('RDKit reads a SMILES only up to whitespace (the rest is a name), as Python RDKit does', async () => {
  assert.equal((await validateSmiles('CCO ethanol')).canonical, 'CCO');
});

// A sanity bound, not a benchmark (the machine is shared): measured 0.1-0.2 ms when idle.
test('fast path: no pathological slowdown per SMILES once loaded', async (t) => {
  const v = await loadRDKit();
  const n = 3000;
  const t0 = performance.now();
  // Distinct drug-sized strings (isotope label x chain length) so the cache does not answer.
  for (let i = 0; i < n; i++) v.validate(`[${1 + (i % 500)}CH3]${'C'.repeat(Math.floor(i / 500))}C(=O)Oc1ccccc1C(=O)O`);
  const perSmiles = (performance.now() - t0) / n;
  t.diagnostic(`${perSmiles.toFixed(3)} ms per SMILES`);
  assert.ok(perSmiles < 5, `${perSmiles.toFixed(3)} ms per SMILES`);
});
