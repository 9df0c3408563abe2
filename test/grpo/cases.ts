// Random GRPO loss cases in the `ume-studio grpo-loss` input format, for the parity test. Every
// loss_type x scale_rewards x importance_sampling_level appears with each of the 8 combinations of
// beta, epsilon_high and delta set/unset; the rest is drawn per case: group size, old log-probs or
// none (detached), entropies and top_entropy_quantile, tied groups, null rewards, all-null groups,
// empty and holed mask rows, several reward functions with weights, normalize_then_sum,
// gradient accumulation with num_items_in_batch.

import { IMPORTANCE_SAMPLING_LEVELS, LOSS_TYPES, SCALE_REWARDS } from '../../server/src/engine/grpo/config';
import { Rng } from '../../server/src/engine/train/rng';

export interface LossCaseJson {
  config: Record<string, unknown>;
  rewards: Array<number | null> | Array<Array<number | null>>;
  reward_names?: string[];
  logps: number[][];
  old_logps?: number[][];
  ref_logps?: number[][];
  mask: number[][];
  entropies?: number[][];
}

export interface NamedCase {
  name: string;
  input: LossCaseJson;
}

const round = (x: number, step: number): number => Math.round(x / step) * step;

function rewardsFor(r: Rng, B: number, G: number): Array<number | null> {
  const out: Array<number | null> = [];
  for (let g = 0; g < B / G; g++) {
    const kind = r.uniform();
    const tiedValue = round(r.normal(), 0.5);
    for (let i = 0; i < G; i++) {
      if (kind < 0.2) out.push(tiedValue); // every completion ties: zero std
      else if (kind < 0.27) out.push(null); // an unscorable group
      else if (kind < 0.5) out.push(r.uniform() < 0.3 ? null : round(r.normal() * 2, 0.25)); // nulls and partial ties
      else out.push(r.normal() * 2);
    }
  }
  return out;
}

function maskFor(r: Rng, B: number, T: number): number[][] {
  return Array.from({ length: B }, () => {
    const u = r.uniform();
    const len = u < 0.12 ? 0 : 1 + r.int(T);
    const row = Array.from({ length: T }, (_, t) => (t < len ? 1 : 0));
    if (len > 2 && r.uniform() < 0.15) row[r.int(len)] = 0; // a hole (e.g. a tool-output token)
    return row;
  });
}

const matrix = (B: number, T: number, f: (b: number, t: number) => number): number[][] => Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => f(b, t)));

function oneCase(r: Rng, loss_type: string, scale_rewards: string, importance_sampling_level: string, variant: number): LossCaseJson {
  const withBeta = (variant & 1) !== 0;
  const withEpsHigh = (variant & 2) !== 0;
  const withDelta = (variant & 4) !== 0;
  const G = 2 + r.int(3);
  const B = G * (1 + r.int(3));
  const T = 1 + r.int(6);
  const config: Record<string, unknown> = { loss_type, scale_rewards, importance_sampling_level, num_generations: G, max_completion_length: T + r.int(4) };
  config['epsilon'] = r.uniform() < 0.5 ? 0.2 : 0.05 + 0.35 * r.uniform();
  config['epsilon_high'] = withEpsHigh ? (loss_type === 'cispo' ? 0.7 + r.uniform() : 0.1 + 0.4 * r.uniform()) : null;
  config['delta'] = withDelta ? 1.05 + 0.6 * r.uniform() : null;
  config['beta'] = withBeta ? 0.01 + 0.5 * r.uniform() : 0;
  if (loss_type === 'sapo' && r.uniform() < 0.5) {
    config['sapo_temperature_pos'] = 0.5 + r.uniform();
    config['sapo_temperature_neg'] = 0.5 + r.uniform();
  }
  if (r.uniform() < 0.25) config['multi_objective_aggregation'] = 'normalize_then_sum';

  const mask = maskFor(r, B, T);
  const logps = matrix(B, T, () => -(0.05 + 3 * r.uniform()));
  const c: LossCaseJson = { config, rewards: [], logps, mask };
  const funcs = r.uniform() < 0.3 ? 2 : 1;
  if (funcs === 1) c.rewards = rewardsFor(r, B, G);
  else {
    c.rewards = [rewardsFor(r, B, G), rewardsFor(r, B, G)];
    c.reward_names = ['ume', 'validity'];
    if (r.uniform() < 0.6) config['reward_weights'] = [0.5 + r.uniform(), -0.5 + 2 * r.uniform()];
  }
  // Old log-probs far enough from logps that both clip sides are hit; or none (logps detached).
  if (r.uniform() < 0.75) c.old_logps = logps.map((row) => row.map((x) => x + 0.4 * r.normal()));
  if (withBeta) c.ref_logps = logps.map((row) => row.map((x) => x + 0.3 * r.normal()));
  if (r.uniform() < 0.6) {
    const quantized = r.uniform() < 0.3; // ties between entropies, at and around the quantile
    c.entropies = matrix(B, T, () => (quantized ? round(3 * r.uniform(), 0.5) : 3 * r.uniform()));
    if (r.uniform() < 0.6) config['top_entropy_quantile'] = [0, 0.2, 0.5, 0.8, r.uniform()][r.int(5)];
  }
  if (r.uniform() < 0.35) config['gradient_accumulation_steps'] = 2 + r.int(3);
  const accum = (config['gradient_accumulation_steps'] as number | undefined) ?? 1;
  const tokens = mask.flat().reduce((a, b) => a + b, 0);
  // dapo/cispo divide by the generation batch's tokens, which spans the accumulated micro-batches.
  if (accum > 1 || r.uniform() < 0.3) config['num_items_in_batch'] = tokens * accum + r.int(5);
  return c;
}

/** 36 setting combinations x 8 (beta, epsilon_high, delta) variants, plus hand-picked edge cases. */
export function parityCases(seed: number): NamedCase[] {
  const r = new Rng(seed);
  const out: NamedCase[] = [];
  for (const loss_type of LOSS_TYPES) {
    for (const scale_rewards of SCALE_REWARDS) {
      for (const level of IMPORTANCE_SAMPLING_LEVELS) {
        for (let variant = 0; variant < 8; variant++) {
          const name = `${loss_type}/${scale_rewards}/${level}${variant & 1 ? '/beta' : ''}${variant & 2 ? '/epsilon_high' : ''}${variant & 4 ? '/delta' : ''}`;
          out.push({ name, input: oneCase(r, loss_type, scale_rewards, level, variant) });
        }
      }
    }
  }
  out.push(...edgeCases());
  return out;
}

function edgeCases(): NamedCase[] {
  const logps = [
    [-1, -2, -0.5],
    [-0.3, -0.2, -0.1],
    [-1, -1, -1],
    [-2, -2, -2],
  ];
  const old = logps.map((row) => row.map((x, t) => x + (t - 1) * 0.5));
  const empty = logps.map((row) => row.map(() => 0));
  const entropies = [
    [1, 2, 3],
    [0.5, 0.1, 0.2],
    [1, 1, 1],
    [2, 2, 2],
  ];
  const full = logps.map((row) => row.map(() => 1));
  return [
    { name: 'edge/every mask row empty (dapo, quantile)', input: { config: { num_generations: 2, top_entropy_quantile: 0.5, beta: 0.1 }, rewards: [1, 0, 2, 3], logps, old_logps: old, ref_logps: old, mask: empty, entropies } },
    { name: 'edge/every mask row empty (grpo, sequence)', input: { config: { num_generations: 2, loss_type: 'grpo', importance_sampling_level: 'sequence' }, rewards: [1, 0, 2, 3], logps, old_logps: old, mask: empty } },
    { name: 'edge/every reward null', input: { config: { num_generations: 2, loss_type: 'bnpo' }, rewards: [null, null, null, null], logps, old_logps: old, mask: full } },
    { name: 'edge/quantile 0 keeps the top token only', input: { config: { num_generations: 4, loss_type: 'dr_grpo', top_entropy_quantile: 0 }, rewards: [1, 2, 3, 4], logps, old_logps: old, mask: full, entropies } },
    { name: 'edge/quantile exactly on tied entropies', input: { config: { num_generations: 2, loss_type: 'grpo', top_entropy_quantile: 0.75 }, rewards: [1, 2, 3, 4], logps, mask: full, entropies: entropies.map((row) => row.map((e) => Math.round(e))) } },
    { name: 'edge/cispo without old logps', input: { config: { num_generations: 2, loss_type: 'cispo', epsilon_high: 5 }, rewards: [1, 2, 3, 3], logps, mask: full } },
    { name: 'edge/sapo tied group', input: { config: { num_generations: 2, loss_type: 'sapo', scale_rewards: 'batch' }, rewards: [1, 1, 3, 4], logps, old_logps: old, mask: full } },
  ];
}
