// The scorer thread's entry: loads one UME model (weights, then the scoring session) and answers
// PLL requests from the thread that started it. It exists so that loading and every ORT run (both
// synchronous in onnxruntime-node) happen off the language server's event loop: the server keeps
// answering while a model loads or a long document is scored, and on two cores the load overlaps
// the server's own start (RDKit, the first analysis).

import { parentPort } from 'node:worker_threads';
import { startRuntime } from '../../onnx/runtime';
import { UmeScorer } from '../scorer';
import type { FromScorerThread, ToScorerThread } from './messages';

const port = parentPort;
if (!port) throw new Error('scorer-thread.ts runs as a worker thread (see threaded-scorer.ts), not as a script');

const send = (m: FromScorerThread): void => port.postMessage(m);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// ORT's one-off start-up runs while the thread waits for its first message (the caller's settings).
const runtimeStarted = startRuntime().catch(() => undefined);
let scorer: Promise<UmeScorer | undefined> | undefined;
const running = new Map<number, AbortController>();

async function load(m: Extract<ToScorerThread, { type: 'load' }>): Promise<UmeScorer | undefined> {
  await runtimeStarted;
  let s: UmeScorer;
  try {
    s = await UmeScorer.fromFile(m.path, m.options);
  } catch (e) {
    send({ type: 'load-failed', stage: 'weights', message: message(e) });
    return undefined;
  }
  try {
    const provider = await s.provider();
    send({ type: 'loaded', name: s.name, config: s.config, provider });
    return s;
  } catch (e) {
    await s.release().catch(() => undefined);
    send({ type: 'load-failed', stage: 'session', message: message(e) });
    return undefined;
  }
}

async function pll(m: Extract<ToScorerThread, { type: 'pll' }>): Promise<void> {
  const controller = new AbortController();
  running.set(m.id, controller);
  try {
    const s = await scorer;
    if (!s) throw new Error('no model is loaded in this scorer thread');
    const results = await s.pll(m.inputs, { ...m.options, signal: controller.signal });
    send({ type: 'pll-done', id: m.id, results });
  } catch (e) {
    send({ type: 'pll-failed', id: m.id, message: message(e), aborted: e instanceof Error && e.name === 'AbortError' });
  } finally {
    running.delete(m.id);
  }
}

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
      running.get(m.id)?.abort();
      break;
  }
});
