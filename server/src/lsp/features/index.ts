// The feature registry. Order matters only for capability merging (later wins on the same key).

import type { Feature } from './feature';
import { diagnosticsFeature } from './diagnostics';
import { codeActionsFeature } from './code-actions';
import { analyzeRequestFeature } from './analyze-request';
import { hoverFeature } from './hover';
import { scoreRequestFeature } from './score-request';
import { trainingFeature } from './training';
import { rewardScoreFeature } from './reward-score';

export const FEATURES: readonly Feature[] = [
  diagnosticsFeature,
  codeActionsFeature,
  analyzeRequestFeature,
  hoverFeature,
  scoreRequestFeature,
  trainingFeature,
  rewardScoreFeature,
];
