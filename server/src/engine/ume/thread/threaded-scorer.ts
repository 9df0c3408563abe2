// A UME scorer that lives in its own worker thread (scorer-thread.ts). The caller's thread only
// posts requests and receives results, so loading weights, creating ORT sessions and running them
// (all synchronous in onnxruntime-node) never block it: the language server stays responsive while
// a model loads or a long document is scored, and the load runs in parallel with the server's own
// start. One thread holds one model; another model means another thread.
//
// A thread rather than a child process (which training uses): a scorer holds no state worth
// protecting from a crash, and results come back without serializing through a pipe. A thread that
// dies is reported to its owner (onStop), which starts another on the next request.

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProviderChoice } from '../../onnx/runtime/providers';
import type { UmeConfig } from '../config';
import type { PllOptions, PllResult } from '../pll';
import type { SequenceInput } from '../scorer';
import type { FromScorerThread, LoadStage, LoadTimings, ScorerThreadData, ThreadLoadOptions, ToScorerThread } from './messages';

/** A model failed to load in the thread: at reading the weights, or at starting a session. */
export class ScorerLoadError extends Error {
  override readonly name = 'ScorerLoadError';
  constructor(
    readonly stage: LoadStage,
    message: string,
  ) {
    super(message);
  }
}

/** The thread is gone (it crashed, or was released) and cannot answer. */
export class ScorerThreadError extends Error {
  override readonly name = 'ScorerThreadError';
}

export interface ThreadLoaded {
  name: string;
  config: UmeConfig;
  provider: ProviderChoice;
  timings: LoadTimings;
}

/**
 * The thread's entry script: the bundled scorer-thread.js beside the bundle (dist/server.js and
 * dist/cli.js), or, when running from source, the TypeScript file beside this one through tsx.
 */
export function scorerThreadEntry(here: string = __dirname): { file: string; typescript: boolean } {
  if (/[\\/]dist$/.test(here)) return { file: join(here, 'scorer-thread.js'), typescript: false };
  return { file: join(here, 'scorer-thread.ts'), typescript: true };
}

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: Error): void;
}

function abortError(): Error {
  return Object.assign(new Error('scoring was cancelled'), { name: 'AbortError' });
}

export class ThreadedScorer {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Waiter<PllResult[]>>();
  private loading: Waiter<ThreadLoaded> | undefined;
  private loaded: Promise<ThreadLoaded> | undefined;
  private nextId = 1;
  private stopped: Error | undefined;
  private released = false;
  private started = false;
  private readonly exited: Promise<void>;

  /** Hears of a thread that stopped on its own (not released); an owner may set it after creation. */
  onStop: ((error: Error) => void) | undefined;

  /**
   * Starts the thread now (it imports the engine and ORT's binding, then starts ORT: ~90 ms from
   * the bundle, measured in the server) so a later load() does not wait for that.
   */
  constructor(given: { onStop?: (error: Error) => void; entry?: { file: string; typescript: boolean } } = {}) {
    this.onStop = given.onStop;
    const entry = given.entry ?? scorerThreadEntry();
    // stdout: true keeps the thread's console off process.stdout, which is the LSP channel when the
    // server runs over stdio; it is copied to stderr instead.
    const workerData: ScorerThreadData = { file: entry.file, spawnedAt: performance.timeOrigin + performance.now() };
    const options = { stdout: true, workerData } as const;
    this.worker = entry.typescript
      ? new Worker("require('tsx/cjs'); require(require('node:worker_threads').workerData.file);", { ...options, eval: true })
      : new Worker(entry.file, options);
    this.worker.stdout.pipe(process.stderr);
    this.worker.on('message', (m: FromScorerThread) => this.receive(m));
    this.worker.on('error', (e) =>
      this.stop(
        new ScorerThreadError(
          this.started
            ? `the UME scorer thread failed: ${e.message}`
            : `the UME scorer thread could not start (${e.message}); its file ${entry.file} is missing or broken: reinstall the extension (in a checkout: npm ci && npm run build)`,
        ),
      ),
    );
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('exit', (code) => this.stop(new ScorerThreadError(`the UME scorer thread exited (code ${code})`)));
    this.updateRef();
  }

  private static early: ThreadedScorer | undefined;

  /**
   * Starts a thread for the process's first model as early as possible (the language server's
   * entry calls this before its own modules load); the first owner takes it with takeEarly().
   */
  static startEarly(): void {
    ThreadedScorer.early ??= new ThreadedScorer();
  }

  /** The thread startEarly() started, once; undefined if there is none or it was taken. */
  static takeEarly(): ThreadedScorer | undefined {
    const t = ThreadedScorer.early;
    ThreadedScorer.early = undefined;
    return t?.stopped ? undefined : t;
  }

  /** Loads the weights at `path` and creates the scoring session, in the thread. Once per thread. */
  load(path: string, options: ThreadLoadOptions): Promise<ThreadLoaded> {
    if (this.loaded) return Promise.reject(new Error('this scorer thread has already loaded a model; start another for another model'));
    this.loaded = new Promise<ThreadLoaded>((resolve, reject) => {
      if (this.stopped) return reject(this.stopped);
      this.loading = { resolve, reject };
      this.post({ type: 'load', path, options });
    });
    this.updateRef();
    return this.loaded;
  }

  /** PLL of each input, as UmeScorer.pll; the signal cancels between forward passes. */
  pll(inputs: readonly SequenceInput[], options: PllOptions): Promise<PllResult[]> {
    const { signal, ...rest } = options;
    if (this.stopped) return Promise.reject(this.stopped);
    if (signal?.aborted) return Promise.reject(abortError());
    const id = this.nextId++;
    const result = new Promise<PllResult[]>((resolve, reject) => {
      const onAbort = (): void => this.post({ type: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
      });
    });
    this.post({ type: 'pll', id, inputs: inputs.map((x) => ({ text: x.text, modality: x.modality })), options: rest });
    this.updateRef();
    return result;
  }

  /**
   * Rejects outstanding requests now and ends the thread; resolves when it has ended, which is after
   * the forward pass in progress, if any (the thread ends itself: see release() in scorer-thread.ts).
   */
  async release(): Promise<void> {
    if (!this.released) {
      this.released = true;
      this.stop(new ScorerThreadError('the UME scorer thread was released; load the model again'));
      this.worker.postMessage({ type: 'release' } satisfies ToScorerThread);
      this.worker.ref();
    }
    await this.exited;
  }

  private post(m: ToScorerThread): void {
    if (!this.stopped) this.worker.postMessage(m);
  }

  private receive(m: FromScorerThread): void {
    switch (m.type) {
      case 'started':
        this.started = true;
        break;
      case 'loaded':
        this.loading?.resolve({ name: m.name, config: m.config, provider: m.provider, timings: m.timings });
        this.loading = undefined;
        break;
      case 'load-failed':
        this.loading?.reject(new ScorerLoadError(m.stage, m.message));
        this.loading = undefined;
        break;
      case 'pll-done':
        this.pending.get(m.id)?.resolve(m.results);
        this.pending.delete(m.id);
        break;
      case 'pll-failed':
        this.pending.get(m.id)?.reject(m.aborted ? abortError() : new Error(m.message));
        this.pending.delete(m.id);
        break;
    }
    this.updateRef();
  }

  private stop(error: Error): void {
    if (this.stopped) return;
    this.stopped = error;
    this.loading?.reject(this.stopped);
    this.loading = undefined;
    for (const w of this.pending.values()) w.reject(this.stopped);
    this.pending.clear();
    if (!this.released) this.onStop?.(error);
  }

  /** The thread keeps the process alive only while something waits for it. */
  private updateRef(): void {
    if (this.stopped) return;
    if (this.loading || this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}
