// The prompt datasets training reads (engine/data): one row per prompt, with optional reference
// completion, preference pair, modality and any other columns (kept for reward functions). Stable
// API used by the GRPO trainer (server/src/trainer/data-choice.ts); see docs/datasets.md.

import type { Modality } from '../modality';

/** One message of a conversational prompt (TRL's conversational format). */
export interface ChatMessage {
  role: string;
  content: string;
}

/** Plain text or a conversation, as TRL accepts for prompt, completion, chosen and rejected. */
export type PromptText = string | ChatMessage[];

export interface PromptRow {
  prompt: PromptText;
  /** A reference completion (lobster's synthetic rows carry one; GRPO does not train on it). */
  completion?: PromptText;
  /** Preference pair (DPO-style datasets); kept, unused by GRPO. */
  chosen?: PromptText;
  rejected?: PromptText;
  /** The modality asked for: the row's `modality` field, else the tag the prompt asks for, else null. */
  modality: Modality | null;
  /** Every other field of the row, by name, for reward functions that read dataset columns. */
  columns?: Readonly<Record<string, unknown>>;
}

export type SplitName = 'train' | 'validation' | 'test' | 'full';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test', 'full'];

export interface PromptDataset {
  rows: PromptRow[];
  /** Where the rows came from, for run configs and messages (a path, or "synthetic:train (seed 42)"). */
  source: string;
  /** For the synthetic dataset: every split (rows is one of them). */
  splits?: Readonly<Record<SplitName, readonly PromptRow[]>>;
  /** Problems that did not stop loading (a row without a modality, a prompt asking for <amino_acid>). */
  warnings: DatasetProblem[];
}

export type DatasetSpec =
  | { kind: 'synthetic'; split?: SplitName; seed?: number; perModality?: number }
  | { kind: 'jsonl'; path: string };

export interface LoadOptions {
  /** Keep only the first N rows (lines after the N-th row are not read). */
  maxSamples?: number;
}

export interface DatasetProblem {
  /** 1-based line of the file; null for a problem of the whole file (e.g. empty). */
  line: number | null;
  severity: 'error' | 'warning';
  message: string;
}

/** A dataset that cannot be used: every error found (up to a cap) with its line. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    message: string,
    readonly source: string,
    readonly problems: readonly DatasetProblem[],
  ) {
    super(message);
  }
}
