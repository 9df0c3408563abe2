// Entry of the training process (dist/trainer.js). Forked by trainer/launch.ts with an IPC channel:
// it waits for {type: 'start', request}, builds the job (policy, rewards, data), trains, and streams
// TrainingEvents back. A 'stop' command, SIGINT or SIGTERM ends the run after the current step
// with a checkpoint; a second signal exits at once (the last checkpoint stays valid).

import { isTrainingEvent, type TrainingEvent } from '../protocol/training-events';
import type { TrainingRequest } from './launch';
import { runJob } from './run-job';

const stop = new AbortController();
let signals = 0;
const onSignal = (sig: NodeJS.Signals): void => {
  signals++;
  if (signals > 1) process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
  stop.abort(new Error(`stopped by ${sig}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// The parent died (or closed the channel): nobody is listening, so stop after this step with a
// checkpoint instead of training on alone.
process.on('disconnect', () => {
  if (!stop.signal.aborted) stop.abort(new Error('the parent process went away'));
});

let inFlight = 0;
const send = (e: TrainingEvent): void => {
  if (!process.connected || !process.send) return;
  inFlight++;
  process.send(e, undefined, {}, () => inFlight--);
};

process.on('message', (m: unknown) => {
  const msg = m as { type?: string; request?: TrainingRequest } | null;
  if (msg?.type === 'stop') stop.abort(new Error('stop requested'));
  if (msg?.type === 'start' && msg.request) {
    void runJob(msg.request, send, stop.signal).then(
      () => finish(0),
      (e: unknown) => {
        const err = e as Error & { lastCheckpoint?: string | null; reported?: boolean };
        if (!err.reported) send({ type: 'failed', run_dir: '', time: Date.now(), step: -1, message: err.message ?? String(e), last_checkpoint: err.lastCheckpoint ?? null });
        finish(1);
      },
    );
  }
});

function finish(code: number): void {
  process.exitCode = code;
  // Let the IPC queue drain (the final event must reach the parent) before leaving.
  const started = Date.now();
  const wait = (): void => {
    if (inFlight > 0 && Date.now() - started < 5000) return void setTimeout(wait, 10);
    if (process.connected) process.disconnect();
    process.exit(code);
  };
  wait();
}

export { isTrainingEvent };
