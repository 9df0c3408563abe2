// Every gradient rule against central finite differences (see harness.ts for method and tolerances).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registeredGradientOps } from '../../server/src/engine/onnx/autodiff';
import { runGradChecks, TOLERANCE, type GradCheckRun } from './harness';
import { cases } from './cases';

// Fresh inputs each run; GRADCHECK_SEED reproduces a failing run.
const seed = Number(process.env['GRADCHECK_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

let run: GradCheckRun | undefined;
const all = async (): Promise<GradCheckRun> => (run ??= await runGradChecks(cases, seed));

test(`gradient rules match central finite differences (seed ${seed})`, async (t) => {
  const { results: res, float32Ops } = await all();
  for (const r of res) {
    await t.test(`${r.name} [${r.dtype}]`, () => {
      const tol = TOLERANCE[r.dtype];
      assert.ok(r.checked > 0, 'no elements were checked');
      assert.deepEqual(r.failures, [], `${r.name} (${r.dtype}, seed ${seed}, rtol ${tol.rtol}, atol ${tol.atol}):\n${r.failures.join('\n')}`);
    });
  }
  const f32 = res.filter((r) => r.dtype === 'float32').map((r) => r.name);
  t.diagnostic(`${res.length} cases, ${res.reduce((s, r) => s + r.checked, 0)} gradient elements; float32 (ORT CPU lacks float64 for ${float32Ops.join(', ')}): ${f32.join('; ') || 'none'}`);
  for (const dtype of ['float64', 'float32'] as const) {
    const rs = res.filter((r) => r.dtype === dtype);
    t.diagnostic(`${dtype}: ${rs.length} cases, max abs. error ${Math.max(0, ...rs.map((r) => r.maxAbsErr)).toExponential(2)}, max rel. error ${Math.max(0, ...rs.map((r) => r.maxRelErr)).toExponential(2)}`);
  }
});

test('every registered gradient rule is exercised by a gradcheck case', async () => {
  const res = (await all()).results;
  const covered = new Set(res.flatMap((r) => r.ops));
  const missing = registeredGradientOps().filter((op) => !covered.has(op));
  assert.deepEqual(missing, [], `rules without a finite-difference case: ${missing.join(', ')}; add cases to test/gradcheck/cases.ts`);
});
