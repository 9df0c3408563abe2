import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastParseOptions, loadRDKit, loadRDKitModule, RDKitValidator, validateSmiles } from './rdkit';

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

test('verdict only by default; the canonical form when asked, also for a cached verdict', async () => {
  const v = new RDKitValidator(await loadRDKitModule());
  assert.deepEqual(v.validate('OCC'), { ok: true });
  assert.deepEqual(v.validate('OCC', { canonical: true }), { ok: true, canonical: 'CCO' });
  assert.deepEqual(v.validate('OCC'), { ok: true, canonical: 'CCO' });
  assert.equal(v.validate('C1CC', { canonical: true }).kind, 'unclosed-ring');
});

test('the cache evicts the least recently used entries, not all of them', async () => {
  const v = new RDKitValidator(await loadRDKitModule(), true, 100);
  const smiles = (i: number): string => `C${'C'.repeat(i)}O`;
  for (let i = 0; i < 100; i++) v.validate(smiles(i));
  assert.equal(v.cacheSize, 100);
  v.validate(smiles(0)); // now the most recently used
  v.validate(smiles(100)); // full: evicts the 10 oldest (1..10), keeps 0
  assert.equal(v.cacheSize, 91);
  const hit = v.validate(smiles(0));
  assert.equal(v.validate(smiles(0)), hit, 'a cached result is returned as is');
  v.validate(smiles(50)); // still cached: no new entry
  assert.equal(v.cacheSize, 91);
  v.validate(smiles(5)); // was evicted: computed and cached again
  assert.equal(v.cacheSize, 92);
});

test('the cache holds no very long texts and stays within its byte budget (a fuzz found it filling the heap)', async () => {
  const v = new RDKitValidator(await loadRDKitModule());
  // A 5 MB SMILES-like line: answered (too large), not kept.
  assert.equal(v.validate('C'.repeat(5_000_000)).kind, 'too-large');
  assert.equal(v.cacheSize, 0);
  assert.equal(v.cachedBytes, 0);
  // 8 KB texts: at most the 64 MB budget, however many come.
  for (let i = 0; i < 5000; i++) v.validate(`${'C'.repeat(8000)}${i}`);
  assert.ok(v.cachedBytes <= 64 * 2 ** 20, `${v.cachedBytes} bytes cached`);
  assert.ok(v.cacheSize < 5000 && v.cacheSize > 3000, `${v.cacheSize} entries`);
  // Short ones are still cached and served from the cache.
  const hit = v.validate('CCO');
  assert.equal(v.validate('CCO'), hit);
});

// The fast path skips get_mol's kekulization (only for input without aromatic atoms or bonds) and
// stereo assignment; it must give exactly what get_mol's defaults give: same verdict, same reason
// and span, same canonical SMILES. Checked on every real SMILES fixture, as written and upper-cased
// (lobster's form, where aromatic rings become invalid), plus crafted failures.
test('fast parse options change no verdict, reason or canonical form (all SMILES fixtures)', async () => {
  const rd = await loadRDKitModule();
  const fast = new RDKitValidator(rd, true);
  const full = new RDKitValidator(rd, false);
  const dir = join(__dirname, '../../../../test/fixtures/sequences');
  const rows = readFileSync(join(dir, 'smiles.tsv'), 'utf8').trimEnd().split('\n').slice(1).map((r) => r.split('\t')[0] as string);
  const crafted = ['c1cccc1', 'n1cccc1', 'C1=CC=CC1=C', 'c1ccccc1:c', 'C[C@H](C)C', 'F/C=C/F', 'C[C@@H]1CC[C@H](C)CC1', 'CC(C)(C)(C)C', 'C1=CC=C1', '[nH]1cccc1', 'c1ccc2c(c1)cccc2'];
  const inputs = [...rows, ...rows.map((r) => r.toUpperCase()), ...crafted, ...crafted.map((c) => c.toUpperCase())];
  let cheap = 0;
  for (const s of inputs) {
    if (!/[bcnops:]/.test(s)) cheap++;
    assert.deepEqual(fast.validate(s, { canonical: true }), full.validate(s, { canonical: true }), `fast and full parse differ for ${s}`);
  }
  assert.ok(rows.length >= 20 && cheap >= rows.length / 2, `the kekulize-free path must be exercised (${cheap} of ${inputs.length})`);
  assert.equal(full.validate('c1cccc1').kind, 'kekulize', 'both validators read RDKit\'s log');
  assert.equal(fast.validate('CC(C)(C)(C)C').kind, 'valence');
  assert.equal(fastParseOptions('c1ccccc1'), JSON.stringify({ assignStereo: false }));
  assert.equal(fastParseOptions('C1=CC=CC=C1'), JSON.stringify({ assignStereo: false, kekulize: false }));
});

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
