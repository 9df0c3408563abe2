// Per-completion-token log-probs and entropies of a Hugging Face policy as a piece of any graph:
// the GRPO train step (Policy.buildLogps, differentiated by our autodiff) and Policy.logprobs (an
// inference graph), one code for both. Inputs follow policy/types.ts LogpGraphInputs: ids [B, L]
// right-padded, positions [B, T]; only the B*T selected hidden states reach the final norm and head.
// Distribution: log_softmax(logits / temperature), TRL's.

import type { Value } from '../../onnx/ir';
import { add, constant, div, gather, gatherElements, logSoftmax, mul, neg, reduceSum, reshape, shapeOf, softmax, squeeze, unsqueeze } from '../../onnx/ops';
import type { LogpGraphInputs, LogpGraphOutputs } from '../types';
import type { HfModelConfig } from './config';
import { lmHead, type ModelValues } from './forward';
import { fullHidden } from './kv-graphs';

/**
 * Rows of h [B, L, d] at positions [B, T] -> [B, T, d], and the ids that follow them (the targets,
 * ids[b, positions[b, t] + 1]) -> [B, T].
 */
export function selectPositions(h: Value, inputIds: Value, positions: Value, width: number): { selected: Value; targets: Value } {
  const g = inputIds.graph;
  const B = inputIds.shape?.[0] ?? 'B';
  const L = inputIds.shape?.[1] ?? 'L';
  const T = positions.shape?.[1] ?? 'T';
  const dims = shapeOf(inputIds);
  const len = gather(dims, constant(g, 'int64', [], [1]));
  const total = mul(gather(dims, constant(g, 'int64', [], [0])), len);
  const rowStart = g.op1('Range', [constant(g, 'int64', [], [0]), total, len]);
  rowStart.dtype = 'int64';
  rowStart.shape = [B];
  const flatIdx = add(unsqueeze(rowStart, [1]), positions);
  flatIdx.shape = [B, T];
  const flatH = reshape(h, [-1, width]);
  flatH.shape = [`${String(B)}*${String(L)}`, width];
  const selected = gather(flatH, flatIdx); // [B, T, d]
  const flatIds = reshape(inputIds, [-1]);
  flatIds.shape = [`${String(B)}*${String(L)}`];
  const targets = gather(flatIds, add(flatIdx, constant(g, 'int64', [], [1])));
  targets.shape = [B, T];
  return { selected, targets };
}

/** `temperatureInput` (a float32 scalar graph input) replaces inputs.temperature in inference graphs serving every temperature. */
export function buildHfLogps(c: HfModelConfig, m: ModelValues, inputs: LogpGraphInputs, temperatureInput?: Value): LogpGraphOutputs {
  const { inputIds, positions, temperature } = inputs;
  if (!temperatureInput && (!(temperature > 0) || !Number.isFinite(temperature))) throw new Error(`temperature must be a finite number > 0, got ${temperature}`);
  const g = inputIds.graph;
  const B = inputIds.shape?.[0] ?? 'B';
  const T = positions.shape?.[1] ?? 'T';
  const h = fullHidden(c, m, inputIds);
  const { selected, targets } = selectPositions(h, inputIds, positions, c.hidden);
  const head = lmHead(c, m, selected); // [B, T, V]
  const logits = temperatureInput ? div(head, temperatureInput) : temperature === 1 ? head : div(head, constant(g, 'float32', [], [temperature]));
  const logp = logSoftmax(logits, -1);
  const logps = squeeze(gatherElements(logp, unsqueeze(targets, [-1]), -1), [-1]);
  const entropies = neg(reduceSum(mul(softmax(logits, -1), logp), [-1], false));
  logps.shape = [B, T];
  entropies.shape = [B, T];
  return { logps, entropies };
}
