// Hugging Face causal-LM policies (Llama/SmolLM, Mistral, Qwen2, Qwen3, GPT-2 folders); see policy.ts.
export { HfPolicy, logpBatch, type HfPolicyOptions } from './policy';
export { parseHfConfig, HfConfigError, SUPPORTED_ARCHITECTURES, type HfModelConfig, type Family, type Activation } from './config';
export { ropeFromConfig, defaultInvFreq, ROPE_TYPES, type RopeSpec } from './rope';
export { hfParamSpecs, canonicalName } from './params';
export { readHfWeights, readHfWeightFiles, safetensorsShapes, WEIGHTS_FILE, INDEX_FILE, type LoadedWeights } from './weights';
export { readModelConfig, readGenerationDefaults, type GenerationDefaults } from './model-dir';
export { HfTokenizer, type ChatMessage, type SpecialTokens } from './tokenizer';
export { HfDecoder } from './decoder';
export { HostKvCache } from './kv-cache';
export { buildPrefillGraph, buildDecodeGraph, fullHidden } from './kv-graphs';
export { buildHfLogps, selectPositions } from './logps';
export { loraSetup, initAdapters, mergeAdapters, mergeAdaptersInPlace, adapterConfig, loraParamName, parseLoraName, PEFT_PREFIX, type LoraOptions, type LoraSetup } from './lora';
export { loadTrainedHfPolicy, adapterSetupOf, type TrainedRunInfo } from './trained';
export { loadPolicy, policyKindOf, type PolicyKind } from './resolve';
