// The Policy interface: what GRPO needs from a generative model, whatever it is. policy-tiny (a GPT
// over UME's vocabulary, engine/policy/tiny) implements it now; Hugging Face causal LMs
// (Llama/Qwen/GPT-2 folders) implement it later. The trainer, `ume-studio generate` and the
// evaluation code only talk to this interface.
//
// Conventions (TRL's, so numbers compare with a TRL run):
// - A completion's per-token log-probs are log-softmax(logits / temperature) at the chosen token,
//   where temperature is the *sampling* temperature (TRL divides the logits by it in
//   `_get_per_token_logps_and_entropies`). Top-p/top-k/min-p/repetition penalty shape which token
//   is drawn but not the reported log-prob.
// - Completion ids include the stop token (<eos> or the closing tag's last token) when the
//   completion stopped; a completion cut at maxNewTokens has none and `finish` is 'length'
//   (TRL's "truncated").
// - Everything random goes through the caller's Rng, so the same seed gives the same completions
//   and a resumed run draws exactly what an uninterrupted one would.

import type { Graph, TensorData, Value } from '../onnx/ir';
import type { Device, ProviderChoice } from '../onnx/runtime';
import type { ParamSpec as ModelParamSpec } from '../models/params';
import type { Modality } from '../seq/types';
import type { ParameterSet } from '../train/params';
import type { Rng } from '../train/rng';

/** A prompt as datasets give it: plain text, or chat messages (HF policies apply their chat template). */
export type PromptInput = string | ReadonlyArray<{ role: string; content: string }>;

export interface SamplingOptions {
  /** Most new tokens per completion (TRL's max_completion_length). */
  maxNewTokens: number;
  /** Greedy decoding (argmax; temperature/top-p/top-k/min-p ignored for the choice). */
  greedy?: boolean;
  /** Default 1.0. Also scales the reported log-probs (see above). */
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches top_p (default 1.0 = off). */
  topP?: number;
  /** Keep the k most likely tokens (default 0 = off). */
  topK?: number;
  /** Drop tokens whose probability is below min_p times the top token's (default off). */
  minP?: number;
  /** CTRL-style penalty on tokens already in prompt or completion (default 1.0 = off; HF's rule). */
  repetitionPenalty?: number;
}

export type FinishReason = 'stop' | 'length';

export interface SampledCompletion {
  promptIds: number[];
  /** Generated ids, the stop token included when finish is 'stop'. */
  ids: number[];
  /** log p(ids[t] | prefix) under logits / temperature, one per id. */
  logprobs: Float32Array;
  /** The completion as text the rewards read (policy-tiny: lobster's tagged format, e.g. "<smiles>CCO</smiles>"). */
  text: string;
  finish: FinishReason;
}

export interface LogprobRequest {
  promptIds: readonly number[];
  completionIds: readonly number[];
}

export interface LogprobResult {
  /** Per completion token. */
  logps: Float32Array;
  /** Entropy of the (temperature-scaled) next-token distribution at each completion token. */
  entropies: Float32Array;
}

/**
 * What a train-step graph feeds the policy: prompt+completion ids right-padded to one length L, and
 * for each row the positions of its completion tokens. `positions[b][t]` is the index in 0..L-2 of
 * the position whose next-token distribution predicts completion token t (prompt length - 1 + t);
 * padded slots repeat a valid index and are masked out by the loss.
 */
export interface LogpGraphInputs {
  /** int64 [B, L] */
  inputIds: Value;
  /** int64 [B, T] */
  positions: Value;
  /** Sampling temperature the log-probs are taken at (TRL's). */
  temperature: number;
  /** The graph inputs named in Policy.logpExtraInputs, when the policy declares any. */
  extra?: Record<string, Value>;
}

export interface LogpExtraInput {
  dtype: 'float32' | 'int64';
  shape: (number | string)[];
}

export interface LogpGraphOutputs {
  /** float32 [B, T]: log p(completion token t). */
  logps: Value;
  /** float32 [B, T]: entropy of the distribution that predicted token t. */
  entropies: Value;
}

/** Where a policy came from, for config.json and the model card. */
export interface PolicyInfo {
  /** "policy-tiny", or the folder of a Hugging Face model. */
  name: string;
  architecture: string;
  parameters: number;
  vocabSize: number;
}

export interface Policy {
  readonly info: PolicyInfo;
  /** The trainable parameters (trained in place by the GRPO trainer). */
  readonly params: ParameterSet;
  /** Shapes and init of every parameter, in ParameterSet order. */
  readonly paramSpecs: readonly ModelParamSpec[];
  /** Ids that end a completion. */
  readonly stopIds: readonly number[];
  readonly provider: ProviderChoice | undefined;

  /** The prompt's token ids. policy-tiny reads a modality tag (see its tokenizer) and an optional prefix. */
  tokenizePrompt(prompt: PromptInput, modality?: Modality | null): number[];
  /** Completion ids as the text the rewards read. */
  decodeCompletion(promptIds: readonly number[], completionIds: readonly number[]): string;

  /** Batched sampling through the KV-cache decode graph; results in prompt order. */
  sample(prompts: readonly (readonly number[])[], options: SamplingOptions, rng: Rng, opts?: { signal?: AbortSignal }): Promise<SampledCompletion[]>;
  /** Log-probs and entropies of given completions (one batched forward, no cache). */
  logprobs(requests: readonly LogprobRequest[], temperature: number): Promise<LogprobResult[]>;

  /**
   * Emits the policy's forward into a train-step graph whose parameter inputs are `params` (by name)
   * and returns per-completion-token log-probs and entropies. The GRPO loss is built on top.
   */
  buildLogps(graph: Graph, params: Record<string, Value>, inputs: LogpGraphInputs): LogpGraphOutputs;
  /**
   * Further per-batch inputs buildLogps reads (policy-tiny: its SMILES grammar mask), computed on
   * the host from the same ids and positions by logpExtraFeeds. Optional: most policies need none.
   */
  readonly logpExtraInputs?: Readonly<Record<string, LogpExtraInput>>;
  logpExtraFeeds?(inputIds: TensorData, positions: TensorData): Record<string, TensorData>;

  /** A frozen copy of the current weights (the KL reference policy); shares nothing mutable. */
  snapshot(): Promise<Policy>;
  /** Weights as safetensors-ready tensors (parameter names as loaders expect them). */
  exportWeights(): Map<string, TensorData>;
  release(): Promise<void>;
}

export interface PolicyLoadOptions {
  device?: Device;
  threads?: number;
}

/**
 * A model's incremental decoder: what the shared generation loop (engine/policy/generate.ts:
 * sampling transforms, stop rules, seeded draws, finished rows dropping out) drives. Each
 * architecture (policy-tiny's GPT, HF Llama/Qwen/GPT-2) implements it with its own prefill and
 * KV-cache decode graphs; the cache is opaque to the loop.
 */
export interface StepDecoder<Cache = unknown> {
  readonly vocabSize: number;
  /**
   * Runs the prompts once (any lengths) and returns each row's next-token logits, row-major
   * [B, vocabSize] float32, and the cache holding their keys and values.
   */
  prefill(prompts: readonly (readonly number[])[]): Promise<{ logits: Float32Array; cache: Cache }>;
  /**
   * Appends one token to each row still generating. `keep` lists, in order, the rows of the
   * previous call's cache that continue (finished rows drop out of the compute); `tokens[i]` is
   * the token for row keep[i]. Returns logits [keep.length, vocabSize] and the shrunk, extended cache.
   */
  step(cache: Cache, tokens: readonly number[], keep: readonly number[]): Promise<{ logits: Float32Array; cache: Cache }>;
}
