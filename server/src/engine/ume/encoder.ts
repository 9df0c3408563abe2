// The UME encoder as ONNX graphs, built from the shared BERT/FlexBERT blocks (models/bert.ts has
// exactly UME's layout). Inputs are input_ids and attention_mask int64 [B, T] with symbolic B and T,
// so one compiled session serves every batch shape (dynamic padding, never padded to the maximum).
//
// Outputs, chosen per graph so a session computes only what a caller needs:
//   logprobs          float32 [B, T, vocab]  log_softmax over the vocabulary at every position
//   observed_logprob  float32 [B, T]         log-prob of the token actually at each position
//   selected_logprob  float32 [N]            head applied only at `positions` (flat b*T+t indices,
//                                            int64 [N]), log-prob of `targets` (int64 [N]) there
//   pooled            float32 [B, H]         mean of final hidden states over non-pad tokens
//   hidden            float32 [B, T, H]      final hidden states (before the MLM head)

import { Graph, type Value } from '../onnx/ir';
import { cast, div, gather, gatherElements, logSoftmax, max, mul, reduceSum, reshape, scalar, squeeze, unsqueeze } from '../onnx/ops';
import { bertConfig, bertEncode, bertGraphInputs, bertParamSpecs, mlmHead, type BertConfig } from '../models/bert';
import { paramInitializers, paramInputs, type ParamValues } from '../models/params';
import type { ParameterSet } from '../train/params';
import type { UmeConfig } from './config';

export type UmeOutput = 'logprobs' | 'observed_logprob' | 'selected_logprob' | 'pooled' | 'hidden';
export const UME_OUTPUTS: readonly UmeOutput[] = ['logprobs', 'observed_logprob', 'selected_logprob', 'pooled', 'hidden'];

/**
 * lobster's posemb_sincos_1d uses angle = pos / T^(i / (d/2 - 1)) for i < d/2, sines then cosines.
 * The shared block uses angle = pos / T'^(2i / d); both agree when T' = T^(d / (d - 2)).
 */
export function sinusoidTemperatureFor(c: UmeConfig): number {
  return Math.pow(c.posTemperature, c.hiddenSize / (c.hiddenSize - 2));
}

/** The shared BERT block config that computes exactly UME's encoder. */
export function bertConfigOf(c: UmeConfig): BertConfig {
  // Through the factory, so fields the blocks add later (e.g. init settings) get their defaults.
  return bertConfig({
    vocabSize: c.vocabSize,
    dModel: c.hiddenSize,
    nLayers: c.numLayers,
    nHeads: c.numHeads,
    dFF: c.intermediateSize,
    normEps: c.normEps,
    posTemperature: sinusoidTemperatureFor(c),
    posLayout: 'halves',
  });
}

export interface UmeGraphOptions {
  outputs: readonly UmeOutput[];
  /**
   * 'initializers' bakes the weights into the model (fastest; ORT can pre-pack them). 'inputs'
   * declares them as graph inputs fed on every run: needed above protobuf's 2 GB model limit
   * (ume-medium, ume-large), where a self-contained model cannot be serialized.
   */
  weights?: 'initializers' | 'inputs';
}

/** Mean over non-pad positions: sum(h * m) / max(sum(m), 1) -> [B, H]. */
function meanPool(hidden: Value, attentionMask: Value): Value {
  const m = unsqueeze(cast(attentionMask, 'float32'), [-1]); // [B, T, 1]
  const total = reduceSum(mul(hidden, m), [1], false); // [B, H]
  const count = reduceSum(m, [1], false); // [B, 1]
  return div(total, max(count, scalar(count, 1)));
}

/** Log-prob of `targets` (int64, same leading shape) in logprobs [..., V]. */
function pick(logprobs: Value, targets: Value): Value {
  return squeeze(gatherElements(logprobs, unsqueeze(targets, [-1]), -1), [-1]);
}

export function buildUmeGraph(c: UmeConfig, params: ParameterSet, options: UmeGraphOptions): Graph {
  if (options.outputs.length === 0) throw new Error(`buildUmeGraph needs at least one output (${UME_OUTPUTS.join(', ')})`);
  const bc = bertConfigOf(c);
  const specs = bertParamSpecs(bc);
  const g = new Graph(`${c.name}-${options.outputs.join('+')}`);
  const inputs = bertGraphInputs(g);
  const p: ParamValues = options.weights === 'inputs' ? paramInputs(g, specs) : paramInitializers(g, specs, params);
  const hidden = bertEncode(bc, p, inputs);
  const want = new Set(options.outputs);
  if (want.has('logprobs') || want.has('observed_logprob')) {
    const logp = logSoftmax(mlmHead(bc, p, hidden), -1);
    if (want.has('logprobs')) g.output(logp, 'logprobs');
    if (want.has('observed_logprob')) g.output(pick(logp, inputs.inputIds), 'observed_logprob');
  }
  if (want.has('selected_logprob')) {
    const positions = g.input('positions', 'int64', ['N']);
    const targets = g.input('targets', 'int64', ['N']);
    const flat = reshape(hidden, [-1, c.hiddenSize]); // [B*T, H]
    const rows = gather(flat, positions); // [N, H]: the head runs on these rows only
    g.output(pick(logSoftmax(mlmHead(bc, p, rows), -1), targets), 'selected_logprob');
  }
  if (want.has('pooled')) g.output(meanPool(hidden, inputs.attentionMask), 'pooled');
  if (want.has('hidden')) g.output(hidden, 'hidden');
  return g;
}
