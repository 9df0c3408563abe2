// Property-based tests of detection and SMILES validation (fast-check, issue 17): for any text,
// detection in both modes answers without throwing, with confidences in [0, 1], problems inside the
// text and known codes; RDKit is never given what it cannot take, and keeps giving the canary's exact
// answer whatever it was given before (the fuzz's RDKit poisoning).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import initRDKitModule from '@rdkit/rdkit';
import { codeInfo } from '../codes';
import { countSmilesAtoms, loadRDKit, RDKIT_MAX_ATOMS, RDKitValidator } from '../rdkit';
import { detectWith } from './index';
import { fragment, poisonSmiles } from '../../../../../test/fuzz/generators';

const RUNS = Number(process.env.UME_PROPERTY_RUNS ?? 300);
const text = fc.oneof(fragment, fc.string({ unit: 'binary', maxLength: 80 }), fc.array(fragment, { maxLength: 4 }).map((xs) => xs.join(' ')));

test('detection answers any text in both modes, with sound confidences and problems inside the text', async () => {
  const rdkit = await loadRDKit();
  fc.assert(
    fc.property(text, fc.constantFrom('default' as const, 'lobster' as const), (s, mode) => {
      const r = detectWith(rdkit, s, { mode });
      assert.ok(r.confidence >= 0 && r.confidence <= 1);
      if (r.modality === null) assert.ok(r.problems.length > 0, 'an undetermined sequence says why');
      for (const a of r.alternatives) assert.ok(a.confidence >= 0 && a.confidence <= 1 && a.modality !== r.modality);
      for (const p of r.problems) {
        assert.ok(codeInfo(p.code), `known code ${p.code}`);
        assert.ok(p.offset >= 0 && p.length >= 0 && p.offset + p.length <= s.length, `${p.code} span inside the text`);
        assert.ok(p.message.length > 0);
      }
    }),
    { numRuns: RUNS, seed: 21 },
  );
});

// SMILES made of random atoms, bonds, branches and ring labels, up to a size.
const smilesLike = (maxUnits: number) =>
  fc
    .array(fc.constantFrom('C', 'c', 'N', 'n', 'O', 'o', 'S', 'Cl', 'Br', '[NH4+]', '[C@@H]', '(', ')', '=', '#', '1', '2', '%10', '%(123)', 'c1ccccc1', 'C1CC1', '.'), { maxLength: maxUnits })
    .map((xs) => xs.join(''));

test('RDKit on a private instance: any SMILES-like input, small or huge, leaves the canary exact', async () => {
  const v = new RDKitValidator(await initRDKitModule(), true, 0);
  const input = fc.oneof(
    { weight: 8, arbitrary: smilesLike(120) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(6), fc.integer({ min: 200, max: 3000 })).map(([k, n]) => poisonSmiles(k, n)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
  await fc.assert(
    fc.asyncProperty(input, async (s) => {
      const r = v.validate(s, { canonical: true });
      if (r.kind === 'unavailable') await v.ready();
      if (countSmilesAtoms(s.split(/\s/)[0] ?? '') > RDKIT_MAX_ATOMS) assert.equal(r.kind, 'too-large');
      if (r.ok) assert.equal(typeof r.canonical, 'string');
      else assert.ok((r.reason ?? '').length > 0, 'a rejection says why');
      assert.equal(v.validate('OC(=O)c1ccccc1N', { canonical: true }).canonical, 'Nc1ccccc1C(=O)O');
    }),
    { numRuns: RUNS, seed: 22 },
  );
  assert.equal(v.stats.faults, 0, 'no input within the bounds crashed RDKit');
});

test('canonical SMILES are fixed points: validating the canonical form gives it back', async () => {
  const rdkit = await loadRDKit();
  fc.assert(
    fc.property(smilesLike(40), (s) => {
      const r = rdkit.validate(s, { canonical: true });
      if (!r.ok || r.canonical === undefined || r.canonical === '') return;
      const again = rdkit.validate(r.canonical, { canonical: true });
      assert.equal(again.ok, true, `${s} -> ${r.canonical}`);
      assert.equal(again.canonical, r.canonical);
    }),
    { numRuns: RUNS, seed: 23 },
  );
});
