// The reward worker's IPC messages (Node's "advanced" serialization: structured clone).

import type { RewardAggregation, RewardConfig } from '../../../protocol/reward-config';
import type { RewardInput, RewardResult } from '../types';

export type ToWorker =
  | { type: 'init'; config: RewardConfig | Record<string, unknown>; baseDir: string }
  | { type: 'score'; id: number; fn: number; inputs: RewardInput[] }
  | { type: 'abort'; id: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; names: string[]; weights: number[]; aggregation: RewardAggregation; notes: string[] }
  | { type: 'init-error'; message: string }
  | { type: 'scored'; id: number; results: RewardResult[]; timings: Record<string, number> }
  | { type: 'score-error'; id: number; message: string; abort: boolean };
