import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PENALTY, penaltyReward, validatePenalty } from './penalty';

test('below-worst: margin/T under the worst valid reward, whatever the scale of the valid rewards', () => {
  assert.equal(penaltyReward(DEFAULT_PENALTY, [-12, -31.5, -20], 0.1), -31.5 - 5);
  assert.equal(penaltyReward({ kind: 'below-worst', marginPll: 1, fallbackPll: -7 }, [-200], 0.5), -202);
  // Valid rewards with mean log-prob far below -0.5 still outrank the penalty (lobster's defect).
  for (const worstPll of [-0.2, -0.6, -3, -9]) assert.ok(penaltyReward(DEFAULT_PENALTY, [worstPll / 0.1], 0.1) < worstPll / 0.1);
});

test('below-worst without any valid row: fallback PLL / T (-ln 1280 by default)', () => {
  assert.equal(penaltyReward(DEFAULT_PENALTY, [], 0.1), -Math.log(1280) / 0.1);
});

test("fixed: pll / T; lobster's -5 is pll -0.5 at T 0.1 (and then outranks a valid -0.6)", () => {
  const lobster = { kind: 'fixed', pll: -0.5 } as const;
  assert.equal(penaltyReward(lobster, [-6], 0.1), -5);
  assert.ok(penaltyReward(lobster, [-6], 0.1) > -6);
});

test('bad policies are refused with the field named', () => {
  assert.throws(() => validatePenalty({ kind: 'below-worst', marginPll: 0, fallbackPll: -7 }), /marginPll must be a positive/);
  assert.throws(() => validatePenalty({ kind: 'fixed', pll: Number.NaN }), /pll must be a finite/);
  assert.throws(() => validatePenalty({ kind: 'nope' } as never), /unknown penalty kind "nope"/);
});
