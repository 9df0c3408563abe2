import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean, editDistance, nearestName } from './nearest-name';

test('edit distance counts substitutions, insertions, deletions and transpositions', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('abcd', 'acbd'), 1);
  assert.equal(editDistance('', 'abc'), 3);
});

test('nearest name finds typos, ignores case and separators, and refuses far names', () => {
  const keys = ['learning_rate', 'num_generations', 'loss_type', 'epsilon_high', 'beta'];
  assert.equal(nearestName('learning-rate', keys), 'learning_rate');
  assert.equal(nearestName('num_generation', keys), 'num_generations');
  assert.equal(nearestName('LossType', keys), 'loss_type');
  assert.equal(nearestName('epsilon_hgih', keys), 'epsilon_high');
  assert.equal(nearestName('completely_different', keys), undefined);
  assert.equal(didYouMean('bta', keys), ' (did you mean "beta"?)');
  assert.equal(didYouMean('zzzzzzzz', keys), '');
});
