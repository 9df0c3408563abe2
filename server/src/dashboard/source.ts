// The dashboard's data: a set of run folders read with RunTail, kept as column-keyed metrics, and
// (when live) followed so subscribers get only what is new. The 127.0.0.1 server, the static export
// and the VS Code panel all read from one of these.

import { basename, resolve } from 'node:path';
import { RunTail, type RunUpdate } from '../engine/runs/reader/run-tail';
import { RunFollower } from '../engine/runs/reader/follow';
import type { DashboardHostKind, DashboardRequest, DashboardResponses, DashboardRun, HostMessage, MetricCell, RunUpdateMessage } from '../protocol/dashboard';
import { MetricsEncoder } from './metrics-encoder';
import { drawMolecules, smartsPatterns } from './molecules';

/** Most SMILES one molecules request may ask for. */
export const MAX_MOLECULES_PER_REQUEST = 500;

interface RunEntry {
  id: string;
  name: string;
  tail: RunTail;
  encoder: MetricsEncoder;
  rows: MetricCell[][];
  snapshot: Omit<DashboardRun, 'metrics' | 'completionSteps' | 'generationLogSteps'>;
  follower: RunFollower | null;
}

export interface SourceOptions {
  /** Poll interval of followed runs (ms). */
  intervalMs?: number;
}

type Listener = (m: HostMessage) => void;

export class DashboardSource {
  private readonly runs: RunEntry[] = [];
  private readonly listeners = new Set<Listener>();
  private live = false;

  private constructor(private readonly opts: SourceOptions) {}

  /** Reads every run folder once. Folders that hold nothing readable still appear, with problems. */
  static async open(dirs: readonly string[], opts: SourceOptions = {}): Promise<DashboardSource> {
    const s = new DashboardSource(opts);
    const taken = new Set<string>();
    for (const d of dirs) {
      const dir = resolve(d);
      const name = basename(dir) || dir;
      let id = name;
      for (let k = 2; taken.has(id); k++) id = `${name}-${k}`;
      taken.add(id);
      const entry: RunEntry = { id, name, tail: new RunTail(dir), encoder: new MetricsEncoder(), rows: [], snapshot: { id, name, dir, config: null, status: null, summary: null, problems: [] }, follower: null };
      s.runs.push(entry);
      s.apply(entry, await entry.tail.poll());
    }
    return s;
  }

  get runIds(): string[] {
    return this.runs.map((r) => r.id);
  }

  /** Starts following every run: changes reach subscribers as `update` messages. */
  follow(): void {
    if (this.live) return;
    this.live = true;
    for (const r of this.runs) {
      r.follower = new RunFollower(r.tail, (u) => this.emit(this.apply(r, u)), { ...(this.opts.intervalMs ? { intervalMs: this.opts.intervalMs } : {}), onError: (e) => r.snapshot.problems.push(e.message) });
      r.follower.start();
    }
  }

  /** Polls every followed run now (tests, and `--once`). */
  async pollNow(): Promise<void> {
    await Promise.all(this.runs.map((r) => r.follower?.pollNow()));
  }

  stop(): void {
    for (const r of this.runs) r.follower?.stop();
    this.live = false;
    this.listeners.clear();
  }

  /** The `init` message: every run as it is now. Subscribing right after it misses nothing. */
  init(host: DashboardHostKind): Extract<HostMessage, { type: 'init' }> {
    return {
      type: 'init',
      host,
      live: this.live,
      runs: this.runs.map((r) => ({ ...r.snapshot, problems: [...r.snapshot.problems], metrics: { keys: [...r.encoder.keys], rows: r.rows.slice() }, completionSteps: r.tail.completionStepList, generationLogSteps: r.tail.generationLogStepList })),
    };
  }

  /** init + subscribe in one step, so no update falls between them. */
  connect(host: DashboardHostKind, listener: Listener): { init: Extract<HostMessage, { type: 'init' }>; close: () => void } {
    const init = this.init(host);
    this.listeners.add(listener);
    return { init, close: () => this.listeners.delete(listener) };
  }

  async request<R extends DashboardRequest>(request: R): Promise<DashboardResponses[R['kind']]> {
    type Out = DashboardResponses[R['kind']];
    const req: DashboardRequest = request;
    const r = this.runs.find((x) => x.id === req.runId);
    if (!r) throw new Error(`no run "${req.runId}" in this dashboard (runs: ${this.runIds.join(', ')})`);
    if (req.kind === 'molecules') {
      if (!Array.isArray(req.smiles) || req.smiles.length > MAX_MOLECULES_PER_REQUEST || !req.smiles.every((x) => typeof x === 'string')) throw new Error(`molecules takes up to ${MAX_MOLECULES_PER_REQUEST} SMILES strings`);
      return (await drawMolecules(req.smiles, smartsPatterns(r.snapshot.config))) as Out;
    }
    if (!Number.isSafeInteger(req.step) || req.step < 0) throw new Error(`step must be a non-negative integer, got ${String(req.step)}`);
    if (req.kind === 'completions') return (await r.tail.readCompletions(req.step)) as Out;
    return (await r.tail.readGenerationLog(req.step)) as Out;
  }

  private emit(m: RunUpdateMessage | null): void {
    if (!m) return;
    for (const l of this.listeners) l(m);
  }

  private apply(r: RunEntry, u: RunUpdate): RunUpdateMessage | null {
    const msg: RunUpdateMessage = { type: 'update', runId: r.id };
    if (u.metricsReset) {
      r.encoder.reset();
      r.rows = [];
      msg.metricsReset = true;
    }
    if (u.metrics.length || u.metricsReset) {
      const batch = r.encoder.encode(u.metrics);
      r.rows.push(...batch.rows);
      msg.metrics = batch;
    }
    if (u.completionSteps.length) msg.completionSteps = u.completionSteps;
    if (u.generationLogSteps.length) msg.generationLogSteps = u.generationLogSteps;
    if (u.config) msg.config = r.snapshot.config = u.config;
    if (u.status) msg.status = r.snapshot.status = u.status;
    if (u.summary) msg.summary = r.snapshot.summary = u.summary;
    if (u.problems.length) {
      msg.problems = u.problems;
      r.snapshot.problems.push(...u.problems);
      if (r.snapshot.problems.length > 50) r.snapshot.problems.splice(0, r.snapshot.problems.length - 50);
    }
    return Object.keys(msg).length > 2 ? msg : null;
  }
}
