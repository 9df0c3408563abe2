// Learning-rate schedules, computed on the host. The formulas are those of transformers'
// get_constant_schedule(_with_warmup), get_linear_schedule_with_warmup and
// get_cosine_schedule_with_warmup / get_cosine_with_min_lr_schedule_with_warmup, so a run
// configured like a TRL/transformers run sees the same learning rates.
//
// Step convention (as transformers' LambdaLR): `lrAt(step)` is the rate for the optimizer update
// that follows `step` completed updates. The first update uses lrAt(0), which is 0 during warmup.

export type ScheduleConfig =
  | { kind: 'constant'; warmupSteps?: number }
  | { kind: 'linear'; warmupSteps: number; totalSteps: number; minLrRatio?: number }
  | { kind: 'cosine'; warmupSteps: number; totalSteps: number; numCycles?: number; minLrRatio?: number };

export interface Schedule {
  readonly config: ScheduleConfig;
  readonly baseLr: number;
  /** The multiplier of the base rate after `step` completed updates. */
  factor(step: number): number;
  /** baseLr * factor(step). */
  lrAt(step: number): number;
}

function check(config: ScheduleConfig, baseLr: number): void {
  const bad = (what: string): never => {
    throw new Error(`invalid learning-rate schedule ${JSON.stringify(config)}: ${what}`);
  };
  if (!Number.isFinite(baseLr) || baseLr < 0) bad(`learning rate must be a finite number >= 0, got ${baseLr}`);
  const warm = config.warmupSteps ?? 0;
  if (!Number.isInteger(warm) || warm < 0) bad('warmupSteps must be an integer >= 0');
  if (config.kind !== 'constant') {
    if (!Number.isInteger(config.totalSteps) || config.totalSteps < 1) bad('totalSteps must be an integer >= 1');
    const m = config.minLrRatio ?? 0;
    if (!(m >= 0 && m <= 1)) bad('minLrRatio must be in [0, 1]');
  }
}

export function makeSchedule(config: ScheduleConfig, baseLr: number): Schedule {
  check(config, baseLr);
  const warmup = config.warmupSteps ?? 0;
  const warm = (step: number): number => step / Math.max(1, warmup);
  let factor: (step: number) => number;
  switch (config.kind) {
    case 'constant':
      factor = (step) => (step < warmup ? warm(step) : 1);
      break;
    case 'linear': {
      const total = config.totalSteps;
      const m = config.minLrRatio ?? 0;
      factor = (step) => {
        if (step < warmup) return warm(step);
        const f = Math.max(0, (total - step) / Math.max(1, total - warmup));
        return m === 0 ? f : f * (1 - m) + m;
      };
      break;
    }
    case 'cosine': {
      const total = config.totalSteps;
      const cycles = config.numCycles ?? 0.5;
      const m = config.minLrRatio ?? 0;
      factor = (step) => {
        if (step < warmup) return warm(step);
        const progress = (step - warmup) / Math.max(1, total - warmup);
        const f = 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress));
        return Math.max(0, f * (1 - m) + m);
      };
      break;
    }
  }
  return {
    config,
    baseLr,
    factor,
    lrAt: (step) => baseLr * factor(step),
  };
}
