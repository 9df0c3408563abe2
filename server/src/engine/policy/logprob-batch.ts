// Log-probs of given completions through a policy's inference graph, for every architecture:
// requests right-padded into [B, L] ids with their prediction positions [B, T] (types.ts
// LogpGraphInputs), run in chunks that bound the graph's [rows, T, V] buffers, and sliced back
// per request.

import type { TensorData } from '../onnx/ir';
import type { LogprobRequest, LogprobResult } from './types';

export interface LogpBatch {
  inputIds: TensorData;
  positions: TensorData;
  T: number;
}

/** Right-padded ids [B, L] and prediction positions [B, T]; undefined when no request has a completion token. */
export function logpBatch(requests: readonly LogprobRequest[], maxLen: number, padId: number, model = "this model's"): LogpBatch | undefined {
  const T = Math.max(0, ...requests.map((q) => q.completionIds.length));
  if (T === 0) return undefined;
  const L = Math.max(...requests.map((q) => q.promptIds.length + q.completionIds.length));
  if (L > maxLen) throw new Error(`a prompt + completion of ${L} tokens exceeds ${model} ${maxLen} positions`);
  const B = requests.length;
  const ids = new BigInt64Array(B * L).fill(BigInt(padId));
  const pos = new BigInt64Array(B * T);
  requests.forEach((q, b) => {
    if (q.promptIds.length === 0) throw new Error(`request ${b} has an empty prompt; it needs at least its first token`);
    const seq = [...q.promptIds, ...q.completionIds];
    seq.forEach((id, t) => (ids[b * L + t] = BigInt(id)));
    const P = q.promptIds.length;
    const n = q.completionIds.length;
    // Padded slots repeat the last real one; a row without completion reads position 0 (its
    // target exists since some row is longer), and all of them are sliced off on the host.
    for (let t = 0; t < T; t++) pos[b * T + t] = BigInt(n === 0 ? 0 : P - 1 + Math.min(t, n - 1));
  });
  return { inputIds: { dtype: 'int64', shape: [B, L], data: ids }, positions: { dtype: 'int64', shape: [B, T], data: pos }, T };
}

export interface BatchedLogprobsOptions {
  /** Runs the logps graph on one batch (parameter feeds added by the caller). */
  run: (feeds: Record<string, TensorData>) => Promise<Record<string, TensorData>>;
  /** Requests per graph run. */
  rows: number;
  maxLen: number;
  padId: number;
  model?: string;
}

export async function batchedLogprobs(requests: readonly LogprobRequest[], temperature: number, o: BatchedLogprobsOptions): Promise<LogprobResult[]> {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`temperature must be a finite number > 0, got ${temperature}`);
  const out: LogprobResult[] = [];
  const rows = Math.max(1, Math.floor(o.rows));
  for (let s = 0; s < requests.length; s += rows) {
    const chunk = requests.slice(s, s + rows);
    const batch = logpBatch(chunk, o.maxLen, o.padId, o.model);
    if (!batch) {
      for (const _ of chunk) out.push({ logps: new Float32Array(0), entropies: new Float32Array(0) });
      continue;
    }
    const r = await o.run({ input_ids: batch.inputIds, positions: batch.positions, temperature: { dtype: 'float32', shape: [], data: Float32Array.of(temperature) } });
    const lp = r['logps']!.data as Float32Array;
    const en = r['entropies']!.data as Float32Array;
    chunk.forEach((q, b) => {
      const n = q.completionIds.length;
      out.push({ logps: lp.slice(b * batch.T, b * batch.T + n), entropies: en.slice(b * batch.T, b * batch.T + n) });
    });
  }
  return out;
}
