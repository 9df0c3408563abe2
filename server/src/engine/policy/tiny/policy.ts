// policy-tiny as a Policy (policy/types.ts): a GPT over UME's vocabulary that writes one SMILES,
// protein or DNA sequence after a <cls_MODALITY> prompt. Sampling runs the shared generation loop
// (policy/generate.ts) over the KV-cache decoder; log-probs of given completions and the trainer's
// train-step log-probs come from one piece of graph code (logps.ts), restricted to the prompt's
// modality as the sampler is (vocab.ts), so all three agree.
//
//   const policy = await PolicyTiny.load();          // the shipped folder, policy/models/policy-tiny
//   const ids = policy.tokenizePrompt('<smiles>');  // [2]
//   const [s] = await policy.sample([ids], { maxNewTokens: 128 }, new Rng(1));
//   s.text                                           // "<smiles>CC(=O)O</smiles>"

import { Graph, type TensorData, type Value } from '../../onnx/ir';
import { compile, type CompiledModel, type ProviderChoice, type RuntimeOptions } from '../../onnx/runtime';
import { gptParamSpecs } from '../../models/gpt';
import { countParams, initParams, paramInputs, type ParamSpec } from '../../models/params';
import type { Modality } from '../../seq/types';
import { cloneTensor, type ParameterSet } from '../../train/params';
import type { Rng } from '../../train/rng';
import { SPECIAL } from '../../ume/tokenizer';
import { generate } from '../generate';
import type { LogpExtraInput, LogpGraphInputs, LogpGraphOutputs, LogprobRequest, LogprobResult, Policy, PolicyInfo, PolicyLoadOptions, PromptInput, SampledCompletion, SamplingOptions } from '../types';
import { ARCHITECTURE, type PolicyTinyConfig } from './config';
import { TinyDecoder } from './decoder';
import { KvArena } from './kv-arena';
import { buildDecodeGraph, buildPrefillGraph } from './kv-graphs';
import { buildTinyLogps, RESTRICTED_LOGIT } from './logps';
import { GRAMMAR_INDEX, GRAMMAR_TABLE, grammarFeeds } from './smiles-grammar';
import { completionText, promptIds } from './vocab';
import { policyTinyDir } from './model-dir';
import { batchedLogprobs, logpBatch as sharedLogpBatch, type LogpBatch } from '../logprob-batch';
import { readConfig, readWeights, savePolicyFolder, type SaveInfo } from './weights';

/** Completion tokens per logprobs() run: bounds its [rows, T, V] buffers (84 MB each at V = 1280). */
const LOGPROB_TOKENS = 16384;

/** The three compiled graphs, shared by a policy and its snapshots (parameters are inputs). */
class Sessions {
  private refs = 1;
  private constructor(
    readonly prefill: CompiledModel,
    readonly decode: CompiledModel,
    readonly logps: CompiledModel,
  ) {}

  static async create(c: PolicyTinyConfig, specs: readonly ParamSpec[], runtime: RuntimeOptions, grammar: boolean): Promise<Sessions> {
    const lg = new Graph('policy_tiny_logps');
    const p = paramInputs(lg, specs);
    const ids = lg.input('input_ids', 'int64', ['B', 'L']);
    const positions = lg.input('positions', 'int64', ['B', 'T']);
    const temperature = lg.input('temperature', 'float32', []);
    const extra = grammar ? Object.fromEntries(Object.entries(grammarInputs(c.vocabSize)).map(([name, x]) => [name, lg.input(name, x.dtype, x.shape)])) : undefined;
    // Temperature is a graph input here (one session for every temperature); buildLogps bakes it.
    const out = buildTinyLogps(c, p, { inputIds: ids, positions, temperature: 1, ...(extra ? { extra } : {}) }, temperature);
    lg.output(out.logps, 'logps');
    lg.output(out.entropies, 'entropies');
    const [prefill, decode, logps] = await Promise.all([compile(buildPrefillGraph(c, specs), runtime), compile(buildDecodeGraph(c, specs), runtime), compile(lg, runtime)]);
    return new Sessions(prefill, decode, logps);
  }

  share(): this {
    this.refs++;
    return this;
  }

  async release(): Promise<void> {
    if (--this.refs > 0) return;
    await Promise.all([this.prefill.release(), this.decode.release(), this.logps.release()]);
  }
}

const grammarOn = (o: PolicyTinyOptions): boolean => (o.restrict ?? true) && (o.smilesGrammar ?? false);

export interface PolicyTinyOptions extends PolicyLoadOptions {
  /** Restrict generation to the prompt's modality + <eos> (default true; see vocab.ts). */
  restrict?: boolean;
  /**
   * Constrain SMILES rows to well-formed SMILES syntax (smiles-grammar.ts; needs `restrict`). Off by
   * default: with today's weights it trades unclosed-ring errors for completions that never end (see
   * docs/training.md, smiles_grammar).
   */
  smilesGrammar?: boolean;
  /**
   * The grammar's completion budget: with this many tokens left only what closes the open branches
   * and rings within them is allowed, then <eos> (default: no budget). The trainer sets it to
   * max_completion_length; sampling and every log-prob graph use the same number.
   */
  smilesGrammarBudget?: number;
}

const grammarInputs = (V: number): Record<string, LogpExtraInput> => ({ [GRAMMAR_TABLE]: { dtype: 'float32', shape: ['K', V] }, [GRAMMAR_INDEX]: { dtype: 'int64', shape: ['B', 'T'] } });

export class PolicyTiny implements Policy {
  readonly info: PolicyInfo;
  readonly paramSpecs: readonly ParamSpec[];
  readonly stopIds: readonly number[] = [SPECIAL.eos];
  private released = false;
  /** KV-cache memory reused by every generation of this policy (one at a time: see `exclusive`). */
  private readonly arena = new KvArena();
  private queue: Promise<unknown> = Promise.resolve();
  /** Whether SMILES rows follow smiles-grammar.ts (in sampling and in every log-prob graph). */
  readonly smilesGrammar: boolean;
  readonly logpExtraInputs: Readonly<Record<string, LogpExtraInput>> | undefined;

  private constructor(
    readonly config: PolicyTinyConfig,
    readonly params: ParameterSet,
    private readonly sessions: Sessions,
    private readonly options: PolicyTinyOptions,
  ) {
    this.paramSpecs = gptParamSpecs(config);
    this.smilesGrammar = grammarOn(options);
    this.logpExtraInputs = this.smilesGrammar ? grammarInputs(config.vocabSize) : undefined;
    this.info = { name: config.name, architecture: ARCHITECTURE, parameters: countParams(this.paramSpecs), vocabSize: config.vocabSize };
  }

  /** A policy from a folder (default: the shipped policy-tiny). */
  static async load(dir: string = policyTinyDir(), options: PolicyTinyOptions = {}): Promise<PolicyTiny> {
    const config = await readConfig(dir);
    return PolicyTiny.create(config, await readWeights(dir, config), options);
  }

  /** A policy from a config and parameters (e.g. initParams for a fresh model). */
  static async create(config: PolicyTinyConfig, params: ParameterSet, options: PolicyTinyOptions = {}): Promise<PolicyTiny> {
    const specs = gptParamSpecs(config);
    for (const s of specs) {
      const t = params.get(s.name);
      if (t.dtype !== 'float32' || t.shape.join() !== s.shape.join()) throw new Error(`parameter "${s.name}" is ${t.dtype}[${t.shape.join(', ')}]; the config needs float32[${s.shape.join(', ')}]`);
    }
    const runtime: RuntimeOptions = { device: options.device ?? 'cpu', ...(options.threads ? { threads: options.threads } : {}) };
    return new PolicyTiny(config, params, await Sessions.create(config, specs, runtime, grammarOn(options)), options);
  }

  /** A freshly initialised policy (seeded), for tests and pretraining. */
  static async random(config: PolicyTinyConfig, seed: number, options: PolicyTinyOptions = {}): Promise<PolicyTiny> {
    return PolicyTiny.create(config, initParams(gptParamSpecs(config), seed), options);
  }

  get provider(): ProviderChoice | undefined {
    return this.sessions.decode.provider;
  }

  tokenizePrompt(prompt: PromptInput, modality?: Modality | null): number[] {
    const ids = promptIds(prompt, modality);
    if (ids.length >= this.config.maxLen) throw new Error(`the prompt is ${ids.length} tokens; policy-tiny reads at most ${this.config.maxLen} tokens of prompt + completion`);
    return ids;
  }

  decodeCompletion(prompt: readonly number[], completion: readonly number[]): string {
    return completionText(prompt, completion);
  }

  private alive(): void {
    if (this.released) throw new Error('this policy was released; load it again');
  }

  /**
   * The decoder generate() drives (exposed for tests and benchmarks). With `arena` it reuses this
   * policy's cache memory, so only one such decoder may generate at a time.
   */
  decoder(expectedNewTokens: number, restrict = this.options.restrict ?? true, arena?: KvArena): TinyDecoder {
    this.alive();
    return new TinyDecoder(this.config, this.sessions, this.params, { expectedNewTokens, restrict, smilesGrammar: restrict && this.smilesGrammar, ...(this.options.smilesGrammarBudget !== undefined ? { smilesGrammarBudget: this.options.smilesGrammarBudget } : {}) }, arena);
  }

  /** Runs `fn` after every earlier generation of this policy has finished (they share the arena). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async sample(prompts: readonly (readonly number[])[], options: SamplingOptions, rng: Rng, opts: { signal?: AbortSignal } = {}): Promise<SampledCompletion[]> {
    this.alive();
    const longest = Math.max(0, ...prompts.map((p) => p.length));
    if (longest + options.maxNewTokens > this.config.maxLen) {
      throw new Error(`a prompt of ${longest} tokens + maxNewTokens ${options.maxNewTokens} exceeds policy-tiny's ${this.config.maxLen} positions; use maxNewTokens <= ${this.config.maxLen - longest}`);
    }
    const rows = await this.exclusive(() => generate(this.decoder(options.maxNewTokens, undefined, this.arena), prompts, options, rng, { stopIds: this.stopIds, ...(opts.signal ? { signal: opts.signal } : {}) }));
    return rows.map((r) => ({ promptIds: r.promptIds, ids: r.ids, logprobs: r.logprobs, text: completionText(r.promptIds, r.ids), finish: r.finish }));
  }

  async logprobs(requests: readonly LogprobRequest[], temperature: number): Promise<LogprobResult[]> {
    this.alive();
    const feeds = Object.fromEntries(this.params.entries());
    const longest = Math.max(1, ...requests.map((q) => q.completionIds.length));
    return batchedLogprobs(requests, temperature, {
      run: (batch) => this.sessions.logps.run({ ...feeds, ...batch, ...this.logpExtraFeeds(batch['input_ids']!, batch['positions']!) }),
      rows: LOGPROB_TOKENS / longest,
      maxLen: this.config.maxLen,
      padId: SPECIAL.pad,
      model: "policy-tiny's",
    });
  }

  buildLogps(graph: Graph, params: Record<string, Value>, inputs: LogpGraphInputs): LogpGraphOutputs {
    if (inputs.inputIds.graph !== graph) throw new Error('buildLogps: inputIds belongs to another graph');
    if (this.smilesGrammar && !(inputs.extra?.[GRAMMAR_TABLE] && inputs.extra[GRAMMAR_INDEX])) {
      throw new Error(`buildLogps: policy-tiny's SMILES grammar needs the graph inputs ${Object.keys(grammarInputs(1)).join(' and ')} (declared in logpExtraInputs); add them to the graph's inputs`);
    }
    return buildTinyLogps(this.config, params, inputs);
  }

  /** The grammar feeds of a log-prob batch (none when the grammar is off). */
  logpExtraFeeds(inputIds: TensorData, positions: TensorData): Record<string, TensorData> {
    if (!this.smilesGrammar) return {};
    return grammarFeeds(inputIds.data as BigInt64Array, inputIds.shape[1]!, positions.data as BigInt64Array, positions.shape[1]!, SPECIAL.cls_smiles, RESTRICTED_LOGIT, this.options.smilesGrammarBudget ?? Infinity);
  }

  async snapshot(): Promise<Policy> {
    this.alive();
    return new PolicyTiny(this.config, this.params.clone(), this.sessions.share(), this.options);
  }

  exportWeights(): Map<string, TensorData> {
    return new Map(this.paramSpecs.map((s) => [s.name, cloneTensor(this.params.get(s.name))]));
  }

  /** Writes the model folder (config.json + model.safetensors, F16 by default). */
  async save(dir: string, info: SaveInfo = {}): Promise<void> {
    await savePolicyFolder(dir, this.config, this.params, info);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.queue;
    this.arena.clear();
    await this.sessions.release();
  }
}

/** Right-padded ids [B, L] and prediction positions [B, T] for completions (types.ts LogpGraphInputs). */
export function logpBatch(requests: readonly LogprobRequest[], maxLen: number): LogpBatch | undefined {
  return sharedLogpBatch(requests, maxLen, SPECIAL.pad, "policy-tiny's");
}
