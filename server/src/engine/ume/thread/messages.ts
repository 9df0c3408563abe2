// The messages between a ThreadedScorer (caller's thread) and its scorer thread. Everything here is
// structured-cloneable: no AbortSignals (cancellation is its own message) and no class instances.

import type { Modality } from '../../modality';
import type { Device, ProviderChoice } from '../../onnx/runtime/providers';
import type { UmeConfig } from '../config';
import type { PllMode, PllResult } from '../pll';

/** What the thread is started with. */
export interface ScorerThreadData {
  /** The entry file (the tsx bootstrap requires it). */
  file: string;
  /** When the caller started the thread, on the shared wall clock (performance.timeOrigin + now()). */
  spawnedAt: number;
}

export interface ThreadLoadOptions {
  device: Device;
  name?: string;
  threads?: number;
  spinning?: boolean;
  maxLength?: number;
}

export interface ThreadPllOptions {
  mode: PllMode;
  k?: number;
  seed?: number;
}

export type ToScorerThread =
  | { type: 'load'; path: string; options: ThreadLoadOptions }
  | { type: 'pll'; id: number; inputs: Array<{ text: string; modality: Modality }>; options: ThreadPllOptions }
  | { type: 'cancel'; id: number }
  /** Cancel everything, let the run in progress end, free the sessions, and end the thread. */
  | { type: 'release' };

/** Where a load's time went, in ms. */
export interface LoadTimings {
  /** From the caller starting the thread until the thread's modules were loaded. */
  threadStart: number;
  /** From the caller starting the thread until ORT's one-off start-up (startRuntime) was done. */
  runtimeReady: number;
  /** Reading the weights file. */
  weights: number;
  /** Building the scoring graph and creating its session. */
  session: number;
}

/** Where a load failed: reading the weights, or starting a session on the device. */
export type LoadStage = 'weights' | 'session';

export type FromScorerThread =
  /** The thread's modules loaded (ORT's binding included): a failure after this is not a failed start. */
  | { type: 'started' }
  | { type: 'loaded'; name: string; config: UmeConfig; provider: ProviderChoice; timings: LoadTimings }
  | { type: 'load-failed'; stage: LoadStage; message: string }
  | { type: 'pll-done'; id: number; results: PllResult[] }
  | { type: 'pll-failed'; id: number; message: string; aborted: boolean };
