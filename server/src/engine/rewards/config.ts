// Checks a reward config (protocol/reward-config.ts) before anything is built: unknown keys,
// component types, aggregations and transform types fail with the nearest valid name; params are
// checked against each component's declared keys; names must be unique.

import { REWARD_AGGREGATIONS, REWARD_COMPONENT_TYPES, type RewardAggregation, type RewardComponentType, type UntaggedPolicy } from '../../protocol/reward-config';
import { didYouMean } from '../util/nearest-name';
import { checkParams } from './components/params';
import { COMPONENTS } from './components/registry';
import { buildTransform, type Transform } from './transforms';

export interface CheckedComponent {
  name: string;
  type: RewardComponentType;
  weight: number;
  params: Record<string, unknown>;
  transform?: Transform;
  transformSpec?: unknown;
}

export interface CheckedConfig {
  aggregation: RewardAggregation;
  name: string;
  untagged: UntaggedPolicy;
  components: CheckedComponent[];
}

export class RewardConfigError extends Error {
  override readonly name = 'RewardConfigError';
}

const TOP_KEYS = ['$schema', 'aggregation', 'name', 'untagged', 'components'];
const COMPONENT_KEYS = ['name', 'type', 'weight', 'params', 'transform'];
const NAME_RE = /^[A-Za-z0-9_.-]+$/;

function fail(msg: string): never {
  throw new RewardConfigError(msg);
}

export function checkRewardConfig(raw: unknown, source = 'reward config'): CheckedConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${source}: must be a JSON object with a "components" list`);
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!TOP_KEYS.includes(k)) fail(`${source}: unknown key "${k}"${didYouMean(k, TOP_KEYS)}; valid keys: ${TOP_KEYS.slice(1).join(', ')}`);
  const aggregation = c['aggregation'] ?? 'weighted_sum';
  if (typeof aggregation !== 'string') fail(`${source}: "aggregation" must be a string, one of ${REWARD_AGGREGATIONS.join(', ')}; got ${JSON.stringify(aggregation)}`);
  if (!(REWARD_AGGREGATIONS as readonly string[]).includes(aggregation)) fail(`${source}: unknown aggregation "${aggregation}"${didYouMean(aggregation, REWARD_AGGREGATIONS)}; use ${REWARD_AGGREGATIONS.join(', ')}`);
  const untagged = c['untagged'] ?? 'detect';
  if (untagged !== 'detect' && untagged !== 'reject') fail(`${source}: "untagged" must be "detect" or "reject", got ${JSON.stringify(untagged)}`);
  const name = c['name'] ?? 'reward';
  if (typeof name !== 'string' || !NAME_RE.test(name)) fail(`${source}: "name" must be letters, digits, _ . - (it names metrics), got ${JSON.stringify(name)}`);
  const list = c['components'];
  if (!Array.isArray(list) || list.length === 0) fail(`${source}: "components" must be a non-empty list of {name, type, weight, params, transform}`);
  const seen = new Set<string>();
  const components = list.map((item: unknown, i): CheckedComponent => {
    const at = `${source}: components[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) fail(`${at} must be an object {name, type, weight, params, transform}`);
    const o = item as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!COMPONENT_KEYS.includes(k)) fail(`${at}: unknown key "${k}"${didYouMean(k, COMPONENT_KEYS)}; valid keys: ${COMPONENT_KEYS.join(', ')}`);
    const type = o['type'];
    if (typeof type !== 'string' || !(REWARD_COMPONENT_TYPES as readonly string[]).includes(type)) {
      fail(`${at}: unknown component type ${JSON.stringify(type)}${typeof type === 'string' ? didYouMean(type, REWARD_COMPONENT_TYPES) : ''}; types: ${REWARD_COMPONENT_TYPES.join(', ')}`);
    }
    const cname = o['name'] ?? type;
    if (typeof cname !== 'string' || !NAME_RE.test(cname)) fail(`${at}: "name" must be letters, digits, _ . - (it names metrics), got ${JSON.stringify(cname)}`);
    if (seen.has(cname)) fail(`${at}: the name "${cname}" is used twice; component names must be unique`);
    seen.add(cname);
    const weight = o['weight'] ?? 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) fail(`${at} ("${cname}"): "weight" must be a number >= 0, got ${JSON.stringify(weight)}`);
    const where = `component "${cname}" (${type})`;
    let params: Record<string, unknown>;
    try {
      params = checkParams(where, COMPONENTS[type as RewardComponentType].params, o['params']);
    } catch (e) {
      fail(`${source}: ${(e as Error).message}`);
    }
    const out: CheckedComponent = { name: cname, type: type as RewardComponentType, weight, params };
    if (o['transform'] !== undefined) {
      if (type === 'diversity_filter') fail(`${at} ("${cname}"): a diversity_filter takes no transform (it scales the aggregated score)`);
      try {
        out.transform = buildTransform(o['transform'], `${where}: transform`);
      } catch (e) {
        fail(`${source}: ${(e as Error).message}`);
      }
      out.transformSpec = o['transform'];
    }
    return out;
  });
  if (components.every((x) => x.type === 'diversity_filter')) fail(`${source}: only diversity filters; add a component that measures something (e.g. {"name": "qed", "type": "qed"})`);
  if (aggregation !== 'weighted_sum' && components.filter((x) => x.type !== 'diversity_filter').every((x) => x.weight === 0)) fail(`${source}: every component has weight 0; the ${aggregation} would be undefined`);
  return { aggregation: aggregation as RewardAggregation, name: name as string, untagged: untagged as UntaggedPolicy, components };
}
