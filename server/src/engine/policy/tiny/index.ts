// policy-tiny: a GPT policy over UME's vocabulary (see policy.ts).
export { PolicyTiny, logpBatch, type PolicyTinyOptions } from './policy';
export { policyTinyDir, policyTinyDirs, POLICY_TINY_NAME } from './model-dir';
export { POLICY_TINY, policyTinySized, checkConfig, type PolicyTinyConfig } from './config';
export { TinyDecoder, type TinyCache } from './decoder';
export { buildTinyLogps, restrictionBias, RESTRICTED_LOGIT } from './logps';
export { buildDecodeGraph, buildPrefillGraph } from './kv-graphs';
export { allowedTable, CLS_ID, completionText, MODALITY_RANGE, modalityOfCls, OUTPUT_TAG, promptIds, readPrompt } from './vocab';
export { readConfig, readWeights, savePolicyFolder, type SaveInfo, type Storage } from './weights';
