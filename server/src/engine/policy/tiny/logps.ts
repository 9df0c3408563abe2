// Per-completion-token log-probs and entropies of policy-tiny, as a piece of any graph: the GRPO
// train step (Policy.buildLogps, differentiated by our autodiff) and Policy.logprobs (the same code
// in an inference graph), so the trainer's log-probs are the sampler's.
//
// Inputs (policy/types.ts LogpGraphInputs): ids [B, L] (prompt + completion, right-padded) and
// positions [B, T] (the index whose next-token distribution predicts completion token t). Only the
// B*T selected hidden states go through the final norm and the head.
// The distribution is log_softmax(logits / temperature + restriction), where the restriction adds
// RESTRICTED_LOGIT to every id the row's modality may not generate (vocab.ts allowedTable, row
// chosen by the first id), plus, for SMILES rows, the syntax constraint (smiles-grammar.ts) as
// graph inputs grammar_table [K, V] and grammar_index [B, T] when given. The host sampler masks the
// same ids with -Infinity; both give those ids probability exactly 0 in float32, so the log-probs agree.

import { tensorData, type Value } from '../../onnx/ir';
import { add, constant, div, gather, gatherElements, less, logSoftmax, mul, neg, reduceSum, reshape, shapeOf, softmax, squeeze, unsqueeze, where } from '../../onnx/ops';
import type { GptConfig } from '../../models/gpt';
import type { ParamValues } from '../../models/params';
import type { LogpGraphInputs, LogpGraphOutputs } from '../types';
import { fullHidden, lmHead } from './forward';
import { allowedTable } from './vocab';
import { GRAMMAR_INDEX, GRAMMAR_TABLE } from './smiles-grammar';

/** Added to the scaled logits of ids a row may not generate: exp() of it is exactly 0 in float32. */
export const RESTRICTED_LOGIT = -1e9;

/** The restriction as an additive bias [B, 1, V] from each row's first id. */
export function restrictionBias(inputIds: Value, vocabSize: number): Value {
  const g = inputIds.graph;
  const allowed = allowedTable();
  if (allowed.length !== 4 * vocabSize) throw new Error(`policy-tiny's restriction table is for vocabulary ${allowed.length / 4}, the model has ${vocabSize}`);
  const table = g.initializer(
    'restriction_table',
    tensorData(
      'float32',
      [4, vocabSize],
      Array.from(allowed, (a) => (a ? 0 : RESTRICTED_LOGIT)),
    ),
  );
  const first = gather(inputIds, constant(g, 'int64', [], [0]), 1); // [B]
  first.shape = [inputIds.shape?.[0] ?? 'B'];
  const inRange = less(first, constant(g, 'int64', [], [4]));
  const row = where(inRange, first, constant(g, 'int64', [], [0]));
  row.shape = first.shape;
  const bias = unsqueeze(gather(table, row), [1]);
  bias.shape = [first.shape[0]!, 1, vocabSize];
  return bias;
}

/**
 * `temperatureInput` (a float32 scalar graph input) replaces inputs.temperature in inference graphs
 * that serve every temperature with one session; the division is the same op either way.
 */
export function buildTinyLogps(c: GptConfig, p: ParamValues, inputs: LogpGraphInputs, temperatureInput?: Value): LogpGraphOutputs {
  const { inputIds, positions, temperature } = inputs;
  if (!temperatureInput && (!(temperature > 0) || !Number.isFinite(temperature))) throw new Error(`temperature must be a finite number > 0, got ${temperature}`);
  const g = inputIds.graph;
  const B = inputIds.shape?.[0] ?? 'B';
  const L = inputIds.shape?.[1] ?? 'L';
  const T = positions.shape?.[1] ?? 'T';
  const h = fullHidden(c, p, inputIds); // [B, L, d]
  // Row b's position t sits at b*L + positions[b, t] of the flattened [B*L, d] states.
  const dims = shapeOf(inputIds);
  const len = gather(dims, constant(g, 'int64', [], [1]));
  const total = mul(gather(dims, constant(g, 'int64', [], [0])), len);
  const rowStart = g.op1('Range', [constant(g, 'int64', [], [0]), total, len]);
  rowStart.dtype = 'int64';
  rowStart.shape = [B];
  const flatIdx = add(unsqueeze(rowStart, [1]), positions);
  flatIdx.shape = [B, T];
  const flatH = reshape(h, [-1, c.dModel]);
  flatH.shape = [`${String(B)}*${String(L)}`, c.dModel];
  const selected = gather(flatH, flatIdx); // [B, T, d]
  const flatIds = reshape(inputIds, [-1]);
  flatIds.shape = [`${String(B)}*${String(L)}`];
  const targets = gather(flatIds, add(flatIdx, constant(g, 'int64', [], [1]))); // [B, T]
  targets.shape = [B, T];
  const head = lmHead(c, p, selected);
  const scaled = temperatureInput ? div(head, temperatureInput) : temperature === 1 ? head : div(head, constant(g, 'float32', [], [temperature]));
  let logits = add(scaled, restrictionBias(inputIds, c.vocabSize)); // [B, T, V]
  const table = inputs.extra?.[GRAMMAR_TABLE];
  const index = inputs.extra?.[GRAMMAR_INDEX];
  if (table && index) {
    // The SMILES syntax constraint (smiles-grammar.ts): one table row per prediction.
    const grammar = gather(table, index);
    grammar.shape = [B, T, c.vocabSize];
    logits = add(logits, grammar);
  }
  const logp = logSoftmax(logits, -1);
  const logps = squeeze(gatherElements(logp, unsqueeze(targets, [-1]), -1), [-1]);
  const entropies = neg(reduceSum(mul(softmax(logits, -1), logp), [-1], false));
  logps.shape = [B, T];
  entropies.shape = [B, T];
  return { logps, entropies };
}
