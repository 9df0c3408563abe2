// Public API of the reward library: import from here, not from the parts.
export { checkRewardResults, type RewardFunction, type RewardInput, type RewardResult, type RewardScoreOptions, type ComponentScore } from './types';
export { createUmeReward, umeRowResult, type CreateUmeRewardOptions, type UmeReward } from './ume';
export { loadRewardConfig, resolveRewardConfig, buildRewardFunctions, readConfigFile, type LoadedReward, type LoadRewardOptions } from './load';
export { checkRewardConfig, RewardConfigError, type CheckedConfig, type CheckedComponent } from './config';
export { DEFAULT_MULTI_CONFIG, DEFAULT_SINGLE_CONFIG, seedRewardConfig, translateSeed003, isSeed003Config } from './seed003';
export { buildTransform, TRANSFORM_TYPES, type TransformSpec } from './transforms';
export { aggregate, AGGREGATIONS, type Aggregation } from './aggregate';
export { extractSequence, type Extracted } from './sequence';
export { COMPONENTS } from './components/registry';
export { loadChemistry, type Chemistry, type MoleculeRecord } from './chem/molecule';
export { scoreSequences, toReport, type SequenceToScore, type ScoreSequencesOptions } from './report';
export { startRewardWorker, type RewardWorker } from './worker/proxy';
