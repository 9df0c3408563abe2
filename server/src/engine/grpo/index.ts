// GRPO as TRL 1.9 defines it (docs/grpo.md). Two calls make a training step's loss:
//
//   // host, once per generation batch (float64):
//   const adv = computeAdvantages(rewardsPerFunc /* [funcs][B], null = no score */, settings, rewardWeights);
//   // inside the train step's LossFn, on the policy's log-probs (Policy.buildLogps):
//   const { loss, metrics } = buildGrpoLoss({ logps, mask, advantages, oldLogps?, refLogps?, entropies?, numItemsInBatch? }, settings);
//
// `settings` is a GrpoLossSettings (resolveGrpoLossSettings fills TRL's defaults and checks values).
// These exports are the stable surface; the files behind them may change.

export {
  GRPO_LOSS_DEFAULTS,
  GRPO_LOSS_KEYS,
  LOSS_TYPES,
  SCALE_REWARDS,
  IMPORTANCE_SAMPLING_LEVELS,
  MULTI_OBJECTIVE_AGGREGATIONS,
  GrpoSettingsError,
  resolveGrpoLossSettings,
  validateGrpoLossSettings,
  grpoLossWarnings,
  clipRange,
  type GrpoLossSettings,
  type LossType,
  type ScaleRewards,
  type ImportanceSamplingLevel,
  type MultiObjectiveAggregation,
} from './config';
export { computeAdvantages, nanmean, nanstd, STD_EPSILON, type Advantages, type AdvantageSettings, type RewardStats } from './advantages';
export { buildGrpoLoss, type GrpoLoss, type GrpoLossInputs, type GrpoLossMetric } from './loss';
export { LOSS_TYPE_RULES, AGGREGATIONS, type LossTypeRule, type Aggregation } from './loss-types';
export { evaluateGrpoLossCase, parseGrpoLossCase, GrpoLossCaseError, type GrpoLossCase, type GrpoLossCaseResult } from './loss-case';
