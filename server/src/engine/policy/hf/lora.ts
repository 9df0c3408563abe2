// LoRA adapters (Hu et al.; peft's LoraConfig): for each target projection W [out, in], trainable
// A [r, in] and B [out, r] with W x + (alpha / r) B A x. GPT-2's Conv1D layers store W as [in, out]
// (x W + b); peft adapts them with the same A [r, in] and B [out, r] and fan_in_fan_out = true, i.e.
// the merged weight is W + (alpha / r) (B A)^T, so the update and the saved tensors are the same
// function and names in both layouts. A starts as peft's default
// (kaiming-uniform, a = sqrt(5): U(-1/sqrt(in), 1/sqrt(in))), B as zeros, so a fresh adapter
// leaves the model unchanged. The adapters carry peft's saved names everywhere (graph inputs,
// checkpoints, exports): base_model.model.<module>.lora_A.weight, as adapter_model.safetensors has
// them, so a checkpoint's tensors are already what peft loads.
//
// Dropout (peft's lora_dropout): W x + (alpha / r) B A dropout(x), the input of the adapter branch
// only. It acts in the update's forward (peft's modules in train mode), not in sampling or in the
// log-probs of old or reference policies (eval mode). Its masks are graph inputs fed from the host,
// drawn from a seed hashed from the run's seed and the micro-batch's token ids and positions: the
// same micro-batch always gets the same masks, so a resumed run draws what an uninterrupted one did
// without saving any RNG state (with num_iterations > 1 a micro-batch's repeats share masks).

import { createHash } from 'node:crypto';
import type { TensorData } from '../../onnx/ir';
import type { ParamSpec } from '../../models/params';
import { init, ParameterSet } from '../../train/params';
import { Rng } from '../../train/rng';
import type { HfModelConfig } from './config';
import { gpt2LayerPrefix, llamaLayerPrefix } from './params';

export interface LoraOptions {
  /** Rank r (peft's default 8). */
  rank?: number;
  /** Scaling numerator: the update is multiplied by alpha / rank (peft's default 8). */
  alpha?: number;
  /** Module names (Llama: q_proj ... down_proj; GPT-2: c_attn, c_proj, c_fc) or "all-linear"; default peft's for the architecture (q_proj, v_proj; GPT-2 c_attn). */
  targetModules?: readonly string[] | 'all-linear';
  /** Seed of A's init and of the dropout masks. */
  seed?: number;
  /** Probability of zeroing an input feature of the adapter branch in the update (peft's lora_dropout; default 0). */
  dropout?: number;
}

export interface LoraSetup {
  rank: number;
  alpha: number;
  scale: number;
  targetModules: string[];
  /** Full projection paths, e.g. model.layers.0.self_attn.q_proj. */
  targets: Set<string>;
  specs: ParamSpec[];
  /** lora_dropout probability, 0 <= p < 1. */
  dropout: number;
  seed: number;
  /** The base weights are [in, out] (GPT-2's Conv1D; peft's fan_in_fan_out), not [out, in]. */
  fanInFanOut: boolean;
}

/** One adaptable projection of a layer: its module name (what target_modules matches), path under the layer, and width. */
interface Projection {
  module: string;
  path: string;
  in: number;
  out: number;
}

/**
 * Every projection of one layer that can get adapters, in the layer's order. target_modules picks
 * them by module name, as peft's suffix match does: GPT-2's c_proj is both attn.c_proj and
 * mlp.c_proj. "all-linear" is all of them (peft's excludes the output head, and so do we).
 */
function layerProjections(c: HfModelConfig): Projection[] {
  const d = c.hidden;
  if (c.family === 'gpt2') {
    return [
      { module: 'c_attn', path: 'attn.c_attn', in: d, out: 3 * d },
      { module: 'c_proj', path: 'attn.c_proj', in: d, out: d },
      { module: 'c_fc', path: 'mlp.c_fc', in: d, out: c.intermediate },
      { module: 'c_proj', path: 'mlp.c_proj', in: c.intermediate, out: d },
    ];
  }
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  return [
    { module: 'q_proj', path: 'self_attn.q_proj', in: d, out: q },
    { module: 'k_proj', path: 'self_attn.k_proj', in: d, out: kv },
    { module: 'v_proj', path: 'self_attn.v_proj', in: d, out: kv },
    { module: 'o_proj', path: 'self_attn.o_proj', in: q, out: d },
    { module: 'gate_proj', path: 'mlp.gate_proj', in: d, out: c.intermediate },
    { module: 'up_proj', path: 'mlp.up_proj', in: d, out: c.intermediate },
    { module: 'down_proj', path: 'mlp.down_proj', in: c.intermediate, out: d },
  ];
}

/** peft's default target_modules (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING) for the family. */
const DEFAULT_TARGETS: Record<HfModelConfig['family'], string[]> = { llama: ['q_proj', 'v_proj'], gpt2: ['c_attn'] };

export const PEFT_PREFIX = 'base_model.model.';

/** peft's saved name of a projection's adapter matrix: base_model.model.<projection>.lora_A.weight. */
export function loraParamName(projection: string, which: 'A' | 'B'): string {
  return `${PEFT_PREFIX}${projection}.lora_${which}.weight`;
}

/** The projection and matrix of a peft adapter name, or null when `name` is not one. */
export function parseLoraName(name: string): { projection: string; which: 'A' | 'B' } | null {
  const m = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/.exec(name);
  return m ? { projection: m[1]!, which: m[2] as 'A' | 'B' } : null;
}

/** The LoRA target module names of `c`'s architecture (what lora_target_modules may list). */
export function loraModuleNames(c: HfModelConfig): string[] {
  return [...new Set(layerProjections(c).map((p) => p.module))];
}

/**
 * Validates the options against the architecture and lays out the adapters. Cheap (no weights): the
 * policy calls it before reading any, so a bad setting fails before any work.
 */
export function loraSetup(c: HfModelConfig, o: LoraOptions): LoraSetup {
  const rank = o.rank ?? 8;
  const alpha = o.alpha ?? 8;
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`LoRA rank must be a positive integer, got ${rank}`);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new Error(`LoRA alpha must be a positive number, got ${alpha}`);
  const valid = loraModuleNames(c);
  const modules = o.targetModules === 'all-linear' ? valid : [...(o.targetModules ?? DEFAULT_TARGETS[c.family])];
  if (modules.length === 0) throw new Error('LoRA needs at least one target module');
  const dropout = o.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`lora_dropout must be in [0, 1), got ${dropout}`);
  for (const m of modules) if (!valid.includes(m)) throw new Error(`LoRA target module "${m}" is not a projection of ${c.architecture}; choose from ${valid.join(', ')} or "all-linear"`);
  const projections = layerProjections(c);
  const prefix = c.family === 'gpt2' ? gpt2LayerPrefix : llamaLayerPrefix;
  const targets = new Set<string>();
  const specs: ParamSpec[] = [];
  for (let i = 0; i < c.layers; i++) {
    // In the given module order (each module's projections in the layer's order), as before for Llama.
    for (const m of modules) {
      for (const p of projections.filter((x) => x.module === m)) {
        const name = `${prefix(i)}.${p.path}`;
        targets.add(name);
        specs.push({ name: loraParamName(name, 'A'), shape: [rank, p.in], init: { kind: 'normal', std: 1 / Math.sqrt(3 * p.in) }, decay: true });
        specs.push({ name: loraParamName(name, 'B'), shape: [p.out, rank], init: { kind: 'zeros' }, decay: true });
      }
    }
  }
  return { rank, alpha, scale: alpha / rank, targetModules: modules, targets, specs, dropout, seed: o.seed ?? 0, fanInFanOut: c.family === 'gpt2' };
}

/** Fresh adapters: A ~ U(-1/sqrt(in), 1/sqrt(in)) (peft's kaiming-uniform with a = sqrt(5)), B = 0. */
export function initAdapters(setup: LoraSetup, seed = 0): ParameterSet {
  const rng = new Rng(seed);
  const ps = new ParameterSet();
  for (const s of setup.specs) {
    if (s.init.kind === 'zeros') ps.add(s.name, init.zeros(s.shape));
    else {
      const bound = 1 / Math.sqrt(s.shape[1]!);
      ps.add(s.name, init.uniform(s.shape, rng, -bound, bound));
    }
  }
  return ps;
}

/** peft's adapter_config.json for these adapters on `baseModel`. */
export function adapterConfig(setup: LoraSetup, baseModel: string): Record<string, unknown> {
  return { peft_type: 'LORA', task_type: 'CAUSAL_LM', base_model_name_or_path: baseModel, r: setup.rank, lora_alpha: setup.alpha, lora_dropout: setup.dropout, target_modules: setup.targetModules, bias: 'none', fan_in_fan_out: setup.fanInFanOut, use_rslora: false, inference_mode: true };
}

/** The graph input holding a projection's dropout mask ([B, L, in] float32, 0 or 1 / (1 - p)). */
export function dropoutMaskName(projection: string): string {
  return `lora_dropout_mask.${projection}`;
}

/** Each target projection's input width (A's [r, in]). */
export function adapterInputs(setup: LoraSetup): Map<string, number> {
  return new Map([...setup.targets].map((t) => [t, setup.specs.find((s) => s.name === loraParamName(t, 'A'))!.shape[1] as number]));
}

/**
 * Dropout masks of one micro-batch (inverted dropout, as torch's: kept features scaled by
 * 1 / (1 - p)), one per target, from a seed hashed from the run's seed and the batch's ids and
 * positions (see the header).
 */
export function dropoutMasks(setup: LoraSetup, inputIds: TensorData, positions: TensorData): Record<string, TensorData> {
  const [B, L] = inputIds.shape as [number, number];
  const h = createHash('sha256').update(`lora-dropout:${setup.seed}:${inputIds.shape.join('x')}:`);
  h.update(new Uint8Array(inputIds.data.buffer, inputIds.data.byteOffset, inputIds.data.byteLength));
  h.update(new Uint8Array(positions.data.buffer, positions.data.byteOffset, positions.data.byteLength));
  const rng = new Rng(h.digest().readUInt32LE(0));
  const keep = 1 / (1 - setup.dropout);
  const out: Record<string, TensorData> = {};
  for (const [proj, inp] of adapterInputs(setup)) {
    const data = new Float32Array(B * L * inp);
    for (let i = 0; i < data.length; i++) data[i] = rng.uniform() < setup.dropout ? 0 : keep;
    out[dropoutMaskName(proj)] = { dtype: 'float32', shape: [B, L, inp], data };
  }
  return out;
}

/** W + scale * B A for every target: full weights with the adapters merged (peft's merge_and_unload). */
export function mergeAdapters(setup: LoraSetup, base: ParameterSet, adapters: ParameterSet): Map<string, TensorData> {
  const copy = new ParameterSet();
  for (const [name, t] of base.entries()) copy.add(name, { dtype: t.dtype, shape: [...t.shape], data: t.data.slice() } as TensorData);
  mergeAdaptersInPlace(setup, copy, adapters);
  return new Map(copy.entries());
}

/** The same merge into `base` itself (a set the caller owns, e.g. weights just read for loading). */
export function mergeAdaptersInPlace(setup: LoraSetup, base: ParameterSet, adapters: ParameterSet): void {
  for (const proj of setup.targets) {
    const w = base.get(`${proj}.weight`);
    const r = setup.rank;
    const A = adapters.get(loraParamName(proj, 'A')).data as Float32Array;
    const B = adapters.get(loraParamName(proj, 'B')).data as Float32Array;
    const W = w.data as Float32Array;
    // W[o, i] (Linear) or W[i, o] (Conv1D) += scale * sum_k B[o, k] A[k, i].
    const [O, I] = (setup.fanInFanOut ? [...w.shape].reverse() : w.shape) as [number, number];
    const [so, si] = setup.fanInFanOut ? [1, O] : [I, 1];
    for (let o = 0; o < O; o++) {
      for (let k = 0; k < r; k++) {
        const b = B[o * r + k]! * setup.scale;
        if (b === 0) continue;
        for (let i = 0; i < I; i++) W[o * so + i * si]! += b * A[k * I + i]!;
      }
    }
  }
}
