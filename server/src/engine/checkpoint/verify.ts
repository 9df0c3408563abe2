// Compares the tensors found in a checkpoint with what the model expects and lists every
// difference at once (missing, unexpected, shape, dtype), so one failed load tells the whole story.

import type { DType } from '../onnx/ir';

export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: number[];
}

const fmt = (t: { dtype: string; shape: number[] }): string => `${t.dtype}[${t.shape.join(', ')}]`;

/** Human-readable problems; empty when `found` matches `expected` exactly (order does not matter). */
export function compareTensors(expected: TensorSpec[], found: Map<string, { dtype: DType; shape: number[]; storedDtype?: string }>, what: string): string[] {
  const problems: string[] = [];
  const want = new Map(expected.map((e) => [e.name, e]));
  for (const e of expected) {
    const f = found.get(e.name);
    if (!f) {
      problems.push(`missing ${what} "${e.name}" (expected ${fmt(e)})`);
      continue;
    }
    if (f.shape.length !== e.shape.length || f.shape.some((d, i) => d !== e.shape[i])) {
      problems.push(`${what} "${e.name}": shape [${f.shape.join(', ')}] in the checkpoint vs [${e.shape.join(', ')}] expected`);
    }
    if (f.dtype !== e.dtype) {
      // Name the file's dtype only when it was converted on load (BF16 -> float32, I16 -> int32).
      const stored = f.storedDtype === 'BF16' || f.storedDtype === 'I16' ? ` (stored as ${f.storedDtype})` : '';
      problems.push(`${what} "${e.name}": dtype ${f.dtype}${stored} in the checkpoint vs ${e.dtype} expected`);
    }
  }
  for (const [name, f] of found) {
    if (!want.has(name)) problems.push(`unexpected ${what} "${name}" (${fmt(f)}) is not in the model`);
  }
  return problems;
}

export class CheckpointMismatchError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `checkpoint ${source} does not match the model (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nLoad it with the model config it was saved with (see its manifest.json), or start a fresh run.',
    );
    this.name = 'CheckpointMismatchError';
  }
}
