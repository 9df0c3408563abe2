// One run as the page holds it: metrics as columns (one number[] per key, NaN where a row has no
// value; histograms apart), the run's files' records, and the steps with completions and
// generation logs. Rows arrive as column-keyed batches (protocol/dashboard.ts), or packed as typed
// columns (a server's init), and are appended in place, so charts can read just the new tail.

import type { DashboardRun, MetricsBatch, PackedMetrics } from '../../../server/src/protocol/dashboard';
import { unpack } from './packed';
import type { Histogram, RunConfigFile, RunStatus, RunSummary } from '../../../server/src/protocol/run-format';

export class RunData {
  readonly id: string;
  name: string;
  dir: string;
  config: RunConfigFile | null;
  status: RunStatus | null;
  summary: RunSummary | null;
  problems: string[];
  completionSteps: number[] = [];
  generationLogSteps: number[] = [];
  /** Rows held. */
  length = 0;
  /** The run's key list (aligned with incoming rows). */
  private keys: string[] = [];
  private readonly numeric = new Map<string, number[]>();
  private readonly hist = new Map<string, Array<Histogram | null>>();
  /** Bumped on every change that is not a pure append (reset, resume). */
  generation = 0;

  constructor(r: Pick<DashboardRun, 'id' | 'name' | 'dir' | 'config' | 'status' | 'summary' | 'problems'>) {
    this.id = r.id;
    this.name = r.name;
    this.dir = r.dir;
    this.config = r.config;
    this.status = r.status;
    this.summary = r.summary;
    this.problems = [...r.problems];
  }

  static from(r: DashboardRun): RunData {
    const d = new RunData(r);
    d.append(r.metrics);
    d.addSteps('completionSteps', r.completionSteps);
    d.addSteps('generationLogSteps', r.generationLogSteps);
    return d;
  }

  /** Appends a batch; returns the index of its first row. */
  append(batch: MetricsBatch): number {
    const from = this.length;
    this.keys.push(...batch.keys);
    if (batch.packed) this.appendPacked(batch.packed);
    for (const row of batch.rows) {
      const i = this.length;
      for (let k = 0; k < row.length; k++) {
        const v = row[k];
        if (v === null || v === undefined) continue;
        const key = this.keys[k];
        if (key === undefined) continue;
        if (typeof v === 'number') this.columnFor(key)[i] = v;
        else if (typeof v === 'object' && Array.isArray(v.bins)) this.histFor(key)[i] = v;
      }
      this.length++;
      for (const c of this.numeric.values()) if (c.length < this.length) c.push(NaN);
      for (const h of this.hist.values()) if (h.length < this.length) h.push(null);
    }
    return from;
  }

  /** Typed columns (an init from the 127.0.0.1 server): copied column by column, not cell by cell. */
  private appendPacked(p: PackedMetrics): void {
    const from = this.length;
    const { numbers, histograms } = unpack(p);
    for (const [k, col] of numbers) {
      const key = this.keys[k];
      if (key === undefined) continue;
      const c = this.numeric.get(key);
      if (c) for (let i = 0; i < col.length; i++) c.push(col[i]!);
      else {
        const fresh = new Array<number>(from).fill(NaN);
        for (let i = 0; i < col.length; i++) fresh.push(col[i]!);
        this.numeric.set(key, fresh);
      }
    }
    for (const [k, cells] of histograms) {
      const key = this.keys[k];
      if (key === undefined) continue;
      const h = this.hist.get(key) ?? new Array<Histogram | null>(from).fill(null);
      this.hist.set(key, h);
      const base = h.length;
      for (let i = 0; i < p.length; i++) h.push(null);
      for (const [row, cell] of cells) if (row >= 0 && row < p.length) h[base + row] = cell;
    }
    this.length += p.length;
    for (const c of this.numeric.values()) while (c.length < this.length) c.push(NaN);
    for (const h of this.hist.values()) while (h.length < this.length) h.push(null);
  }

  /** metrics.jsonl was cut back: forget the rows and the key list. */
  resetMetrics(): void {
    this.keys = [];
    this.numeric.clear();
    this.hist.clear();
    this.length = 0;
    this.generation++;
  }

  addSteps(which: 'completionSteps' | 'generationLogSteps', steps: readonly number[]): void {
    if (!steps.length) return;
    const s = new Set([...this[which], ...steps]);
    this[which] = [...s].sort((a, b) => a - b);
  }

  private columnFor(key: string): number[] {
    let c = this.numeric.get(key);
    if (!c) {
      c = new Array<number>(this.length + 1).fill(NaN);
      this.numeric.set(key, c);
    }
    return c;
  }

  private histFor(key: string): Array<Histogram | null> {
    let h = this.hist.get(key);
    if (!h) {
      h = new Array<Histogram | null>(this.length + 1).fill(null);
      this.hist.set(key, h);
    }
    return h;
  }

  /** A numeric column (length === this.length), or undefined when no row has the key. */
  column(key: string): readonly number[] | undefined {
    return this.numeric.get(key);
  }

  histograms(key: string): ReadonlyArray<Histogram | null> | undefined {
    return this.hist.get(key);
  }

  /** Numeric keys present, in first-seen order. */
  numericKeys(): string[] {
    return [...this.numeric.keys()];
  }

  has(key: string): boolean {
    const c = this.numeric.get(key);
    return !!c && c.some(Number.isFinite);
  }

  /** Index of the row of `step` (the last one, if a step was logged twice), or -1. */
  rowOfStep(step: number): number {
    const s = this.numeric.get('step');
    if (!s) return -1;
    for (let i = s.length - 1; i >= 0; i--) if (s[i] === step) return i;
    return -1;
  }
}
