// The scorer thread's entry: loads one UME model (weights, then the scoring session) and answers
// PLL requests from the thread that started it. It exists so that loading and every ORT run (both
// synchronous in onnxruntime-node) happen off the language server's event loop: the server keeps
// answering while a model loads or a long document is scored, and on two cores the load overlaps
// the server's own start (RDKit, the first analysis).

import { parentPort, workerData } from 'node:worker_threads';
import { startRuntime } from '../../onnx/runtime';
import { UmeScorer } from '../scorer';
import type { FromScorerThread, ScorerThreadData, ToScorerThread } from './messages';

if (!parentPort) throw new Error('scorer-thread.ts runs as a worker thread (see threaded-scorer.ts), not as a script');
const port = parentPort;

const send = (m: FromScorerThread): void => port.postMessage(m);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// Times since the caller started this thread (a worker's performance.now() has its own origin).
const { spawnedAt } = workerData as ScorerThreadData;
const sinceSpawn = (): number => performance.timeOrigin + performance.now() - spawnedAt;
const threadStart = sinceSpawn();
let runtimeReady = NaN;
// ORT's one-off start-up runs while the thread waits for its first message (the caller's settings).
const runtimeStarted = startRuntime()
  .catch(() => undefined)
  .finally(() => (runtimeReady = sinceSpawn()));
let scorer: Promise<UmeScorer | undefined> | undefined;
const running = new Map<number, { controller: AbortController; done: Promise<void> }>();
let releasing = false;

async function load(m: Extract<ToScorerThread, { type: 'load' }>): Promise<UmeScorer | undefined> {
  await runtimeStarted;
  const t0 = performance.now();
  let s: UmeScorer;
  try {
    s = await UmeScorer.fromFile(m.path, m.options);
  } catch (e) {
    send({ type: 'load-failed', stage: 'weights', message: message(e) });
    return undefined;
  }
  try {
    const t1 = performance.now();
    const provider = await s.provider();
    const timings = { threadStart, runtimeReady, weights: t1 - t0, session: performance.now() - t1 };
    send({ type: 'loaded', name: s.name, config: s.config, provider, timings });
    return s;
  } catch (e) {
    await s.release().catch(() => undefined);
    send({ type: 'load-failed', stage: 'session', message: message(e) });
    return undefined;
  }
}

async function pll(m: Extract<ToScorerThread, { type: 'pll' }>): Promise<void> {
  const controller = new AbortController();
  if (releasing) controller.abort();
  const done = (async () => {
    try {
      const s = await scorer;
      if (!s) throw new Error('no model is loaded in this scorer thread');
      const results = await s.pll(m.inputs, { ...m.options, signal: controller.signal });
      send({ type: 'pll-done', id: m.id, results });
    } catch (e) {
      send({ type: 'pll-failed', id: m.id, message: message(e), aborted: e instanceof Error && e.name === 'AbortError' });
    }
  })();
  running.set(m.id, { controller, done });
  await done;
  running.delete(m.id);
}

/**
 * Ends the thread from inside, between ORT calls. The caller must not terminate() a thread that
 * may be inside one: onnxruntime-node then throws a C++ exception that aborts the whole process
 * (measured: terminate() during session creation kills node with "terminate called after
 * throwing an instance of 'Napi::Error'").
 */
async function release(): Promise<void> {
  releasing = true;
  for (const r of running.values()) r.controller.abort();
  await Promise.all([...running.values()].map((r) => r.done));
  await runtimeStarted;
  const s = await scorer;
  await s?.release().catch(() => undefined);
  port.close();
  process.exit(0);
}

send({ type: 'started' });

port.on('message', (m: ToScorerThread) => {
  switch (m.type) {
    case 'load':
      if (scorer) throw new Error('a scorer thread loads one model; start another thread for another model');
      scorer = load(m);
      break;
    case 'pll':
      void pll(m);
      break;
    case 'cancel':
      running.get(m.id)?.controller.abort();
      break;
    case 'release':
      void release();
      break;
  }
});
