// The parameters of a Hugging Face causal LM under their Hugging Face names and layouts, so a
// model folder loads without renaming and exportWeights writes what transformers reads back.
// Linear weights stay [out, in] as torch.nn.Linear stores them (the graph multiplies by their
// transpose; ORT folds that into the MatMul); GPT-2's Conv1D weights are [in, out].

import { bias, normWeight, param, weight, type ParamSpec, type ParamValues } from '../../models/params';
import type { Value } from '../../onnx/ir';
import type { HfModelConfig } from './config';

/** Names a checkpoint may hold that carry no parameters (buffers older transformers saved). */
export function isIgnoredBuffer(name: string): boolean {
  return /\.rotary_emb\.inv_freq$/.test(name) || /\.attn\.(masked_)?bias$/.test(name);
}

export function llamaLayerPrefix(i: number): string {
  return `model.layers.${i}`;
}

export function gpt2LayerPrefix(i: number): string {
  return `transformer.h.${i}`;
}

export function hfParamSpecs(c: HfModelConfig): ParamSpec[] {
  return c.family === 'gpt2' ? gpt2Specs(c) : llamaSpecs(c);
}

function llamaSpecs(c: HfModelConfig): ParamSpec[] {
  const std = c.initStd;
  const d = c.hidden;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const specs: ParamSpec[] = [weight('model.embed_tokens.weight', [c.vocabSize, d], std)];
  const linear = (name: string, out: number, inp: number, withBias: boolean): void => {
    specs.push(weight(`${name}.weight`, [out, inp], std));
    if (withBias) specs.push(bias(`${name}.bias`, out));
  };
  for (let i = 0; i < c.layers; i++) {
    const p = llamaLayerPrefix(i);
    specs.push(normWeight(`${p}.input_layernorm.weight`, d));
    linear(`${p}.self_attn.q_proj`, q, d, c.qkvBias);
    linear(`${p}.self_attn.k_proj`, kv, d, c.qkvBias);
    linear(`${p}.self_attn.v_proj`, kv, d, c.qkvBias);
    linear(`${p}.self_attn.o_proj`, d, q, c.oBias);
    if (c.qkNorm) specs.push(normWeight(`${p}.self_attn.q_norm.weight`, c.headDim), normWeight(`${p}.self_attn.k_norm.weight`, c.headDim));
    specs.push(normWeight(`${p}.post_attention_layernorm.weight`, d));
    linear(`${p}.mlp.gate_proj`, c.intermediate, d, c.mlpBias);
    linear(`${p}.mlp.up_proj`, c.intermediate, d, c.mlpBias);
    linear(`${p}.mlp.down_proj`, d, c.intermediate, c.mlpBias);
  }
  specs.push(normWeight('model.norm.weight', d));
  if (!c.tied) specs.push(weight('lm_head.weight', [c.vocabSize, d], std));
  return specs;
}

function gpt2Specs(c: HfModelConfig): ParamSpec[] {
  const std = c.initStd;
  const d = c.hidden;
  const specs: ParamSpec[] = [weight('transformer.wte.weight', [c.vocabSize, d], std), weight('transformer.wpe.weight', [c.maxPositions, d], std)];
  const ln = (name: string): void => void specs.push(normWeight(`${name}.weight`, d), bias(`${name}.bias`, d));
  const conv = (name: string, inp: number, out: number): void => void specs.push(weight(`${name}.weight`, [inp, out], std), bias(`${name}.bias`, out));
  for (let i = 0; i < c.layers; i++) {
    const p = gpt2LayerPrefix(i);
    ln(`${p}.ln_1`);
    conv(`${p}.attn.c_attn`, d, 3 * d);
    conv(`${p}.attn.c_proj`, d, d);
    ln(`${p}.ln_2`);
    conv(`${p}.mlp.c_fc`, d, c.intermediate);
    conv(`${p}.mlp.c_proj`, c.intermediate, d);
  }
  ln('transformer.ln_f');
  if (!c.tied) specs.push(weight('lm_head.weight', [c.vocabSize, d], std));
  return specs;
}

/**
 * A checkpoint's name in our (canonical) naming: GPT-2 checkpoints saved from GPT2Model (the
 * original gpt2 files among them) lack the "transformer." prefix.
 */
export function canonicalName(c: HfModelConfig, name: string): string {
  if (c.family === 'gpt2' && /^(wte|wpe|h\.\d+|ln_f)\./.test(name)) return `transformer.${name}`;
  return name;
}

/** The optional parameter `name`, or undefined when the config has none (biases). */
export function maybeParam(p: ParamValues, name: string): Value | undefined {
  return p[name];
}

export { param };
