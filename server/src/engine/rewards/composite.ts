// RewardFunctions from a checked config. Each row's sequence is read once (sequence.ts); each
// component measures the batch; its transform and weight turn raw values into scores:
// - weighted_sum: one RewardFunction per component (value = transformed score, unweighted), so the
//   trainer applies TRL's reward_weights and multi_objective_aggregation across them; a
//   diversity filter is one of them (its value is the filter factor, see diversity-filter.ts);
// - arithmetic_mean / geometric_mean: one RewardFunction whose value is REINVENT's weighted mean
//   of the components that scored the row, times the diversity filters' factors; each result
//   carries every component's raw and transformed value.
// A component that throws for the batch gives every row null with its message; a row no
// component could score is null with the reasons, never 0 and never the best score.

import { aggregate } from './aggregate';
import type { CheckedComponent, CheckedConfig } from './config';
import { DiversityFilter } from './components/diversity-filter';
import { COMPONENTS } from './components/registry';
import type { BuildContext, Component, ComponentRow, Measurement } from './components/types';
import { extractSequence } from './sequence';
import type { ComponentScore, RewardFunction, RewardInput, RewardResult, RewardScoreOptions } from './types';

export interface ScoredComponent {
  measurement: Measurement;
  score: ComponentScore;
}

function abortError(): Error {
  return Object.assign(new Error('reward scoring was cancelled'), { name: 'AbortError' });
}

/** Raw -> transformed value -> ComponentScore, for one component and one row. */
export function scoreOf(c: CheckedComponent, m: Measurement): ComponentScore {
  if (m.raw === null || !Number.isFinite(m.raw)) return { raw: null, value: null, error: m.error ?? (m.raw === null ? 'not measured' : `non-finite value ${m.raw}`) };
  let value: number | null = m.value === undefined ? m.raw : m.value;
  let error = m.error;
  if (c.transform) {
    const t = c.transform(m.raw);
    value = t.value;
    if (t.value === null) error = t.reason;
  }
  if (value !== null && !Number.isFinite(value)) {
    error = `the transform gave ${value} for raw ${m.raw}`;
    value = null;
  }
  return { raw: m.raw, value, ...(error ? { error } : {}) };
}

/** Measures one component on the batch; a throw becomes every row's error. */
async function measureSafely(comp: Component, rows: readonly ComponentRow[], options: RewardScoreOptions): Promise<Measurement[]> {
  try {
    const m = await comp.measure(rows, options);
    if (m.length !== rows.length) throw new Error(`returned ${m.length} measurements for ${rows.length} rows`);
    return m;
  } catch (e) {
    if ((e as Error)?.name === 'AbortError' || options.signal?.aborted) throw e;
    const msg = `component "${comp.name}" failed: ${(e as Error)?.message ?? String(e)}`;
    return rows.map(() => ({ raw: null, error: msg }));
  }
}

export class RewardBuilder {
  constructor(
    readonly config: CheckedConfig,
    readonly ctx: BuildContext,
  ) {}

  rows(inputs: readonly RewardInput[]): ComponentRow[] {
    return inputs.map((input) => ({ input, seq: extractSequence(input, this.ctx.rdkit, this.config.untagged) }));
  }

  async component(c: CheckedComponent): Promise<Component> {
    const kind = COMPONENTS[c.type];
    if (!kind.create) throw new Error(`component "${c.name}": ${c.type} is applied by the aggregation, not measured`);
    return kind.create(c.name, c.params, this.ctx);
  }
}

/** weighted_sum: one function per component. */
export function componentFunction(builder: RewardBuilder, c: CheckedComponent, comp: Component): RewardFunction {
  let last: Record<string, number> = {};
  return {
    name: c.name,
    async score(inputs, options = {}): Promise<RewardResult[]> {
      const t0 = performance.now();
      const rows = builder.rows(inputs);
      const ms = await measureSafely(comp, rows, options);
      last = { [c.name]: (performance.now() - t0) / 1000 };
      return rows.map((r, i) => {
        const s = scoreOf(c, ms[i]!);
        const res: RewardResult = { value: s.value, modality: r.seq.ok ? r.seq.modality : r.seq.modality, components: { [c.name]: s } };
        if (s.value === null) res.reason = s.error ?? 'not scored';
        if (ms[i]!.kind) res.kind = ms[i]!.kind;
        return res;
      });
    },
    lastTimings: () => last,
    close: async () => comp.close?.(),
  };
}

/** weighted_sum: a diversity filter as its own function (value = its factor). */
export function filterFunction(builder: RewardBuilder, c: CheckedComponent): RewardFunction & { filter: DiversityFilter } {
  const filter = new DiversityFilter(c.name, c.params, builder.ctx);
  let last: Record<string, number> = {};
  return {
    name: c.name,
    filter,
    async score(inputs): Promise<RewardResult[]> {
      const t0 = performance.now();
      const rows = builder.rows(inputs);
      const out = filter.apply(rows, rows.map((r) => (r.seq.ok ? 1 : null)));
      last = { [c.name]: (performance.now() - t0) / 1000 };
      return out.map((o, i) => {
        const r = rows[i]!;
        const s: ComponentScore = { raw: o.factor, value: o.factor, ...(o.reason ? { error: o.reason } : {}) };
        return { value: o.factor, modality: r.seq.modality, components: { [c.name]: s }, ...(o.factor === null ? { reason: o.reason ?? 'not filtered' } : o.reason ? { kind: 'diversity-filter', reason: o.reason } : {}) };
      });
    },
    lastTimings: () => last,
  };
}

/** arithmetic_mean / geometric_mean: one composite function. */
export function compositeFunction(builder: RewardBuilder, parts: Array<{ c: CheckedComponent; comp: Component }>, filters: Array<{ c: CheckedComponent; filter: DiversityFilter }>): RewardFunction {
  const cfg = builder.config;
  let last: Record<string, number> = {};
  return {
    name: cfg.name,
    async score(inputs, options = {}): Promise<RewardResult[]> {
      const rows = builder.rows(inputs);
      const times: Record<string, number> = {};
      const perComponent: ComponentScore[][] = [];
      const kinds: Array<Array<string | undefined>> = [];
      for (const { c, comp } of parts) {
        if (options.signal?.aborted) throw abortError();
        const t0 = performance.now();
        const ms = await measureSafely(comp, rows, options);
        times[c.name] = (performance.now() - t0) / 1000;
        perComponent.push(ms.map((m) => scoreOf(c, m)));
        kinds.push(ms.map((m) => m.kind));
      }
      const weights = parts.map((p) => p.c.weight);
      let totals = rows.map((_, i) => aggregate(cfg.aggregation, perComponent.map((col) => col[i]!.value), weights));
      const filterScores: ComponentScore[][] = [];
      for (const { c, filter } of filters) {
        const t0 = performance.now();
        const out = filter.apply(rows, totals);
        times[c.name] = (performance.now() - t0) / 1000;
        filterScores.push(out.map((o) => ({ raw: o.factor, value: o.factor, ...(o.reason ? { error: o.reason } : {}) })));
        totals = out.map((o) => o.score);
      }
      last = times;
      return rows.map((r, i) => {
        const components: Record<string, ComponentScore> = {};
        parts.forEach(({ c }, k) => (components[c.name] = perComponent[k]![i]!));
        filters.forEach(({ c }, k) => (components[c.name] = filterScores[k]![i]!));
        const res: RewardResult = { value: totals[i]!, modality: r.seq.modality, components };
        const kind = kinds.map((col) => col[i]).find((k) => k !== undefined);
        if (kind) res.kind = kind;
        if (totals[i] === null) {
          res.reason = `no component scored this row: ${parts.map(({ c }, k) => `${c.name}: ${perComponent[k]![i]!.error ?? 'no value'}`).join('; ')}`;
        }
        return res;
      });
    },
    lastTimings: () => last,
    close: async () => {
      await Promise.all(parts.map(({ comp }) => comp.close?.()));
    },
  };
}
