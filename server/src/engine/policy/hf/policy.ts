// A Hugging Face causal LM folder as a Policy (policy/types.ts): Llama/SmolLM, Mistral, Qwen2,
// Qwen3, GPT-2. Sampling runs the shared generation loop (policy/generate.ts) over the KV-cache
// decoder (decoder.ts); log-probs of given completions and the trainer's train-step log-probs come
// from one piece of graph code (logps.ts), so the three agree.
//
//   const policy = await HfPolicy.load('models/SmolLM2-135M-Instruct');
//   const ids = policy.tokenizePrompt([{ role: 'user', content: 'Write a SMILES for aspirin.' }]);
//   const [s] = await policy.sample([ids], { maxNewTokens: 64, temperature: 0.7 }, new Rng(1));
//
// Training: full fine-tuning trains every parameter (params = all weights, float32, HF names);
// with `lora`, params are the adapters only and the base weights stay frozen, shared by the policy,
// its snapshots (the KL reference) and the train-step graph (fed to it as inputs, not copied).

import { resolve } from 'node:path';
import { Graph, type TensorData, type Value } from '../../onnx/ir';
import { compile, type CompiledModel, type ProviderChoice, type RuntimeOptions } from '../../onnx/runtime';
import { countParams, paramInputs, type ParamSpec, type ParamValues } from '../../models/params';
import { cloneTensor, ParameterSet } from '../../train/params';
import type { Rng } from '../../train/rng';
import { generate } from '../generate';
import type { LogpExtraInput, LogpGraphInputs, LogpGraphOutputs, LogprobRequest, LogprobResult, Policy, PolicyInfo, PolicyLoadOptions, PromptInput, SampledCompletion, SamplingOptions } from '../types';
import { KvArena } from '../tiny/kv-arena';
import type { HfModelConfig } from './config';
import { HfDecoder } from './decoder';
import type { ModelValues } from './forward';
import { buildDecodeGraph, buildPrefillGraph } from './kv-graphs';
import { buildHfLogps } from './logps';
import { adapterConfig, adapterInputs, dropoutMaskName, dropoutMasks, initAdapters, loraSetup, mergeAdapters, type LoraOptions, type LoraSetup } from './lora';
import { readGenerationDefaults, readModelConfig, type GenerationDefaults } from './model-dir';
import { hfParamSpecs } from './params';
import { HfTokenizer } from './tokenizer';
import { readHfWeights } from './weights';
import { batchedLogprobs } from '../logprob-batch';

/** Rows per logprobs() run: bounds the [rows, T, V] buffers of the inference graph. */
export { logpBatch } from '../logprob-batch';

const LOGPROB_CHUNK = 16;

export interface HfPolicyOptions extends PolicyLoadOptions {
  /** Train LoRA adapters instead of every weight. */
  lora?: LoraOptions;
  /** Text prompts go in as one user message through the chat template (the apply_chat_template setting). */
  chatPrompts?: boolean;
  /** Prompts longer than this many tokens keep their last ones (TRL's max_prompt_length, cut from the left). */
  maxPromptLength?: number;
}

/** How tokenizePrompt treats text prompts. */
interface Prompting {
  chat: boolean;
  maxPromptLength: number | null;
}

/** How a policy's weights enter a graph: full (every weight a parameter) or LoRA (base frozen). */
interface WeightPlan {
  /** Base weights. Full mode: the trainable params themselves; LoRA: frozen, shared. */
  base: ParameterSet;
  baseSpecs: readonly ParamSpec[];
  lora: LoraSetup | null;
}

/** Declares the plan's graph inputs: base weights, and adapters in LoRA mode. */
function inputValues(g: Graph, plan: WeightPlan): ModelValues {
  const p = paramInputs(g, plan.baseSpecs);
  if (!plan.lora) return { p };
  return { p, adapters: { targets: plan.lora.targets, scale: plan.lora.scale, p: paramInputs(g, plan.lora.specs) } };
}

/** The compiled inference graphs, shared by a policy and its snapshots (weights are inputs). */
class Sessions {
  private refs = 1;
  private constructor(
    readonly prefill: CompiledModel,
    readonly decode: CompiledModel,
    readonly logps: CompiledModel,
  ) {}

  static async create(c: HfModelConfig, plan: WeightPlan, runtime: RuntimeOptions): Promise<Sessions> {
    const lg = new Graph('hf_logps');
    const m = inputValues(lg, plan);
    const ids = lg.input('input_ids', 'int64', ['B', 'L']);
    const positions = lg.input('positions', 'int64', ['B', 'T']);
    const temperature = lg.input('temperature', 'float32', []);
    const out = buildHfLogps(c, m, { inputIds: ids, positions, temperature: 1 }, temperature);
    lg.output(out.logps, 'logps');
    lg.output(out.entropies, 'entropies');
    // Prefill and decode take the same weight inputs; adapters come from the plan too.
    const withPlan = (build: typeof buildPrefillGraph): Graph => build(c, plan.baseSpecs, (g) => (plan.lora ? { adapters: { targets: plan.lora.targets, scale: plan.lora.scale, p: paramInputs(g, plan.lora.specs) } } : {}));
    const [prefill, decode, logps] = await Promise.all([compile(withPlan(buildPrefillGraph), runtime), compile(withPlan(buildDecodeGraph), runtime), compile(lg, runtime)]);
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

export class HfPolicy implements Policy {
  readonly info: PolicyInfo;
  readonly paramSpecs: readonly ParamSpec[];
  readonly stopIds: readonly number[];
  private released = false;
  private readonly arena = new KvArena();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly config: HfModelConfig,
    /** Trainable parameters: every weight, or the LoRA adapters. */
    readonly params: ParameterSet,
    private readonly plan: WeightPlan,
    readonly tokenizer: HfTokenizer | null,
    readonly generationDefaults: GenerationDefaults,
    private readonly sessions: Sessions,
    readonly dir: string,
    private readonly prompting: Prompting,
  ) {
    this.paramSpecs = plan.lora ? plan.lora.specs : plan.baseSpecs;
    this.info = { name: dir, architecture: config.architecture, parameters: countParams(plan.baseSpecs) + (plan.lora ? countParams(plan.lora.specs) : 0), vocabSize: config.vocabSize };
    const stops = new Set<number>([...generationDefaults.eosTokenIds, ...config.eosTokenIds]);
    const tokEos = tokenizer?.specialId('eos');
    if (tokEos !== null && tokEos !== undefined) stops.add(tokEos);
    this.stopIds = [...stops];
  }

  /**
   * A model folder: config.json, safetensors weights, tokenizer.json (optional for id-only use).
   * `weights` replaces the folder's own weights (e.g. a run's trained ones, trained.ts); it reads
   * them under HF names, float32.
   */
  static async load(dir: string, options: HfPolicyOptions = {}, weights?: (config: HfModelConfig, dir: string) => Promise<ParameterSet>): Promise<HfPolicy> {
    const abs = resolve(dir);
    const config = await readModelConfig(abs);
    // A LoRA setting the architecture cannot take (e.g. q_proj on GPT-2) fails before any weight is read.
    if (options.lora) loraSetup(config, options.lora);
    const [tokenizer, gen] = await Promise.all([HfTokenizer.load(abs), readGenerationDefaults(abs)]);
    if (options.chatPrompts && !tokenizer?.chatTemplate) throw new Error(`apply_chat_template is on but ${abs} has no chat template (tokenizer_config.json "chat_template" or chat_template.jinja); turn apply_chat_template off to send prompts as plain text`);
    const params = weights ? await weights(config, abs) : (await readHfWeights(abs, config, hfParamSpecs(config))).params;
    return HfPolicy.create(config, params, { ...options, dir: abs, tokenizer, generationDefaults: gen });
  }

  /** A policy from a config and its weights (HF names, float32). */
  static async create(config: HfModelConfig, weights: ParameterSet, options: HfPolicyOptions & { dir?: string; tokenizer?: HfTokenizer | null; generationDefaults?: GenerationDefaults; adapters?: ParameterSet } = {}): Promise<HfPolicy> {
    const baseSpecs = hfParamSpecs(config);
    for (const s of baseSpecs) {
      const t = weights.get(s.name);
      if (t.dtype !== 'float32' || t.shape.join() !== s.shape.join()) throw new Error(`weight "${s.name}" is ${t.dtype}[${t.shape.join(', ')}]; the config needs float32[${s.shape.join(', ')}]`);
    }
    const lora = options.lora ? loraSetup(config, options.lora) : null;
    const plan: WeightPlan = { base: weights, baseSpecs, lora };
    const params = lora ? (options.adapters ?? initAdapters(lora, options.lora?.seed ?? 0)) : weights;
    const runtime: RuntimeOptions = { device: options.device ?? 'cpu', ...(options.threads ? { threads: options.threads } : {}) };
    const gen = options.generationDefaults ?? { eosTokenIds: [], doSample: null, temperature: null, topP: null, topK: null, repetitionPenalty: null, maxNewTokens: null };
    const m = options.maxPromptLength;
    if (m !== undefined && (!Number.isInteger(m) || m < 1)) throw new Error(`maxPromptLength must be a positive integer, got ${m}`);
    const prompting: Prompting = { chat: options.chatPrompts ?? false, maxPromptLength: m ?? null };
    return new HfPolicy(config, params, plan, options.tokenizer ?? null, gen, await Sessions.create(config, plan, runtime), options.dir ?? config.architecture, prompting);
  }

  get provider(): ProviderChoice | undefined {
    return this.sessions.decode.provider;
  }

  get lora(): LoraSetup | null {
    return this.plan.lora;
  }

  private alive(): void {
    if (this.released) throw new Error('this policy was released; load it again');
  }

  private needTokenizer(): HfTokenizer {
    if (!this.tokenizer) throw new Error(`${this.dir} has no tokenizer.json; pass token ids instead of text, or add the model's tokenizer files`);
    return this.tokenizer;
  }

  /**
   * Chat messages go through the chat template (with the generation prompt); text is tokenized as is
   * (TRL's add_special_tokens=False), or as one user message with `chatPrompts`. With
   * maxPromptLength, longer prompts keep their last tokens, as TRL cuts them.
   */
  tokenizePrompt(prompt: PromptInput): number[] {
    const tok = this.needTokenizer();
    const input = typeof prompt === 'string' && this.prompting.chat ? [{ role: 'user', content: prompt }] : prompt;
    let ids = typeof input === 'string' ? tok.encode(input, false) : tok.encodeChat(input);
    if (ids.length === 0) throw new Error('the prompt tokenizes to no tokens; give it some text');
    const max = this.prompting.maxPromptLength;
    if (max !== null && ids.length > max) ids = ids.slice(ids.length - max);
    if (ids.length >= this.config.maxLength) throw new Error(`the prompt is ${ids.length} tokens; this model reads at most ${this.config.maxLength} tokens of prompt + completion`);
    return ids;
  }

  decodeCompletion(_prompt: readonly number[], completion: readonly number[]): string {
    return this.needTokenizer().decode(completion, true);
  }

  /** Weight feeds of every run (the tensors as they are now). */
  private feeds(): Record<string, TensorData> {
    const f: Record<string, TensorData> = Object.fromEntries(this.plan.base.entries());
    if (this.plan.lora) for (const [k, v] of this.params.entries()) f[k] = v;
    return f;
  }

  /** The decoder generate() drives (tests and benchmarks); with `arena` only one may generate at a time. */
  decoder(expectedNewTokens: number, arena?: KvArena): HfDecoder {
    this.alive();
    return new HfDecoder(this.config, this.sessions, this.feeds(), expectedNewTokens, arena);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async sample(prompts: readonly (readonly number[])[], options: SamplingOptions, rng: Rng, opts: { signal?: AbortSignal } = {}): Promise<SampledCompletion[]> {
    this.alive();
    const longest = Math.max(0, ...prompts.map((p) => p.length));
    if (longest + options.maxNewTokens > this.config.maxLength) {
      throw new Error(`a prompt of ${longest} tokens + maxNewTokens ${options.maxNewTokens} exceeds this model's ${this.config.maxLength} positions; use maxNewTokens <= ${this.config.maxLength - longest}`);
    }
    const rows = await this.exclusive(() => generate(this.decoder(options.maxNewTokens, this.arena), prompts, options, rng, { stopIds: this.stopIds, ...(opts.signal ? { signal: opts.signal } : {}) }));
    return rows.map((r) => ({ promptIds: r.promptIds, ids: r.ids, logprobs: r.logprobs, text: this.tokenizer ? this.tokenizer.decode(r.ids, true) : '', finish: r.finish }));
  }

  async logprobs(requests: readonly LogprobRequest[], temperature: number): Promise<LogprobResult[]> {
    this.alive();
    const feeds = this.feeds();
    return batchedLogprobs(requests, temperature, {
      run: (batch) => this.sessions.logps.run({ ...feeds, ...batch }),
      rows: LOGPROB_CHUNK,
      maxLen: this.config.maxLength,
      padId: this.config.padTokenId ?? 0,
    });
  }

  /**
   * LoRA: the frozen base weights enter the train-step graph as inputs fed from this policy's own
   * tensors every micro-batch (logpExtraFeeds), so the graph holds no second copy of them; with
   * lora_dropout, so do the micro-batch's dropout masks (lora.ts).
   */
  get logpExtraInputs(): Readonly<Record<string, LogpExtraInput>> | undefined {
    const lora = this.plan.lora;
    if (!lora) return undefined;
    const base = this.plan.baseSpecs.map((s) => [s.name, { dtype: 'float32' as const, shape: [...s.shape] }] as const);
    const masks = lora.dropout > 0 ? [...adapterInputs(lora)].map(([proj, inp]) => [dropoutMaskName(proj), { dtype: 'float32' as const, shape: ['B', 'L', inp] }] as const) : [];
    return Object.fromEntries([...base, ...masks]);
  }

  logpExtraFeeds(inputIds: TensorData, positions: TensorData): Record<string, TensorData> {
    const lora = this.plan.lora;
    if (!lora) return {};
    return { ...Object.fromEntries(this.plan.base.entries()), ...(lora.dropout > 0 ? dropoutMasks(lora, inputIds, positions) : {}) };
  }

  buildLogps(graph: Graph, params: Record<string, Value>, inputs: LogpGraphInputs): LogpGraphOutputs {
    if (inputs.inputIds.graph !== graph) throw new Error('buildLogps: inputIds belongs to another graph');
    if (!this.plan.lora) return buildHfLogps(this.config, { p: params }, inputs);
    // LoRA: the frozen base weights come from the graph inputs logpExtraInputs declares (the
    // trainer's way); a graph that declares none gets them as constants instead. Dropout masks are
    // used when the graph has them (the trainer's), else the branch runs without dropout.
    const lora = this.plan.lora;
    const base: ParamValues = {};
    for (const s of this.plan.baseSpecs) base[s.name] = inputs.extra?.[s.name] ?? graph.initializer(s.name, this.plan.base.get(s.name));
    const dropout: Record<string, Value> = {};
    for (const t of lora.targets) {
      const m = inputs.extra?.[dropoutMaskName(t)];
      if (m) dropout[t] = m;
    }
    return buildHfLogps(this.config, { p: base, adapters: { targets: lora.targets, scale: lora.scale, p: params, dropout } }, inputs);
  }

  async snapshot(): Promise<Policy> {
    this.alive();
    // Full fine-tuning copies the weights (the policy trains them in place); LoRA copies only the
    // adapters and shares the frozen base.
    const params = this.params.clone();
    const base = this.plan.lora ? this.plan.base : params;
    return new HfPolicy(this.config, params, { ...this.plan, base }, this.tokenizer, this.generationDefaults, this.sessions.share(), this.dir, this.prompting);
  }

  /**
   * Full fine-tuning: every weight under its HF name (a model.safetensors transformers loads).
   * LoRA: the adapters, whose names are peft's (an adapter_model.safetensors; see adapterConfig()).
   */
  exportWeights(): Map<string, TensorData> {
    return new Map(this.paramSpecs.map((s) => [s.name, cloneTensor(this.params.get(s.name))]));
  }

  /** peft's adapter_config.json for exportWeights() in LoRA mode (null in full mode). */
  adapterConfig(): Record<string, unknown> | null {
    return this.plan.lora ? adapterConfig(this.plan.lora, this.dir) : null;
  }

  /** Full weights with HF names; LoRA adapters merged in (W + alpha/r B A). */
  mergedWeights(): Map<string, TensorData> {
    if (!this.plan.lora) return this.exportWeights();
    return mergeAdapters(this.plan.lora, this.plan.base, this.params);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.queue;
    this.arena.clear();
    await this.sessions.release();
  }
}
