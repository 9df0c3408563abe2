import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRPO_LOSS_DEFAULTS, GrpoSettingsError, clipRange, grpoLossWarnings, resolveGrpoLossSettings, validateGrpoLossSettings } from './config';

const problemsOf = (f: () => unknown): readonly string[] => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof GrpoSettingsError, `expected GrpoSettingsError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('expected the settings to be refused');
};

test("defaults are TRL 1.9.0's GRPOConfig", () => {
  assert.deepEqual(resolveGrpoLossSettings(), {
    loss_type: 'dapo',
    scale_rewards: 'group',
    importance_sampling_level: 'token',
    epsilon: 0.2,
    epsilon_high: null,
    delta: null,
    beta: 0,
    num_generations: 8,
    max_completion_length: 256,
    top_entropy_quantile: 1,
    sapo_temperature_pos: 1,
    sapo_temperature_neg: 1.05,
    multi_objective_aggregation: 'sum_then_normalize',
    gradient_accumulation_steps: 1,
  });
  assert.ok(Object.isFrozen(GRPO_LOSS_DEFAULTS));
});

test('given values override defaults; TRL booleans for scale_rewards map to group/none', () => {
  const s = resolveGrpoLossSettings({ loss_type: 'grpo', beta: 0.04, epsilon_high: 0.28, scale_rewards: false });
  assert.equal(s.loss_type, 'grpo');
  assert.equal(s.beta, 0.04);
  assert.equal(s.scale_rewards, 'none');
  assert.equal(resolveGrpoLossSettings({ scale_rewards: true }).scale_rewards, 'group');
  assert.deepEqual(clipRange(s), { low: 0.2, high: 0.28 });
  assert.deepEqual(clipRange(resolveGrpoLossSettings()), { low: 0.2, high: 0.2 });
});

test('bad choices name the valid values and the nearest one', () => {
  const [p] = problemsOf(() => resolveGrpoLossSettings({ loss_type: 'drgrpo' }));
  assert.match(p!, /loss_type is "drgrpo" \(did you mean "dr_grpo"\?\): use one of grpo, bnpo, dr_grpo, dapo, cispo, sapo/);
  assert.match(problemsOf(() => resolveGrpoLossSettings({ loss_type: 'vespo' }))[0]!, /not implemented/);
  assert.match(problemsOf(() => resolveGrpoLossSettings({ importance_sampling_level: 'seq' }))[0]!, /use one of token, sequence/);
  assert.match(problemsOf(() => resolveGrpoLossSettings({ multi_objective_aggregation: 'sum' }))[0]!, /sum_then_normalize, normalize_then_sum/);
});

test('bad numbers say what is allowed; every problem is reported at once', () => {
  const ps = problemsOf(() => resolveGrpoLossSettings({ num_generations: 1, epsilon: -0.1, top_entropy_quantile: 1.5, delta: 0, beta: Number.NaN, gradient_accumulation_steps: 2.5, max_completion_length: '128' }));
  assert.equal(ps.length, 7);
  assert.ok(ps.includes('num_generations must be >= 2, got 1'));
  assert.ok(ps.includes('epsilon must be >= 0, got -0.1'));
  assert.ok(ps.includes('top_entropy_quantile must be <= 1, got 1.5'));
  assert.ok(ps.includes('delta must be > 0, got 0'));
  assert.ok(ps.includes('beta must be a finite number, got NaN'));
  assert.ok(ps.includes('gradient_accumulation_steps must be an integer, got 2.5'));
  assert.ok(ps.includes('max_completion_length must be a finite number, got "128"'));
  const err = (() => {
    try {
      resolveGrpoLossSettings({ num_generations: 1, epsilon: -1 });
    } catch (e) {
      return e as Error;
    }
  })();
  assert.match(err!.message, /^2 problems in the GRPO loss settings:\n {2}- epsilon must be >= 0, got -1\n {2}- num_generations/);
});

test('unknown keys get the nearest valid name, unless the caller passes a larger config', () => {
  assert.match(problemsOf(() => resolveGrpoLossSettings({ sapo_temprature_neg: 1.1 }))[0]!, /unknown setting "sapo_temprature_neg" \(did you mean "sapo_temperature_neg"\?\)/);
  assert.equal(resolveGrpoLossSettings({ learning_rate: 1e-6, beta: 0.1 }, { ignoreUnknown: true }).beta, 0.1);
});

test('validateGrpoLossSettings wants every key', () => {
  const { beta: _beta, ...partial } = resolveGrpoLossSettings();
  assert.match(problemsOf(() => validateGrpoLossSettings(partial as never))[0]!, /beta is missing \(TRL's default is 0\)/);
  assert.equal(validateGrpoLossSettings(resolveGrpoLossSettings({ beta: 0.5 })).beta, 0.5);
});

test("TRL's warnings: sequence level with token-summing losses, cispo without epsilon_high, delta", () => {
  assert.deepEqual(grpoLossWarnings(resolveGrpoLossSettings()), []);
  assert.match(grpoLossWarnings(resolveGrpoLossSettings({ importance_sampling_level: 'sequence' })).join(), /weights each sequence by its completion length/);
  assert.deepEqual(grpoLossWarnings(resolveGrpoLossSettings({ importance_sampling_level: 'sequence', loss_type: 'grpo' })), []);
  assert.match(grpoLossWarnings(resolveGrpoLossSettings({ loss_type: 'cispo' })).join(), /recommends epsilon_high 5.0/);
  assert.match(grpoLossWarnings(resolveGrpoLossSettings({ delta: 1.1 })).join(), /not above 1 \+ epsilon_high/);
  assert.deepEqual(grpoLossWarnings(resolveGrpoLossSettings({ delta: 1.5 })), []);
  assert.match(grpoLossWarnings(resolveGrpoLossSettings({ delta: 1.5, loss_type: 'sapo' })).join(), /no effect/);
});
