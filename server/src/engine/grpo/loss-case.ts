// One GRPO loss evaluation from plain JSON, through the code the trainer uses: computeAdvantages on
// the host, then buildGrpoLoss in a float64 graph and its gradient with respect to logps through our
// autodiff, run by ONNX Runtime. `ume-studio grpo-loss` prints it; the parity test compares it
// with an independent PyTorch implementation of TRL's formulas (bench/peers/grpo_loss_ref.py).

import { gradients } from '../onnx/autodiff';
import { Graph, tensorData, type TensorData, type Value } from '../onnx/ir';
import { compile } from '../onnx/runtime';
import { didYouMean } from '../util/nearest-name';
import { computeAdvantages } from './advantages';
import { GRPO_LOSS_KEYS, GrpoSettingsError, grpoLossWarnings, resolveGrpoLossSettings, type GrpoLossSettings } from './config';
import { buildGrpoLoss, type GrpoLossInputs } from './loss';

/** The input file: TRL's tensors for one micro-batch, rows grouped by prompt (num_generations each). */
export interface GrpoLossCase {
  settings: GrpoLossSettings;
  /** [funcs][B]; null = the function could not score that completion. Empty when advantages are given without rewards. */
  rewardsPerFunc: Array<Array<number | null>>;
  /** [B] advantages to use as they are (e.g. a TRL run's), instead of computing them from the rewards. */
  advantages: number[] | null;
  rewardNames: string[];
  rewardWeights: number[] | null;
  numItemsInBatch: number | null;
  logps: number[][];
  oldLogps: number[][] | null;
  refLogps: number[][] | null;
  mask: number[][];
  entropies: number[][] | null;
}

export interface GrpoLossCaseResult {
  loss: number | null;
  grad_logps: Array<Array<number | null>>;
  advantages: number[];
  /** TRL's names; null where TRL's value would be NaN (JSON has no NaN). */
  metrics: Record<string, number | null>;
}

/** A problem with the input, naming the key; the CLI exits 2 with it. */
export class GrpoLossCaseError extends Error {
  override readonly name = 'GrpoLossCaseError';
}

const TOP_KEYS = ['config', 'rewards', 'advantages', 'reward_names', 'logps', 'old_logps', 'ref_logps', 'mask', 'entropies'] as const;
/** Config keys beyond the loss settings. */
const CASE_CONFIG_KEYS = ['num_items_in_batch', 'reward_weights'] as const;

const fail = (msg: string): never => {
  throw new GrpoLossCaseError(msg);
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function matrix(key: string, v: unknown, rows: number | undefined, cols: number | undefined): number[][] {
  if (!Array.isArray(v) || v.length === 0) return fail(`${key} must be a non-empty [B][T] array of numbers, got ${v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 60)}`);
  const B = rows ?? v.length;
  if (v.length !== B) fail(`${key} has ${v.length} rows but logps has ${B}; every [B][T] input must have logps' shape`);
  const T = cols ?? (Array.isArray(v[0]) ? v[0].length : 0);
  if (T === 0) fail(`${key}[0] must be a non-empty row of numbers (T >= 1)`);
  return v.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== T) fail(`${key}[${i}] must be a row of ${T} numbers (as ${key}[0]${cols !== undefined ? ' and logps' : ''}), got ${JSON.stringify(row)?.slice(0, 60)}`);
    return (row as unknown[]).map((x, j) => (typeof x === 'number' && Number.isFinite(x) ? x : fail(`${key}[${i}][${j}] must be a finite number, got ${JSON.stringify(x)}`)));
  });
}

function parseRewards(v: unknown): Array<Array<number | null>> {
  const cell = (x: unknown, where: string): number | null => (x === null || (typeof x === 'number' && Number.isFinite(x)) ? x : fail(`${where} must be a finite number or null, got ${JSON.stringify(x)}`));
  if (!Array.isArray(v) || v.length === 0) return fail('rewards must be a non-empty array: [B] (one reward function) or [funcs][B]');
  if (v.every((x) => !Array.isArray(x))) return [v.map((x, i) => cell(x, `rewards[${i}]`))];
  return v.map((row, k) => (Array.isArray(row) ? row.map((x, i) => cell(x, `rewards[${k}][${i}]`)) : fail(`rewards[${k}] must be an array (rewards is [funcs][B] when its first entry is an array)`)));
}

/** Parses and checks the JSON of a grpo-loss input; every error names its key. */
export function parseGrpoLossCase(json: unknown): GrpoLossCase {
  if (!isRecord(json)) return fail('the input must be a JSON object with config, rewards, logps and mask');
  for (const k of Object.keys(json)) {
    if (!(TOP_KEYS as readonly string[]).includes(k)) fail(`unknown key "${k}"${didYouMean(k, TOP_KEYS)}; the keys are ${TOP_KEYS.join(', ')}`);
  }
  const config = json['config'] ?? {};
  if (!isRecord(config)) return fail('config must be an object of GRPO settings (e.g. {"loss_type": "dapo", "beta": 0.04})');
  const lossConfig: Record<string, unknown> = {};
  const known = [...GRPO_LOSS_KEYS, ...CASE_CONFIG_KEYS];
  for (const [k, v] of Object.entries(config)) {
    if (!(known as readonly string[]).includes(k)) fail(`unknown key "config.${k}"${didYouMean(k, known)}; config keys are ${known.join(', ')}`);
    if (!(CASE_CONFIG_KEYS as readonly string[]).includes(k)) lossConfig[k] = v;
  }
  let settings: GrpoLossSettings;
  try {
    settings = resolveGrpoLossSettings(lossConfig);
  } catch (e) {
    if (e instanceof GrpoSettingsError) return fail(e.problems.map((p) => `config.${p}`).join('; '));
    throw e;
  }
  const nItems = config['num_items_in_batch'];
  if (nItems !== undefined && nItems !== null && (typeof nItems !== 'number' || !Number.isFinite(nItems) || nItems < 0)) fail(`config.num_items_in_batch must be a number >= 0 (active completion tokens in the generation batch), got ${JSON.stringify(nItems)}`);
  const weights = config['reward_weights'];
  if (weights !== undefined && weights !== null && (!Array.isArray(weights) || !weights.every((w) => typeof w === 'number' && Number.isFinite(w)))) fail(`config.reward_weights must be a list of finite numbers, one per reward function, got ${JSON.stringify(weights)}`);

  if (json['rewards'] === undefined && json['advantages'] === undefined) fail('rewards is missing: give one reward per completion ([B], null where unscorable), or the advantages ([B])');
  if (json['logps'] === undefined) fail('logps is missing: give the [B][T] per-token log-probs of the completions');
  if (json['mask'] === undefined) fail('mask is missing: give the [B][T] completion mask (1 for tokens, 0 for padding)');
  const logps = matrix('logps', json['logps'], undefined, undefined);
  const B = logps.length;
  const T = logps[0]!.length;
  const opt = (key: string): number[][] | null => (json[key] === undefined || json[key] === null ? null : matrix(key, json[key], B, T));
  const mask = matrix('mask', json['mask'], B, T);
  mask.forEach((row, i) => row.forEach((m, j) => (m === 0 || m === 1 ? undefined : fail(`mask[${i}][${j}] is ${m}; the completion mask holds 0 or 1`))));
  const rewardsPerFunc = json['rewards'] === undefined ? [] : parseRewards(json['rewards']);
  let advantages: number[] | null = null;
  if (json['advantages'] !== undefined) {
    const a = json['advantages'];
    if (!Array.isArray(a) || a.length !== B) fail(`advantages must be [B]: ${B} numbers, one per row of logps`);
    advantages = (a as unknown[]).map((x, i) => (typeof x === 'number' && Number.isFinite(x) ? x : fail(`advantages[${i}] must be a finite number, got ${JSON.stringify(x)}`)));
  }
  rewardsPerFunc.forEach((row, k) => {
    if (row.length !== B) fail(`rewards${rewardsPerFunc.length > 1 ? `[${k}]` : ''} has ${row.length} entries but logps has ${B} rows; give one reward per completion`);
  });
  if (rewardsPerFunc.length > 0 && B % settings.num_generations !== 0) fail(`${B} completions (rows of logps) are not divisible by config.num_generations ${settings.num_generations}: use a num_generations that divides ${B}, or ${[1, 2, 3].map((i) => i * settings.num_generations).join(', ')} rows`);
  if (Array.isArray(weights) && weights.length !== rewardsPerFunc.length) fail(`config.reward_weights has ${weights.length} weights for ${rewardsPerFunc.length} reward functions`);
  const names = json['reward_names'];
  if (names !== undefined && (!Array.isArray(names) || names.length !== rewardsPerFunc.length || !names.every((n) => typeof n === 'string' && n !== ''))) {
    fail(`reward_names must be ${rewardsPerFunc.length} non-empty strings, one per reward function`);
  }
  const c: GrpoLossCase = {
    settings,
    rewardsPerFunc,
    advantages,
    rewardNames: (names as string[] | undefined) ?? (rewardsPerFunc.length === 1 ? ['reward'] : rewardsPerFunc.map((_, k) => `reward_${k}`)),
    rewardWeights: (weights as number[] | undefined) ?? null,
    numItemsInBatch: (nItems as number | undefined) ?? null,
    logps,
    oldLogps: opt('old_logps'),
    refLogps: opt('ref_logps'),
    mask,
    entropies: opt('entropies'),
  };
  if (settings.beta !== 0 && !c.refLogps) fail(`ref_logps is missing: config.beta is ${settings.beta}, so the KL term needs the reference policy's [B][T] log-probs`);
  if (settings.top_entropy_quantile < 1 && !c.entropies) fail(`entropies is missing: config.top_entropy_quantile is ${settings.top_entropy_quantile}, which masks tokens by entropy`);
  if (c.entropies) c.entropies.forEach((row, i) => row.forEach((e, j) => (e >= 0 ? undefined : fail(`entropies[${i}][${j}] is ${e}; entropies are >= 0`))));
  return c;
}

/** TRL's warnings for this case's settings (printed to stderr by the CLI). */
export function grpoLossCaseWarnings(c: GrpoLossCase): string[] {
  return grpoLossWarnings(c.settings);
}

const toJson = (x: number): number | null => (Number.isFinite(x) ? x : null);
const flat = (m: number[][]): number[] => m.flat();

/** Computes loss, gradient, advantages and metrics for one case (one float64 ORT session). */
export async function evaluateGrpoLossCase(c: GrpoLossCase): Promise<GrpoLossCaseResult> {
  const B = c.logps.length;
  const T = c.logps[0]!.length;
  const adv = c.rewardsPerFunc.length > 0 ? computeAdvantages(c.rewardsPerFunc, c.settings, c.rewardWeights) : undefined;
  const advantages = c.advantages ?? Array.from(adv!.advantages);

  const g = new Graph('grpo_loss');
  const feeds: Record<string, TensorData> = {};
  const input = (name: string, values: number[], shape: number[]): Value => {
    const v = g.input(name, 'float64', shape);
    feeds[name] = tensorData('float64', shape, values);
    return v;
  };
  const bt = [B, T];
  const inputs: GrpoLossInputs = {
    logps: input('logps', flat(c.logps), bt),
    mask: input('mask', flat(c.mask), bt),
    advantages: input('advantages', advantages, [B]),
  };
  if (c.oldLogps) inputs.oldLogps = input('old_logps', flat(c.oldLogps), bt);
  if (c.refLogps) inputs.refLogps = input('ref_logps', flat(c.refLogps), bt);
  if (c.entropies) inputs.entropies = input('entropies', flat(c.entropies), bt);
  if (c.numItemsInBatch !== null) inputs.numItemsInBatch = input('num_items_in_batch', [c.numItemsInBatch], []);

  const { loss, metrics } = buildGrpoLoss(inputs, c.settings);
  const [grad] = gradients(loss, [inputs.logps]);
  g.output(loss, 'loss');
  g.output(grad!, 'grad_logps');
  // Metric names have slashes; the graph outputs get plain names.
  const metricNames = Object.keys(metrics);
  metricNames.forEach((name, i) => g.output(metrics[name as keyof typeof metrics]!, `metric_${i}`));

  const model = await compile(g, { device: 'cpu', threads: 1 });
  let out: Record<string, TensorData>;
  try {
    out = await model.run(feeds);
  } finally {
    await model.release();
  }
  const num = (name: string): number => Number(out[name]!.data[0]);
  const gradData = out['grad_logps']!.data as Float64Array;
  const result: GrpoLossCaseResult = {
    loss: toJson(num('loss')),
    grad_logps: Array.from({ length: B }, (_, i) => Array.from(gradData.subarray(i * T, (i + 1) * T), toJson)),
    advantages,
    metrics: {},
  };
  metricNames.forEach((name, i) => (result.metrics[name] = toJson(num(`metric_${i}`))));
  if (!adv) return result;
  result.metrics['reward'] = toJson(adv.reward);
  result.metrics['reward_std'] = toJson(adv.rewardStd);
  result.metrics['frac_reward_zero_std'] = adv.fracRewardZeroStd;
  c.rewardNames.forEach((name, k) => {
    result.metrics[`rewards/${name}/mean`] = toJson(adv.perFunction[k]!.mean);
    result.metrics[`rewards/${name}/std`] = toJson(adv.perFunction[k]!.std);
  });
  return result;
}
