// LoRA adapters (Hu et al.; peft's LoraConfig): for each target projection W [out, in], trainable
// A [r, in] and B [out, r] with W x + (alpha / r) B A x. A starts as peft's default
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
import { llamaLayerPrefix } from './params';

export interface LoraOptions {
  /** Rank r (peft's default 8). */
  rank?: number;
  /** Scaling numerator: the update is multiplied by alpha / rank (peft's default 8). */
  alpha?: number;
  /** Module names (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj) or "all-linear"; default q_proj, v_proj (peft's for Llama). */
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
}

const MODULES: Record<string, 'self_attn' | 'mlp'> = { q_proj: 'self_attn', k_proj: 'self_attn', v_proj: 'self_attn', o_proj: 'self_attn', gate_proj: 'mlp', up_proj: 'mlp', down_proj: 'mlp' };

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

/** The projection's [out, in] shape. */
function projShape(c: HfModelConfig, module: string): [number, number] {
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  switch (module) {
    case 'q_proj':
      return [q, c.hidden];
    case 'k_proj':
    case 'v_proj':
      return [kv, c.hidden];
    case 'o_proj':
      return [c.hidden, q];
    case 'gate_proj':
    case 'up_proj':
      return [c.intermediate, c.hidden];
    default:
      return [c.hidden, c.intermediate];
  }
}

export function loraSetup(c: HfModelConfig, o: LoraOptions): LoraSetup {
  if (c.family !== 'llama') throw new Error(`LoRA is implemented for the Llama/Mistral/Qwen2/Qwen3 projections; ${c.architecture} (Conv1D) trains fully instead`);
  const rank = o.rank ?? 8;
  const alpha = o.alpha ?? 8;
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`LoRA rank must be a positive integer, got ${rank}`);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new Error(`LoRA alpha must be a positive number, got ${alpha}`);
  const modules = o.targetModules === 'all-linear' ? Object.keys(MODULES) : [...(o.targetModules ?? ['q_proj', 'v_proj'])];
  if (modules.length === 0) throw new Error('LoRA needs at least one target module');
  const dropout = o.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`lora_dropout must be in [0, 1), got ${dropout}`);
  for (const m of modules) if (!(m in MODULES)) throw new Error(`LoRA target module "${m}" is not a projection of ${c.architecture}; choose from ${Object.keys(MODULES).join(', ')} or "all-linear"`);
  const targets = new Set<string>();
  const specs: ParamSpec[] = [];
  for (let i = 0; i < c.layers; i++) {
    for (const m of modules) {
      const name = `${llamaLayerPrefix(i)}.${MODULES[m]}.${m}`;
      const [out, inp] = projShape(c, m);
      targets.add(name);
      specs.push({ name: loraParamName(name, 'A'), shape: [rank, inp], init: { kind: 'normal', std: 1 / Math.sqrt(3 * inp) }, decay: true });
      specs.push({ name: loraParamName(name, 'B'), shape: [out, rank], init: { kind: 'zeros' }, decay: true });
    }
  }
  return { rank, alpha, scale: alpha / rank, targetModules: modules, targets, specs, dropout, seed: o.seed ?? 0 };
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
  return { peft_type: 'LORA', task_type: 'CAUSAL_LM', base_model_name_or_path: baseModel, r: setup.rank, lora_alpha: setup.alpha, lora_dropout: setup.dropout, target_modules: setup.targetModules, bias: 'none', fan_in_fan_out: false, use_rslora: false, inference_mode: true };
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
    const [O, I] = w.shape as [number, number];
    const r = setup.rank;
    const A = adapters.get(loraParamName(proj, 'A')).data as Float32Array;
    const B = adapters.get(loraParamName(proj, 'B')).data as Float32Array;
    const W = w.data as Float32Array;
    for (let o = 0; o < O; o++) {
      for (let k = 0; k < r; k++) {
        const b = B[o * r + k]! * setup.scale;
        if (b === 0) continue;
        for (let i = 0; i < I; i++) W[o * I + i]! += b * A[k * I + i]!;
      }
    }
  }
}
