// Typed progress events a training process streams to whoever started it (the language server,
// the CLI): over Node's IPC channel when forked, and as JSON lines in the run's events.jsonl.
// Every event carries the run directory so a listener can follow several runs.

import type { MetricsRow, RunSummary } from './run-format';

interface EventBase {
  run_dir: string;
  /** Unix ms. */
  time: number;
}

export type TrainingEvent =
  | (EventBase & { type: 'started'; total_steps: number; resumed_from: string | null; config_hash: string })
  | (EventBase & { type: 'step'; step: number; total_steps: number; reward: number | null; tokens_per_s: number; eta_s: number | null; metrics: MetricsRow | null })
  | (EventBase & { type: 'checkpoint'; step: number; path: string })
  | (EventBase & { type: 'eval'; step: number; path: string; mean_reward: number | null })
  | (EventBase & { type: 'log'; level: 'info' | 'warning'; message: string })
  | (EventBase & { type: 'finished'; step: number; summary: RunSummary })
  | (EventBase & { type: 'failed'; step: number; message: string; last_checkpoint: string | null });

export type TrainingEventType = TrainingEvent['type'];

/** Messages a parent sends to the training process. */
export type TrainingCommand = { type: 'stop'; reason?: string };

export function isTrainingEvent(x: unknown): x is TrainingEvent {
  const t = (x as { type?: unknown } | null)?.type;
  return typeof t === 'string' && ['started', 'step', 'checkpoint', 'eval', 'log', 'finished', 'failed'].includes(t) && typeof (x as EventBase).run_dir === 'string';
}
