// Adapters from the reference models to the training-step compiler (train/compile-step.ts):
// a ModelSpec (parameter and batch inputs) plus a loss function for each model, and a decay
// predicate that follows each parameter spec's `decay` flag.

import type { InputSpec, LossFn, ModelSpec } from '../train/compile-step';
import type { DecayPredicate } from '../train/optimizers/types';
import type { ParamSpec as TrainParamSpec } from '../train/params';
import { bertLoss, bertParamSpecs, type BertConfig } from './bert';
import { gptLoss, gptParamSpecs, type GptConfig } from './gpt';
import { mlpLoss, mlpParamSpecs, type MlpConfig } from './mlp';
import type { ParamSpec } from './params';

export interface TrainableModel {
  specs: ParamSpec[];
  spec: ModelSpec;
  loss: LossFn;
  decay: DecayPredicate;
}

const tokens = (): InputSpec => ({ dtype: 'int64', shape: ['B', 'T'] });

function model(specs: ParamSpec[], batch: Record<string, InputSpec>, loss: LossFn): TrainableModel {
  const params: TrainParamSpec[] = specs.map((s) => ({ name: s.name, dtype: 'float32', shape: [...s.shape] }));
  const noDecay = new Set(specs.filter((s) => !s.decay).map((s) => s.name));
  return { specs, spec: { params, batch }, loss, decay: (name) => !noDecay.has(name) };
}

function batchValue(ctx: Parameters<LossFn>[0], name: string) {
  const v = ctx.batch[name];
  if (!v) throw new Error(`batch input "${name}" missing from the model spec`);
  return v;
}

/** Next-token LM; batch: input_ids, labels (see batches.causalLmBatch), optional attention_mask. */
export function gptTrainable(c: GptConfig, opts: { attentionMask?: boolean } = {}): TrainableModel {
  const batch: Record<string, InputSpec> = { input_ids: tokens(), labels: tokens() };
  if (opts.attentionMask) batch['attention_mask'] = tokens();
  return model(gptParamSpecs(c), batch, (ctx) => {
    const out = gptLoss(c, ctx.params, {
      inputIds: batchValue(ctx, 'input_ids'),
      labels: batchValue(ctx, 'labels'),
      ...(opts.attentionMask ? { attentionMask: batchValue(ctx, 'attention_mask') } : {}),
    });
    return { loss: out.loss, metrics: { tokens: out.count } };
  });
}

/** Masked LM; batch: input_ids, attention_mask, labels (see batches.mlmBatch). */
export function bertTrainable(c: BertConfig): TrainableModel {
  return model(bertParamSpecs(c), { input_ids: tokens(), attention_mask: tokens(), labels: tokens() }, (ctx) => {
    const out = bertLoss(c, ctx.params, { inputIds: batchValue(ctx, 'input_ids'), attentionMask: batchValue(ctx, 'attention_mask'), labels: batchValue(ctx, 'labels') });
    return { loss: out.loss, metrics: { tokens: out.count } };
  });
}

/** Classifier; batch: x float32 [B, in], labels int64 [B]. */
export function mlpTrainable(c: MlpConfig): TrainableModel {
  return model(mlpParamSpecs(c), { x: { dtype: 'float32', shape: ['B', c.inputSize] }, labels: { dtype: 'int64', shape: ['B'] } }, (ctx) => {
    const out = mlpLoss(c, ctx.params, batchValue(ctx, 'x'), batchValue(ctx, 'labels'));
    return { loss: out.loss };
  });
}
