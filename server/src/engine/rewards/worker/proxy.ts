// The parent side of the reward worker: RewardFunctions that forward each batch to a child
// process (entry.ts, forked with Node's IPC) hosting the functions of a serializable config.
//   const w = await startRewardWorker('reward.json');   // or a config object
//   w.functions, w.weights                              // as loadRewardConfig gives them
// Each function reports the child's per-component seconds through lastTimings() (the trainer's
// `step_time/reward/<name>`). A worker that dies fails the batches in flight with an error
// naming the function and how the worker died, and is started again for the next batch (its
// diversity-filter memory then starts empty).

import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RewardAggregation, RewardConfig } from '../../../protocol/reward-config';
import { readConfigFile } from '../load';
import type { RewardFunction, RewardInput, RewardResult, RewardScoreOptions } from '../types';
import type { FromWorker, ToWorker } from './messages';

/** The worker's entry: the bundle beside this file (dist/), or the TypeScript source under tsx. */
function workerEntry(): { path: string; execArgv: string[] } {
  const bundled = join(__dirname, 'reward-worker.js');
  if (!__filename.endsWith('.ts') && existsSync(bundled)) return { path: bundled, execArgv: [] };
  return { path: join(__dirname, 'entry.ts'), execArgv: ['--import', 'tsx'] };
}

export interface RewardWorker {
  functions: RewardFunction[];
  weights: number[];
  aggregation: RewardAggregation;
  notes: string[];
  /** The live child (for tests and diagnostics); replaced after a restart. */
  readonly child: ChildProcess | undefined;
  /** Times the worker was started (1 + restarts). */
  readonly starts: number;
  close(): Promise<void>;
}

interface Pending {
  fn: string;
  resolve: (r: { results: RewardResult[]; timings: Record<string, number> }) => void;
  reject: (e: Error) => void;
}

export async function startRewardWorker(source: string | RewardConfig | Record<string, unknown>, options: { baseDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RewardWorker> {
  const config = (typeof source === 'string' ? readConfigFile(source) : source) as Record<string, unknown>;
  const baseDir = options.baseDir ?? (typeof source === 'string' ? dirname(resolve(source)) : process.cwd());
  let child: ChildProcess | undefined;
  let ready: Promise<Extract<FromWorker, { type: 'ready' }>> | undefined;
  let starts = 0;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, Pending>();
  let stderr = '';

  const start = (): Promise<Extract<FromWorker, { type: 'ready' }>> => {
    const entry = workerEntry();
    starts++;
    stderr = '';
    const c = fork(entry.path, [], { execArgv: entry.execArgv, env: options.env ?? process.env, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    child = c;
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-2000);
    });
    const p = new Promise<Extract<FromWorker, { type: 'ready' }>>((res, rej) => {
      c.on('message', (m: FromWorker) => {
        if (m.type === 'ready') res(m);
        else if (m.type === 'init-error') {
          // A config the worker cannot build: no use keeping it (the next call starts afresh).
          rej(new Error(m.message));
          c.kill('SIGTERM');
        }
        else if (m.type === 'scored') {
          pending.get(m.id)?.resolve({ results: m.results, timings: m.timings });
          pending.delete(m.id);
        } else if (m.type === 'score-error') {
          const pnd = pending.get(m.id);
          if (pnd) pnd.reject(Object.assign(new Error(`reward function "${pnd.fn}" failed in the reward worker: ${m.message}`), m.abort ? { name: 'AbortError' } : {}));
          pending.delete(m.id);
        }
      });
      c.on('exit', (code, signal) => {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = stderr.trim() ? `; its last output: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
        rej(new Error(`the reward worker ${how} while loading the config${tail}`));
        for (const [id, pnd] of pending) {
          pnd.reject(new Error(`reward function "${pnd.fn}": the reward worker (pid ${c.pid}) ${how} while scoring this batch${tail}; ${closed ? 'it was closed' : 'it is restarted for the next batch (diversity-filter memory starts empty)'}`));
          pending.delete(id);
        }
        if (child === c) {
          child = undefined;
          ready = undefined;
        }
      });
    });
    c.send({ type: 'init', config, baseDir } satisfies ToWorker);
    return p;
  };

  const ensure = (): Promise<Extract<FromWorker, { type: 'ready' }>> => {
    if (closed) throw new Error('the reward worker was closed');
    if (!ready) {
      const p = start();
      ready = p;
      // A worker that failed to start is started afresh by the next call.
      p.catch(() => {
        if (ready === p) ready = undefined;
      });
    }
    return ready;
  };

  const first = await ensure();
  const makeFunction = (index: number, name: string): RewardFunction => {
    let last: Record<string, number> = {};
    return {
      name,
      async score(inputs: readonly RewardInput[], opts: RewardScoreOptions = {}): Promise<RewardResult[]> {
        await ensure();
        const c = child!;
        const id = nextId++;
        const result = new Promise<{ results: RewardResult[]; timings: Record<string, number> }>((res, rej) => pending.set(id, { fn: name, resolve: res, reject: rej }));
        const onAbort = () => c.connected && c.send({ type: 'abort', id } satisfies ToWorker);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          c.send({ type: 'score', id, fn: index, inputs: inputs.map((x) => ({ ...x })) } satisfies ToWorker);
          const r = await result;
          last = r.timings;
          return r.results;
        } finally {
          opts.signal?.removeEventListener('abort', onAbort);
        }
      },
      lastTimings: () => last,
    };
  };
  return {
    functions: first.names.map((n, i) => makeFunction(i, n)),
    weights: first.weights,
    aggregation: first.aggregation,
    notes: first.notes,
    get child() {
      return child;
    },
    get starts() {
      return starts;
    },
    async close() {
      closed = true;
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((res) => {
        const t = setTimeout(() => c.kill('SIGKILL'), 5000);
        c.once('exit', () => {
          clearTimeout(t);
          res();
        });
        if (c.connected) c.send({ type: 'close' } satisfies ToWorker);
        else c.kill('SIGTERM');
      });
    },
  };
}
