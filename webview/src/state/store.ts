// The page's state: the runs (RunData) and the view settings, changed only by applyHostMessage
// (what the host sends) and update() (what the user does). Each change says what it touched, so
// the views redraw only that: an `append` names the run and its first new row.

import type { DashboardHostKind, HostMessage } from '../../../server/src/protocol/dashboard';
import { RunData } from './run-data';
import { DEFAULT_FILTERS, type SampleFilters, type SampleSort } from './samples';

export type XAxisMode = 'step' | 'relative' | 'wall';
export type TabId = 'charts' | 'samples' | 'evals' | 'runs';

export interface ViewSettings {
  tab: TabId;
  /** EMA weight in [0, 0.99]. */
  smoothing: number;
  xAxis: XAxisMode;
  /** Runs drawn on the charts (ids). */
  shown: string[];
  /** Shared x range of every chart, or null for all. */
  zoom: [number, number] | null;
  /** The step whose reward histogram is drawn. null: the latest. */
  histStep: number | null;
  samplesRun: string | null;
  /** null: the latest step with completions. */
  samplesStep: number | null;
  filters: SampleFilters;
  sort: SampleSort;
  evalRun: string | null;
  evalStep: number | null;
  onlyDifferences: boolean;
  theme: 'auto' | 'dark' | 'light';
}

export const DEFAULT_SETTINGS: ViewSettings = {
  tab: 'charts',
  smoothing: 0.6,
  xAxis: 'step',
  shown: [],
  zoom: null,
  histStep: null,
  samplesRun: null,
  samplesStep: null,
  filters: DEFAULT_FILTERS,
  sort: { key: 'index', dir: 'asc' },
  evalRun: null,
  evalStep: null,
  onlyDifferences: true,
  theme: 'auto',
};

export type Change =
  | { kind: 'init' }
  | { kind: 'append'; runId: string; from: number }
  | { kind: 'reset'; runId: string }
  | { kind: 'steps'; runId: string }
  | { kind: 'meta'; runId: string }
  | { kind: 'settings'; keys: Array<keyof ViewSettings> };

export class DashboardStore {
  runs = new Map<string, RunData>();
  order: string[] = [];
  host: DashboardHostKind = 'browser';
  live = false;
  settings: ViewSettings;
  /** ms when the last update arrived. */
  lastUpdate = 0;

  constructor(saved?: Partial<ViewSettings> | null) {
    this.settings = { ...DEFAULT_SETTINGS, ...sanitize(saved) };
  }

  run(id: string | null | undefined): RunData | undefined {
    return id ? this.runs.get(id) : undefined;
  }

  /** Runs drawn on the charts, in run order (all when the saved choice names none of them). */
  shownRuns(): RunData[] {
    const shown = this.order.filter((id) => this.settings.shown.includes(id));
    return (shown.length ? shown : this.order.slice(0, 1)).map((id) => this.runs.get(id)!);
  }

  update(patch: Partial<ViewSettings>): Change {
    this.settings = { ...this.settings, ...patch };
    return { kind: 'settings', keys: Object.keys(patch) as Array<keyof ViewSettings> };
  }

  /** What the host sent, applied; the changes it made (none for a message the store does not hold). */
  apply(msg: HostMessage, now = Date.now()): Change[] {
    if (msg.type === 'init') {
      this.host = msg.host;
      this.live = msg.live;
      this.runs = new Map(msg.runs.map((r) => [r.id, RunData.from(r)]));
      this.order = msg.runs.map((r) => r.id);
      const keep = this.settings.shown.filter((id) => this.runs.has(id));
      const focus = (msg.focus ?? []).filter((id) => this.runs.has(id));
      this.settings = {
        ...this.settings,
        shown: focus.length ? focus : keep.length ? keep : this.order.slice(0, 1),
        samplesRun: this.runs.has(this.settings.samplesRun ?? '') ? this.settings.samplesRun : (this.order[0] ?? null),
        evalRun: this.runs.has(this.settings.evalRun ?? '') ? this.settings.evalRun : (this.order[0] ?? null),
      };
      this.lastUpdate = now;
      return [{ kind: 'init' }];
    }
    if (msg.type !== 'update') return [];
    const r = this.runs.get(msg.runId);
    if (!r) return [];
    this.lastUpdate = now;
    const out: Change[] = [];
    if (msg.metricsReset) {
      r.resetMetrics();
      out.push({ kind: 'reset', runId: r.id });
    }
    if (msg.metrics) {
      const from = r.append(msg.metrics);
      if (!msg.metricsReset && msg.metrics.rows.length) out.push({ kind: 'append', runId: r.id, from });
    }
    if (msg.completionSteps?.length || msg.generationLogSteps?.length) {
      r.addSteps('completionSteps', msg.completionSteps ?? []);
      r.addSteps('generationLogSteps', msg.generationLogSteps ?? []);
      out.push({ kind: 'steps', runId: r.id });
    }
    if (msg.config || msg.status || msg.summary || msg.problems?.length) {
      if (msg.config) r.config = msg.config;
      if (msg.status) r.status = msg.status;
      if (msg.summary) r.summary = msg.summary;
      if (msg.problems?.length) r.problems = [...r.problems, ...msg.problems].slice(-50);
      out.push({ kind: 'meta', runId: r.id });
    }
    return out;
  }
}

/** Settings restored from getState/localStorage are untrusted shapes: keep only well-typed fields. */
export function sanitize(s: Partial<ViewSettings> | null | undefined): Partial<ViewSettings> {
  if (!s || typeof s !== 'object') return {};
  const out: Partial<ViewSettings> = {};
  if (['charts', 'samples', 'evals', 'runs'].includes(s.tab as string)) out.tab = s.tab!;
  if (typeof s.smoothing === 'number' && s.smoothing >= 0 && s.smoothing <= 0.99) out.smoothing = s.smoothing;
  if (['step', 'relative', 'wall'].includes(s.xAxis as string)) out.xAxis = s.xAxis!;
  if (Array.isArray(s.shown)) out.shown = s.shown.filter((x): x is string => typeof x === 'string');
  if (Array.isArray(s.zoom) && s.zoom.length === 2 && s.zoom.every(Number.isFinite) && s.zoom[0] < s.zoom[1]) out.zoom = [s.zoom[0], s.zoom[1]];
  for (const k of ['histStep', 'samplesStep', 'evalStep'] as const) if (typeof s[k] === 'number' && Number.isFinite(s[k])) out[k] = s[k];
  for (const k of ['samplesRun', 'evalRun'] as const) if (typeof s[k] === 'string') out[k] = s[k];
  if (typeof s.onlyDifferences === 'boolean') out.onlyDifferences = s.onlyDifferences;
  if (['auto', 'dark', 'light'].includes(s.theme as string)) out.theme = s.theme!;
  if (s.filters && typeof s.filters === 'object') out.filters = { ...DEFAULT_FILTERS, ...pickFilters(s.filters) };
  if (s.sort && typeof s.sort === 'object' && typeof s.sort.key === 'string' && (s.sort.dir === 'asc' || s.sort.dir === 'desc')) out.sort = { key: s.sort.key, dir: s.sort.dir };
  return out;
}

function pickFilters(f: Partial<SampleFilters>): Partial<SampleFilters> {
  const out: Partial<SampleFilters> = {};
  if (typeof f.modality === 'string') out.modality = f.modality;
  if (f.valid === 'all' || f.valid === 'valid' || f.valid === 'invalid') out.valid = f.valid;
  if (typeof f.search === 'string') out.search = f.search.slice(0, 500);
  if (typeof f.minReward === 'number' || f.minReward === null) out.minReward = f.minReward;
  if (typeof f.maxReward === 'number' || f.maxReward === null) out.maxReward = f.maxReward;
  return out;
}
