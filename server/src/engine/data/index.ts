// Prompt datasets for training (docs/datasets.md): lobster's synthetic dataset made valid, and
// custom JSONL. The GRPO trainer imports only from here; keep these names stable.

export { loadPromptDataset, checkPromptJsonl, readDatasetFile } from './load';
export { syntheticDataset, splitSizes, SYNTHETIC_SEED, SYNTHETIC_PER_MODALITY, MIN_PER_MODALITY, MAX_PER_MODALITY } from './synthetic';
export { SYNTHETIC_PROMPTS, SYNTHETIC_LENGTHS } from './prompts';
export { parsePromptJsonl, formatProblems, MAX_PROBLEMS, type JsonlParse } from './jsonl';
export { inferModality, readPromptTags, promptText } from './infer-modality';
export { formatJsonlRow, writeSyntheticDataset, SYNTHETIC_FILES, type WrittenDataset } from './write';
export {
  DatasetError,
  SPLIT_NAMES,
  type ChatMessage,
  type DatasetProblem,
  type DatasetSpec,
  type LoadOptions,
  type PromptDataset,
  type PromptRow,
  type PromptText,
  type SplitName,
} from './types';
