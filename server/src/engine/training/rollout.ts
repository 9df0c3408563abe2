// A rollout: one completion of the generation batch with everything the update and the logs need.
// Plain JSON-safe data, so a pending generation buffer can be stored in a checkpoint's state.json
// and restored exactly (float32 log-probs survive JSON: a double prints as the shortest string that
// reads back to the same double, and every float32 is a double).

import type { Modality } from '../seq/types';
import type { ComponentScore } from '../rewards/types';

export interface Rollout {
  /** Index of the prompt in the training set. */
  promptIndex: number;
  /** Index in its generation batch; group = floor(index / num_generations). */
  index: number;
  prompt: string;
  modality: Modality | null;
  promptIds: number[];
  completionIds: number[];
  text: string;
  truncated: boolean;
  /** Log-probs under the policy that generated it (only when num_iterations > 1 or the buffer spans optimizer steps). */
  oldLogps: number[] | null;
  /** Log-probs under the frozen reference policy (beta != 0). */
  refLogps: number[] | null;
  /** One value per reward function (null: it abstained). */
  rewards: Array<number | null>;
  reasons: Record<string, string>;
  components: Record<string, ComponentScore>;
  /** TRL's weighted sum (null when every function abstained). */
  total: number | null;
  advantage: number;
  valid: boolean;
}
