// Host-side logits processing for the generation loop, one file per transform. The order is HF
// transformers' (`_get_logits_processor`: processors, then warpers) and vLLM's sampler:
//   repetition penalty -> temperature -> top-k -> top-p -> min-p -> draw
// Greedy decoding applies the repetition penalty (HF does, it is a processor) and then argmax;
// temperature and the warpers cannot change an argmax, so they are skipped.
// The reported log-prob is separate: the model's logits / temperature, untouched by any of these,
// as TRL computes it (row-sampler.ts shares that work with the draw when nothing else is on).

export { resolveSampling, type ResolvedSampling } from './options';
export { RowSampler, type Choice } from './row-sampler';
export { entropyOf, tokenLogprob } from './log-prob';
export { logSumExp, softmax } from './softmax';
export { applyMinP } from './min-p';
export { applyRepetitionPenalty } from './repetition-penalty';
export { applyTemperature } from './temperature';
export { applyTopK, kthLargest } from './top-k';
export { applyTopP } from './top-p';
export { argmax } from './greedy';
export { drawToken } from './draw';
