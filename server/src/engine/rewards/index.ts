// Public API of the reward library: import from here, not from the parts.
export { checkRewardResults, type RewardFunction, type RewardInput, type RewardResult, type RewardScoreOptions, type ComponentScore } from './types';
export { createUmeReward, umeRowResult, type CreateUmeRewardOptions, type UmeReward } from './ume';
