// Property tests of the reward-config checker (issue 17: fuzz the reward configs): any JSON value is
// either a config or a RewardConfigError that says where (never another exception), a config that
// passes keeps its components' names, types and weights, and one typo in any key or component type
// of a valid config is refused with the key it should have been.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkRewardConfig, RewardConfigError } from './config';
import { REWARD_COMPONENT_TYPES } from '../../protocol/reward-config';
import { COMPONENTS } from './components/registry';

/** Types that need no params (smarts and retrieval require theirs). */
const PLAIN_TYPES = REWARD_COMPONENT_TYPES.filter((t) => t !== 'smarts' && t !== 'retrieval' && t !== 'diversity_filter' && t !== 'ume');

const component = fc.record(
  { name: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), type: fc.constantFrom(...PLAIN_TYPES), weight: fc.double({ min: 0.01, max: 10, noNaN: true }) },
  { requiredKeys: ['type'] },
);
const validConfig = fc
  .record({
    aggregation: fc.constantFrom('weighted_sum', 'arithmetic_mean', 'geometric_mean'),
    components: fc.uniqueArray(component, { minLength: 1, maxLength: 5, selector: (c) => c.name ?? c.type }),
  })
  // A component's name defaults to its type, so two unnamed components of a type, or a name equal to
  // another's type, collide; keep the generated configs valid.
  .filter((c) => new Set(c.components.map((x) => x.name ?? x.type)).size === c.components.length);

/** One edit of a word: drop, double or swap a character, or replace one with a letter. */
const typo = (word: string) =>
  fc.tuple(fc.nat(word.length - 1), fc.constantFrom('drop', 'double', 'swap', 'replace'), fc.constantFrom(...'xqzjkw')).map(([i, kind, letter]) => {
    if (kind === 'drop') return word.slice(0, i) + word.slice(i + 1);
    if (kind === 'double') return word.slice(0, i + 1) + word.slice(i);
    if (kind === 'swap') return i + 1 < word.length ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : word.slice(0, i) + letter;
    return word.slice(0, i) + letter + word.slice(i + 1);
  });

function outcome(raw: unknown): 'ok' | string {
  try {
    checkRewardConfig(raw, 'cfg');
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof RewardConfigError, `not a RewardConfigError: ${String(e)}`);
    assert.match(e.message, /^cfg: /);
    return e.message;
  }
}

test('any JSON value: a config or a RewardConfigError, never another exception', () => {
  const near = fc.dictionary(fc.constantFrom('aggregation', 'name', 'components', 'untagged', 'weights', 'compnents'), fc.jsonValue(), { maxKeys: 4 });
  fc.assert(fc.property(fc.oneof(fc.jsonValue(), near), (v) => void outcome(v)), { numRuns: 3000, seed: 17 });
});

test('a valid config passes with its components as written (weights, names defaulting to the type)', () => {
  fc.assert(
    fc.property(validConfig, (raw) => {
      const c = checkRewardConfig(raw);
      assert.equal(c.aggregation, raw.aggregation);
      assert.deepEqual(c.components.map((x) => [x.name, x.type, x.weight]), raw.components.map((x) => [x.name ?? x.type, x.type, x.weight ?? 1]));
    }),
    { numRuns: 500, seed: 18 },
  );
});

test('one typo in a key or a component type is refused, naming what it should have been', () => {
  const edited = validConfig.chain((raw) =>
    fc.oneof(
      typo('components').map((k) => ({ raw: { aggregation: raw.aggregation, [k]: raw.components }, wanted: 'components', wrong: k })),
      typo('aggregation').map((k) => ({ raw: { components: raw.components, [k]: raw.aggregation }, wanted: 'aggregation', wrong: k })),
      fc.tuple(typo('weight'), fc.nat(raw.components.length - 1)).map(([k, i]) => {
        const components = raw.components.map((c, j) => (j === i ? { type: c.type, ...(c.name ? { name: c.name } : {}), [k]: 1 } : c));
        return { raw: { ...raw, components }, wanted: 'weight', wrong: k };
      }),
      fc.nat(raw.components.length - 1).chain((i) =>
        typo(raw.components[i]!.type).map((t) => ({ raw: { ...raw, components: raw.components.map((c, j) => (j === i ? { ...c, type: t } : c)) }, wanted: raw.components[i]!.type, wrong: t })),
      ),
    ),
  );
  fc.assert(
    fc.property(edited, ({ raw, wanted, wrong }) => {
      fc.pre(wrong !== wanted && !(REWARD_COMPONENT_TYPES as readonly string[]).includes(wrong));
      const message = outcome(raw);
      assert.notEqual(message, 'ok', `${wrong} was accepted`);
      assert.ok(message.includes(JSON.stringify(wrong)), `the message names the wrong word ${wrong}: ${message}`);
      assert.ok(message.includes(`did you mean "${wanted}"`) || message.includes(wanted), `the message names ${wanted}: ${message}`);
    }),
    { numRuns: 800, seed: 19 },
  );
});

test('any JSON as a component\'s params or transform: a config or a RewardConfigError', () => {
  const types = REWARD_COMPONENT_TYPES;
  const arb = fc.constantFrom(...types).chain((type) => {
    const names = Object.keys(COMPONENTS[type].params);
    const params = names.length ? fc.dictionary(fc.constantFrom(...names), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) : fc.constant({});
    const transform = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.dictionary(fc.constantFrom('type', 'low', 'high', 'k', 'coef_div', 'coef_si', 'coef_se', 'mapping', 'sigmoid', 'reverse_sigmoid', 'double_sigmoid', 'step', 'value_mapping'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
    );
    return fc.tuple(params, transform).map(([p, t]) => ({ components: [{ type, params: p, ...(t === undefined ? {} : { transform: t }) }, { name: 'anchor', type: 'qed' }] }));
  });
  fc.assert(fc.property(arb, (raw) => void outcome(raw)), { numRuns: 3000, seed: 20 });
});
