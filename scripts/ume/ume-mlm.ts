// The UME encoder as a trainable MLM model for the training engine: the shared FlexBERT blocks
// (exactly what server/src/engine/ume/encoder.ts runs at inference) with the MLM head applied only
// at the selected positions. The head costs H*H + H*vocab per position, so running it on the ~20%
// selected positions instead of all of them saves most of its work and the [B, T, vocab] buffers.
//
// Batch inputs: input_ids, attention_mask int64 [B, T]; positions int64 [N] (flat b*T+t indices of
// the selected tokens); targets int64 [N] (the original token there).

import type { InputSpec, LossFn, ModelSpec } from '../../server/src/engine/train/compile-step';
import type { DecayPredicate } from '../../server/src/engine/train/optimizers/types';
import type { Graph, Value } from '../../server/src/engine/onnx/ir';
import { add, argMax, cast, equal, gather, gatherElements, logSoftmax, neg, reduceMean, reshape, rmsNorm, squeeze, unsqueeze } from '../../server/src/engine/onnx/ops';
import { blockWeightsAt, geluMlp, keyPaddingBias, selfAttention } from '../../server/src/engine/models/blocks';
import { bertEncode, bertParamSpecs, mlmHead, type BertConfig } from '../../server/src/engine/models/bert';
import type { ParamSpec, ParamValues } from '../../server/src/engine/models/params';
import { bertConfigOf } from '../../server/src/engine/ume/encoder';
import type { UmeConfig } from '../../server/src/engine/ume/config';

const tokens = (): InputSpec => ({ dtype: 'int64', shape: ['B', 'T'] });
const flat = (): InputSpec => ({ dtype: 'int64', shape: ['N'] });

export const MLM_BATCH: Record<string, InputSpec> = { input_ids: tokens(), attention_mask: tokens(), positions: flat(), targets: flat() };

/**
 * Per selected position: log-prob of the target and whether the argmax equals it. The last layer's
 * attention runs on every row (its keys and values are every token's), but its MLP only at the
 * selected rows: the loss reads nothing else, so this is exact, and it skips ~80% of the last MLP
 * (most of a 1-layer model's work).
 */
export function selectedScores(bc: BertConfig, p: ParamValues, batch: Record<string, Value>): { logp: Value; correct: Value } {
  const inputs = { inputIds: batch['input_ids']!, attentionMask: batch['attention_mask']! };
  const x = bertEncode({ ...bc, nLayers: bc.nLayers - 1 }, p, inputs); // every layer but the last
  const w = blockWeightsAt(p, `encoder.layers.${bc.nLayers - 1}`);
  const h = add(x, selfAttention(rmsNorm(x, w.attnNorm, bc.normEps), w, bc.nHeads, keyPaddingBias(inputs.attentionMask)));
  const flatHidden = reshape(h, [-1, bc.dModel]);
  // Reshape of [B, T, H] to [-1, H] has no symbolic rule for B*T; autodiff needs the rank.
  flatHidden.shape = ['BT', bc.dModel];
  const sel = gather(flatHidden, batch['positions']!); // [N, H]
  const rows = add(sel, geluMlp(rmsNorm(sel, w.mlpNorm, bc.normEps), w.Wi, w.WoMlp));
  const lp = logSoftmax(mlmHead(bc, p, rows), -1); // [N, V]
  const targets = batch['targets']!;
  const logp = squeeze(gatherElements(lp, unsqueeze(targets, [-1]), -1), [-1]);
  const correct = cast(equal(argMax(lp, -1), targets), 'float32');
  return { logp, correct };
}

export interface UmeMlm {
  bert: BertConfig;
  specs: ParamSpec[];
  spec: ModelSpec;
  loss: LossFn;
  decay: DecayPredicate;
}

export function umeMlm(c: UmeConfig): UmeMlm {
  const bert = bertConfigOf(c);
  const specs = bertParamSpecs(bert);
  const noDecay = new Set(specs.filter((s) => !s.decay).map((s) => s.name));
  const loss: LossFn = (ctx) => {
    const { logp, correct } = selectedScores(bert, ctx.params, ctx.batch);
    const accuracy = reduceMean(correct, undefined, false);
    // ArgMax/Equal have no static shape rule here, so the reduction's rank is unknown; it is a scalar.
    accuracy.shape = [];
    return { loss: neg(reduceMean(logp, undefined, false)), metrics: { accuracy } };
  };
  return {
    bert,
    specs,
    spec: { params: specs.map((s) => ({ name: s.name, dtype: 'float32', shape: [...s.shape] })), batch: MLM_BATCH },
    loss,
    decay: (name) => !noDecay.has(name),
  };
}

/** Evaluation outputs: logp [N] and correct [N], so the host can split them by modality. */
export function evalOutputs(bert: BertConfig) {
  return (ctx: { graph: Graph; params: ParamValues; batch: Record<string, Value> }): Record<string, Value> => {
    const { logp, correct } = selectedScores(bert, ctx.params, ctx.batch);
    return { logp, correct };
  };
}
