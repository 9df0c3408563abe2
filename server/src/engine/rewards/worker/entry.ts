// The reward worker process (bundled as dist/reward-worker.js): builds the reward functions of a
// serializable config and scores batches the parent (proxy.ts) sends, so RDKit and UME run off
// the training process's event loop and cores it does not need.

import { buildRewardFunctions, resolveRewardConfig, type LoadedReward } from '../load';
import type { FromWorker, ToWorker } from './messages';

let loaded: LoadedReward | undefined;
const running = new Map<number, AbortController>();

function send(m: FromWorker): void {
  process.send?.(m);
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      try {
        const r = resolveRewardConfig(m.config);
        loaded = await buildRewardFunctions(r.config, { baseDir: m.baseDir, notes: r.notes });
        send({ type: 'ready', names: loaded.functions.map((f) => f.name), weights: loaded.weights, aggregation: loaded.config.aggregation, notes: loaded.notes });
      } catch (e) {
        send({ type: 'init-error', message: (e as Error)?.message ?? String(e) });
      }
      return;
    }
    case 'score': {
      const fn = loaded?.functions[m.fn];
      if (!fn) return send({ type: 'score-error', id: m.id, message: `no reward function #${m.fn} in this worker`, abort: false });
      const ac = new AbortController();
      running.set(m.id, ac);
      try {
        const results = await fn.score(m.inputs, { signal: ac.signal });
        send({ type: 'scored', id: m.id, results, timings: fn.lastTimings?.() ?? {} });
      } catch (e) {
        send({ type: 'score-error', id: m.id, message: (e as Error)?.message ?? String(e), abort: (e as Error)?.name === 'AbortError' });
      } finally {
        running.delete(m.id);
      }
      return;
    }
    case 'abort':
      running.get(m.id)?.abort();
      return;
    case 'close':
      await loaded?.close().catch(() => undefined);
      process.exit(0);
  }
}

process.on('message', (m: ToWorker) => {
  void handle(m);
});
// The parent went away: nothing left to score for.
process.on('disconnect', () => process.exit(0));
