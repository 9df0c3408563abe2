import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, PRESETS, configDefaults, parseValue, resolveConfig, totalSteps } from './config';

const fixed = new Date(2026, 11, 7, 12, 0, 0);

test('defaults are TRL\'s, derived generation batch and run name filled in', () => {
  const c = resolveConfig([], fixed);
  assert.equal(c.learning_rate, 1e-6);
  assert.equal(c.loss_type, 'dapo');
  assert.equal(c.num_generations, 8);
  assert.equal(c.epsilon, 0.2);
  assert.equal(c.beta, 0);
  assert.equal(c.steps_per_generation, 1);
  assert.equal(c.generation_batch_size, 8);
  assert.equal(c.run_name, 'grpo-20261207-120000');
});

test('TRL divisibility rules fail before any work, naming values that work', () => {
  assert.throws(
    () => resolveConfig([{ per_device_train_batch_size: 12, num_generations: 8 }]),
    (e: Error) => e instanceof ConfigError && /generation batch 12 .* not divisible by num_generations 8: use a generation batch of 24, 48, 72/.test(e.message),
  );
  assert.throws(() => resolveConfig([{ generation_batch_size: 12, per_device_train_batch_size: 8 }]), /not divisible by per_device_train_batch_size 8: use 8, 16, 24/);
  assert.throws(() => resolveConfig([{ generation_batch_size: 16, steps_per_generation: 2 }]), /cannot both be set/);
  assert.throws(() => resolveConfig([{ num_generations: 1 }]), /num_generations must be >= 2/);
  const c = resolveConfig([{ per_device_train_batch_size: 8, gradient_accumulation_steps: 4 }]);
  assert.equal(c.steps_per_generation, 4);
  assert.equal(c.generation_batch_size, 32);
});

test('unknown keys and values name the nearest valid one; all problems reported at once', () => {
  assert.throws(() => resolveConfig([{ learning_rte: 1e-5 }]), /unknown setting "learning_rte" \(did you mean "learning_rate"\?\)/);
  assert.throws(() => resolveConfig([{ loss_type: 'drgrpo' }]), /loss_type "drgrpo" is not valid \(did you mean "dr_grpo"\?\): use one of grpo, bnpo, dr_grpo, dapo, cispo, sapo/);
  assert.throws(() => resolveConfig([{ beta: -1, epsilon: 'x', num_generation: 4 }]), (e: Error) => /3 problems/.test(e.message) && /beta must be >= 0/.test(e.message) && /num_generations/.test(e.message));
  assert.throws(() => resolveConfig([{ epsilon: 0.3, epsilon_high: 0.2 }]), /epsilon_high 0.2 is below epsilon 0.3/);
});

test('layers override in order; presets resolve; command-line values parse by kind', () => {
  const c = resolveConfig([PRESETS['quick-test'], { max_steps: 3 }]);
  assert.equal(c.max_steps, 3);
  assert.equal(c.learning_rate, PRESETS['quick-test'].learning_rate);
  resolveConfig([PRESETS.production]);
  assert.equal(parseValue('beta', '0.04'), 0.04);
  assert.equal(parseValue('mask_truncated_completions', 'true'), true);
  assert.equal(parseValue('epsilon_high', 'none'), null);
  assert.deepEqual(parseValue('reward_weights', '1,0.5'), [1, 0.5]);
  assert.throws(() => parseValue('beta', 'abc'), /beta must be a number/);
  assert.throws(() => parseValue('betta', '1'), /did you mean "beta"/);
  assert.equal(Object.keys(configDefaults()).length > 50, true);
});

test('total steps follow max_steps, else epochs of prompts', () => {
  assert.equal(totalSteps(resolveConfig([{ max_steps: 7 }]), 100), 7);
  // 100 prompts, 1 prompt per generation (8 completions / 8 generations), 3 epochs.
  assert.equal(totalSteps(resolveConfig([]), 100), 300);
  assert.equal(totalSteps(resolveConfig([{ per_device_train_batch_size: 32, num_train_epochs: 1 }]), 100), 25);
});
