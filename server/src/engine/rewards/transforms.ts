// REINVENT 4's score transforms (reinvent/scoring/transforms/), formula for formula:
// - sigmoid(low, high, k): x' = x - (high + low) / 2, k' = 10 k / (high - low),
//   y = 1 / (1 + 10^(-k' x')) (the stable sigmoid with the exponent times ln 10);
//   high == low: the hard step y = [10 k x' > 0];
// - reverse_sigmoid = 1 - sigmoid (the same hard step when high == low, then 1 - it);
// - double_sigmoid(low, high, coef_div = 100, coef_si = 150, coef_se = 150): centre
//   c = (high - low) / 2 + low; x < c: sigmoid(x - low, k = coef_si / coef_div);
//   x >= c: 1 - sigmoid(x - high, k = coef_se / coef_div); coef_div == 0: hard steps;
// - step: 1 on [low, high]; left_step: 1 for x <= low; right_step: 1 for x >= high;
// - exponential_decay(k > 0): 1 for x < 0, else exp(-k x);
// - value_mapping(mapping): str(x) looked up (REINVENT: a missing key is NaN; here null with why).
// REINVENT computes in float32 (np.float32 arrays); these run in float64, so values agree to
// float32 rounding (~1e-7 relative), not bit for bit.

import { REWARD_TRANSFORM_TYPES as TRANSFORM_TYPES, type RewardTransformType as TransformType } from '../../protocol/reward-config';
import { didYouMean } from '../util/nearest-name';

export { TRANSFORM_TYPES, type TransformType };

export interface TransformSpec {
  type: TransformType;
  low?: number;
  high?: number;
  k?: number;
  coef_div?: number;
  coef_si?: number;
  coef_se?: number;
  mapping?: Record<string, number>;
}

/** A transform's answer: a score, or null with the reason (value_mapping without the key). */
export type TransformOutput = { value: number } | { value: null; reason: string };
export type Transform = (x: number) => TransformOutput;

/** Keys each transform takes; the first list is required. */
const KEYS: Record<TransformType, { required: string[]; optional: string[] }> = {
  sigmoid: { required: ['low', 'high', 'k'], optional: [] },
  reverse_sigmoid: { required: ['low', 'high', 'k'], optional: [] },
  double_sigmoid: { required: ['low', 'high'], optional: ['coef_div', 'coef_si', 'coef_se'] },
  step: { required: [], optional: ['low', 'high'] },
  left_step: { required: [], optional: ['low'] },
  right_step: { required: [], optional: ['high'] },
  value_mapping: { required: ['mapping'], optional: [] },
  exponential_decay: { required: ['k'], optional: [] },
};

const LN10 = Math.log(10);

/** sigmoid_functions.stable_sigmoid (base 10). */
export function stableSigmoid(x: number, k: number): number {
  const h = k * x * LN10;
  return h >= 0 ? 1 / (1 + Math.exp(-h)) : Math.exp(h) / (1 + Math.exp(h));
}

/** sigmoid_functions.hard_sigmoid. */
export function hardSigmoid(x: number, k: number): number {
  return k * x > 0 ? 1 : 0;
}

export function sigmoid(x: number, low: number, high: number, k: number): number {
  const xc = x - (high + low) / 2;
  return high - low === 0 ? hardSigmoid(xc, 10 * k) : stableSigmoid(xc, (10 * k) / (high - low));
}

export function reverseSigmoid(x: number, low: number, high: number, k: number): number {
  return 1 - sigmoid(x, low, high, k);
}

export function doubleSigmoid(x: number, low: number, high: number, coefDiv = 100, coefSi = 150, coefSe = 150): number {
  const centre = (high - low) / 2 + low;
  if (coefDiv === 0) return x < centre ? hardSigmoid(x - low, coefSi) : 1 - hardSigmoid(x - high, coefSe);
  return x < centre ? stableSigmoid(x - low, coefSi / coefDiv) : 1 - stableSigmoid(x - high, coefSe / coefDiv);
}

export function exponentialDecay(x: number, k: number): number {
  return x < 0 ? 1 : Math.exp(-k * x);
}

/** Python's str() of a float, for value_mapping keys ("1.0", "0.5", "1e-05", "1e+16"). */
export function pythonFloatString(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    return `${m}e${sign}${e.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

function num(spec: Record<string, unknown>, key: string, where: string): number {
  const v = spec[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: "${key}" must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks a transform spec (nearest-name errors) and builds it. `where` prefixes messages. */
export function buildTransform(spec: unknown, where = 'transform'): Transform {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new Error(`${where} must be an object like {"type": "sigmoid", "low": 0, "high": 1, "k": 0.5}`);
  const s = spec as Record<string, unknown>;
  const type = s['type'];
  if (typeof type !== 'string' || !(TRANSFORM_TYPES as readonly string[]).includes(type)) {
    throw new Error(`${where}: unknown transform type ${JSON.stringify(type)}${typeof type === 'string' ? didYouMean(type, TRANSFORM_TYPES) : ''}; use one of ${TRANSFORM_TYPES.join(', ')}`);
  }
  const t = type as TransformType;
  const allowed = ['type', ...KEYS[t].required, ...KEYS[t].optional];
  for (const key of Object.keys(s)) {
    if (!allowed.includes(key)) throw new Error(`${where}: "${t}" takes no key "${key}"${didYouMean(key, allowed)}; its keys are ${allowed.slice(1).join(', ') || '(none)'}`);
  }
  for (const key of KEYS[t].required) if (!(key in s)) throw new Error(`${where}: "${t}" needs "${key}"`);
  const w = `${where} (${t})`;
  switch (t) {
    case 'sigmoid':
    case 'reverse_sigmoid': {
      const low = num(s, 'low', w);
      const high = num(s, 'high', w);
      const k = num(s, 'k', w);
      const f = t === 'sigmoid' ? sigmoid : reverseSigmoid;
      return (x) => ({ value: f(x, low, high, k) });
    }
    case 'double_sigmoid': {
      const low = num(s, 'low', w);
      const high = num(s, 'high', w);
      const cd = 'coef_div' in s ? num(s, 'coef_div', w) : 100;
      const si = 'coef_si' in s ? num(s, 'coef_si', w) : 150;
      const se = 'coef_se' in s ? num(s, 'coef_se', w) : 150;
      return (x) => ({ value: doubleSigmoid(x, low, high, cd, si, se) });
    }
    case 'step': {
      const low = 'low' in s ? num(s, 'low', w) : 0;
      const high = 'high' in s ? num(s, 'high', w) : 0;
      return (x) => ({ value: low <= x && x <= high ? 1 : 0 });
    }
    case 'left_step': {
      const low = 'low' in s ? num(s, 'low', w) : 0;
      return (x) => ({ value: x <= low ? 1 : 0 });
    }
    case 'right_step': {
      const high = 'high' in s ? num(s, 'high', w) : 0;
      return (x) => ({ value: x >= high ? 1 : 0 });
    }
    case 'exponential_decay': {
      const k = num(s, 'k', w);
      if (k <= 0) throw new Error(`${w}: k must be > 0, got ${k}`);
      return (x) => ({ value: exponentialDecay(x, k) });
    }
    case 'value_mapping': {
      const m = s['mapping'];
      if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new Error(`${w}: "mapping" must be an object of value -> score, e.g. {"1": 1.0, "0": 0.0}`);
      const table = new Map<string, number>();
      for (const [key, v] of Object.entries(m as Record<string, unknown>)) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${w}: mapping["${key}"] must be a finite number, got ${JSON.stringify(v)}`);
        table.set(key, v);
      }
      return (x) => {
        // REINVENT looks up str(value); values reach it as floats ("1.0") or ints ("1"): accept both.
        const hit = table.get(pythonFloatString(x)) ?? table.get(String(x));
        return hit === undefined ? { value: null, reason: `value ${x} is not in the value_mapping (keys: ${[...table.keys()].join(', ')})` } : { value: hit };
      };
    }
  }
}
