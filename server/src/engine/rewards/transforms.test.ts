import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTransform, pythonFloatString } from './transforms';

// Expected values: REINVENT 4's own transform classes (reinvent/scoring/transforms/*.py at
// MolecularAI/REINVENT4 main), run under Debian's python3 + numpy on these inputs. REINVENT
// computes in float32, hence the tolerance.
const X = [-3.0, 0.0, 0.5, 1.0, 2.5, 3.0, 4.0, 7.5, 100.0];
const REINVENT: Array<{ spec: Record<string, unknown>; y: number[] }> = [
  { spec: { type: 'sigmoid', low: 1.0, high: 4.0, k: 0.5 }, y: [6.812927444421746e-10, 6.812455103499815e-5, 0.00046394363744184375, 0.003152308287099004, 0.5, 0.872006893157959, 0.9968476891517639, 1.0, 1.0] },
  { spec: { type: 'sigmoid', low: 2.5, high: 2.5, k: 0.5 }, y: [0, 0, 0, 0, 0, 1, 1, 1, 1] },
  { spec: { type: 'reverse_sigmoid', low: 0.0, high: 5.0, k: 0.25 }, y: [0.9982248544692993, 0.9467597603797913, 0.9090909361839294, 0.8490204811096191, 0.5, 0.3599349856376648, 0.15097957849502563, 0.003152310848236084, 0.0] },
  { spec: { type: 'double_sigmoid', low: 1.0, high: 4.0 }, y: [9.999989742937032e-7, 0.03065342828631401, 0.15097954869270325, 0.5, 0.9944080114364624, 0.9693465828895569, 0.5, 5.602836608886719e-6, 0.0] },
  { spec: { type: 'double_sigmoid', low: 0.0, high: 3.0, coef_div: 3.0, coef_si: 10.0, coef_se: 5.0 }, y: [9.999986949615902e-11, 0.5, 0.9789100289344788, 0.9995360374450684, 0.872006893157959, 0.5, 0.02108997106552124, 0.0, 0.0] },
  { spec: { type: 'double_sigmoid', low: 0.0, high: 3.0, coef_div: 0.0 }, y: [0, 0, 1, 1, 1, 1, 0, 0, 0] },
  { spec: { type: 'step', low: 0.5, high: 3.0 }, y: [0, 0, 1, 1, 1, 1, 0, 0, 0] },
  { spec: { type: 'left_step', low: 0.5 }, y: [1, 1, 1, 0, 0, 0, 0, 0, 0] },
  { spec: { type: 'right_step', high: 3.0 }, y: [0, 0, 0, 0, 0, 1, 1, 1, 1] },
  { spec: { type: 'exponential_decay', k: 0.7 }, y: [1.0, 1.0, 0.7046881318092346, 0.49658527970314026, 0.17377394437789917, 0.12245643883943558, 0.060810063034296036, 0.005247518420219421, 3.975449484028966e-31] },
];

describe('REINVENT transforms', () => {
  for (const { spec, y } of REINVENT) {
    it(`${JSON.stringify(spec)} matches REINVENT 4`, () => {
      const f = buildTransform(spec);
      X.forEach((x, i) => {
        const got = f(x).value!;
        // float32: ~1e-7 relative, and 1 - y rounds to a float32 step near 1 (6e-8).
        assert.ok(Math.abs(got - y[i]!) <= 1e-6 * Math.abs(y[i]!) + 6e-8, `x=${x}: ${got} vs REINVENT ${y[i]}`);
      });
    });
  }

  it('value_mapping looks up str(value) as Python writes floats, and abstains on a missing key', () => {
    const f = buildTransform({ type: 'value_mapping', mapping: { '1.0': 1.0, '0.0': 0.2 } });
    assert.deepEqual(f(1), { value: 1 });
    assert.deepEqual(f(0), { value: 0.2 });
    const miss = f(2);
    assert.equal(miss.value, null);
    assert.match((miss as { reason: string }).reason, /not in the value_mapping/);
    assert.equal(buildTransform({ type: 'value_mapping', mapping: { '3': 0.5 } })(3).value, 0.5);
    assert.equal(pythonFloatString(1e-5), '1e-05');
    assert.equal(pythonFloatString(0.25), '0.25');
    assert.equal(pythonFloatString(1e16), '1e+16');
    assert.equal(pythonFloatString(0.0001), '0.0001');
  });

  it('refuses unknown types and keys with the nearest valid name, and missing or non-numeric parameters', () => {
    assert.throws(() => buildTransform({ type: 'sigmod', low: 0, high: 1, k: 1 }), /unknown transform type "sigmod" \(did you mean "sigmoid"\?\)/);
    assert.throws(() => buildTransform({ type: 'sigmoid', low: 0, hihg: 1, k: 1 }), /no key "hihg" \(did you mean "high"\?\)/);
    assert.throws(() => buildTransform({ type: 'sigmoid', low: 0, high: 1 }), /needs "k"/);
    assert.throws(() => buildTransform({ type: 'step', low: '1' }), /"low" must be a finite number/);
    assert.throws(() => buildTransform({ type: 'exponential_decay', k: 0 }), /k must be > 0/);
    assert.throws(() => buildTransform('sigmoid'), /must be an object/);
  });
});
