import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countParams } from '../models/params';
import { bertParamSpecs } from '../models/bert';
import { umeConfig, umeParamCount, UME_SIZES, type UmeSizeName } from './config';
import { bertConfigOf, sinusoidTemperatureFor } from './encoder';

test('published sizes have the parameter counts lobster reports (11.8M, 87.5M, 476.8M, 867.5M)', () => {
  const expected: Array<[UmeSizeName, number]> = [['ume-mini', 11.8], ['ume-small', 87.5], ['ume-medium', 476.8], ['ume-large', 867.5]];
  for (const [name, millions] of expected) {
    const c = umeConfig(name);
    assert.equal(Math.round(umeParamCount(c) / 1e5) / 10, millions, name);
    // The graph's parameter list (shared BERT blocks) has exactly the same size.
    assert.equal(countParams(bertParamSpecs(bertConfigOf(c))), umeParamCount(c), `${name} graph params`);
  }
});

test('sinusoid temperature conversion: T^(d/(d-2)) reproduces lobster\'s omega_i = T^(-i/(d/2-1))', () => {
  const c = UME_SIZES['ume-mini'];
  const t = sinusoidTemperatureFor(c);
  const d = c.hiddenSize;
  for (const i of [0, 1, 50, d / 2 - 1]) {
    const ours = 1 / Math.pow(t, (2 * i) / d);
    const lobster = 1 / Math.pow(10000, i / (d / 2 - 1));
    assert.ok(Math.abs(ours - lobster) <= 1e-12 * Math.max(1, lobster), `i=${i}: ${ours} vs ${lobster}`);
  }
});

test('invalid configs are refused with every problem named', () => {
  assert.throws(
    () => umeConfig({ hiddenSize: 10, numLayers: 0, numHeads: 3, intermediateSize: 8, vocabSize: 100 }),
    /numLayers must be a positive integer.*hiddenSize 10 is not divisible by numHeads 3.*vocabSize 100 is smaller than UME's tokenizer/,
  );
  assert.throws(() => umeConfig({ hiddenSize: 2, numLayers: 1, numHeads: 1, intermediateSize: 8 }), /must be even and >= 4/);
});
