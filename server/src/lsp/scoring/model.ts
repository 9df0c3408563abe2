// The UME model inside the language server: resolved from the settings (modelPath, device), loaded
// lazily once and kept for the server's life; a different path or device (or a changed weights
// file) loads the new model and releases the old one. Each model lives in its own scorer thread
// (engine/ume/thread), so loading it and scoring with it never block the server's event loop; the
// thread for the first model is started with the server, and loads while the server starts.
// A thread that stops is forgotten: the next request loads the model again.
// Failures are remembered briefly (a hover storm must not re-read a bad file each time) and said
// in words: what was looked for and what to do.

import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveModel } from '../../engine/reward/model-path';
import type { Device } from '../../engine/onnx/runtime/providers';
import type { LoadTimings } from '../../engine/ume/thread/messages';
import { ScorerLoadError, ScorerThreadError, ThreadedScorer } from '../../engine/ume/thread/threaded-scorer';

export interface ModelSpec {
  /** The weights file. */
  path: string;
  /** Name shown to the user (ume-tiny, or the file name). */
  name: string;
  device: Device;
  /** path + device: a different key means a different loaded model. */
  key: string;
}

export interface LoadedModel {
  spec: ModelSpec;
  scorer: ThreadedScorer;
  /** Execution provider actually used. */
  provider: string;
  /** Identifies these weights in score caches: path, size and modification time. */
  id: string;
  loadMs: number;
}

/** How long a failed load is answered from memory before the file is tried again. */
const FAILURE_TTL_MS = 5000;

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

/**
 * A path a setting names: `~/` is the home folder; a relative path starts at the workspace folder
 * holding the document (else the first folder, else the document's folder, else the cwd).
 */
export function resolveSettingPath(value: string, documentUri?: string, workspaceFolders: readonly string[] = []): string {
  if (value === '~' || value.startsWith('~/')) return join(homedir(), value.slice(1));
  if (isAbsolute(value)) return value;
  const docPath = documentUri?.startsWith('file:') ? fileURLToPath(documentUri) : undefined;
  const folder = workspaceFolders.find((f) => docPath?.startsWith(f + '/')) ?? workspaceFolders[0] ?? (docPath ? dirname(docPath) : process.cwd());
  return join(folder, value);
}

/** Resolves the modelPath setting: "" is the embedded default, else a path as resolveSettingPath takes it. */
export function resolveModelSpec(modelPath: string, device: Device, documentUri?: string, workspaceFolders: readonly string[] = []): ModelSpec {
  const given = modelPath !== '' ? resolveSettingPath(modelPath, documentUri, workspaceFolders) : undefined;
  let resolved;
  try {
    resolved = resolveModel(given);
  } catch (e) {
    const setting = modelPath === '' ? '' : ` (umeStudio.scoring.modelPath = "${modelPath}")`;
    throw new ModelLoadError(`${(e as Error).message}${setting}`.replace(/--model (PATH|FILE)/g, 'umeStudio.scoring.modelPath'));
  }
  return { path: resolved.path, name: resolved.name, device, key: `${resolved.path}\u0000${device}` };
}

export class ModelHolder {
  private current: { key: string; mtime: number; loaded: Promise<LoadedModel>; thread: ThreadedScorer } | undefined;
  private failure: { key: string; at: number; error: Error } | undefined;
  private spare: ThreadedScorer | undefined;

  constructor(
    private readonly log: { info(m: string): void; error(m: string): void },
    private readonly options: { threads?: number; maxLength?: number } = {},
  ) {}

  /**
   * Starts a scorer thread now, for the next load to use (its start-up overlaps whatever comes
   * before), or adopts the one the server's entry started (ThreadedScorer.startEarly).
   */
  prepare(): void {
    if (this.spare) return;
    const early = ThreadedScorer.takeEarly();
    if (early) early.onStop = this.onThreadStop(early);
    this.spare = early ?? this.spawn();
  }

  /** Stops the thread prepare() started if no load has taken it (scoring turned out to be off). */
  async unprepare(): Promise<void> {
    const t = this.spare;
    this.spare = undefined;
    await t?.release();
  }

  /** The model for `spec`, loading (or reloading) it when needed. */
  async get(spec: ModelSpec): Promise<LoadedModel> {
    const f = this.failure;
    if (f && f.key === spec.key && Date.now() - f.at < FAILURE_TTL_MS) throw f.error;
    const info = await stat(spec.path).catch(() => undefined);
    const mtime = info?.mtimeMs ?? -1;
    const cur = this.current;
    if (cur && cur.key === spec.key && cur.mtime === mtime) return cur.loaded;
    if (cur) void cur.thread.release();
    const thread = this.spare ?? this.spawn();
    this.spare = undefined;
    const loaded = this.load(thread, spec, mtime, info?.size ?? -1);
    this.current = { key: spec.key, mtime, loaded, thread };
    try {
      const m = await loaded;
      if (this.failure?.key === spec.key) this.failure = undefined;
      return m;
    } catch (e) {
      if (this.current?.loaded === loaded) this.current = undefined;
      void thread.release();
      const error = e instanceof Error ? e : new Error(String(e));
      this.failure = { key: spec.key, at: Date.now(), error };
      throw error;
    }
  }

  private spawn(): ThreadedScorer {
    const thread = new ThreadedScorer();
    thread.onStop = this.onThreadStop(thread);
    return thread;
  }

  /** A thread that stopped on its own is forgotten; the next request loads the model again. */
  private onThreadStop(thread: ThreadedScorer): (error: Error) => void {
    return (error) => {
      if (this.spare === thread) this.spare = undefined;
      if (this.current?.thread !== thread) return;
      this.current = undefined;
      this.log.error(`${error.message}; the next score loads the model again.`);
    };
  }

  private async load(thread: ThreadedScorer, spec: ModelSpec, mtime: number, size: number): Promise<LoadedModel> {
    const started = performance.now();
    let provider: string;
    let timings: LoadTimings;
    try {
      const loaded = await thread.load(spec.path, {
        device: spec.device,
        name: spec.name,
        // Hovers are sporadic: spinning threads would only take CPU from the server between them.
        spinning: false,
        ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
        ...(this.options.maxLength !== undefined ? { maxLength: this.options.maxLength } : {}),
      });
      provider = loaded.provider.provider;
      timings = loaded.timings;
    } catch (e) {
      const message = (e as Error).message;
      if (e instanceof ScorerLoadError && e.stage === 'session') throw new ModelLoadError(`cannot start UME model ${spec.name} on device "${spec.device}": ${message}`);
      if (e instanceof ScorerThreadError) throw new ModelLoadError(`cannot load UME model ${spec.name}: ${message}`);
      throw new ModelLoadError(`cannot load UME weights from ${spec.path}: ${message}`);
    }
    const loadMs = performance.now() - started;
    const t = timings;
    const ms = (x: number): string => x.toFixed(0);
    this.log.info(
      `UME model ${spec.name} loaded from ${spec.path} on ${provider} in ${ms(loadMs)} ms ` +
        `(in its thread: started at ${ms(t.threadStart)} ms, ORT ready at ${ms(t.runtimeReady)}, weights ${ms(t.weights)}, session ${ms(t.session)}).`,
    );
    return { spec, scorer: thread, provider, id: `${spec.path}\u0000${size}\u0000${mtime}`, loadMs };
  }

  async dispose(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    await Promise.all([this.unprepare(), cur?.thread.release()]);
  }
}
