// Public API of the UME reward: import from here, not from the parts.
export { UmeRewardFunction, type UmeRewardOptions, type RewardRow, type RewardBatch, type RewardFunc, type SequenceReward } from './ume-reward';
export { completionText, extractTagged, type Completion, type TaggedSpan } from './extract';
export { prepareCompletion, type FailureKind, type MultipleTags, type Overlong } from './prepare';
export { scoreEncodings, type PllScorer, type SequenceScore, type ScoreOptions } from './score-sequences';
export { DEFAULT_PENALTY, penaltyReward, type PenaltyPolicy } from './penalty';
export { rewardStats, lobsterMetrics, summarize, histogram, HISTOGRAM_BINS, type RewardStats, type Summary, type Histogram, type MetricValue } from './stats';
export { resolveModel, defaultModelDirs, ModelNotFoundError, DEFAULT_MODEL_NAME, type ResolvedModel } from './model-path';
