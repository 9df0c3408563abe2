// Drives bench/peers/hf_reference.py (Debian's python3-torch): random tiny Hugging Face model
// folders written by it, with its float64 reference outputs. One Python process per call.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const REFERENCE = join(__dirname, '..', '..', 'bench', 'peers', 'hf_reference.py');

/** Why the reference cannot run here, or undefined when it can. */
export function torchMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not there (${r.error.message}); install Debian's python3-torch`;
  if (r.status !== 0) return `${PYTHON} has no torch (${r.stderr.trim().split('\n').pop()}); install Debian's python3-torch`;
  return undefined;
}

export interface MakeCase {
  name: string;
  dir: string;
  config: Record<string, unknown>;
  seed?: number;
  dtype?: 'F32' | 'F16' | 'BF16';
  shards?: number;
  unprefixed?: boolean;
  prompts: number[][];
  new_tokens?: number;
}

export interface ReferencePrompt {
  /** [L, V] row-major logits of the whole prompt. */
  logits: number[];
  greedy: number[];
  logps: number[];
  /** [new_tokens, V]: the next-token logits before each greedy token. */
  step_logits: number[];
}

export function runReference(mode: 'make' | 'bench', request: unknown): unknown {
  const r = spawnSync(PYTHON, [REFERENCE, mode], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, OPENBLAS_NUM_THREADS: process.env['OPENBLAS_NUM_THREADS'] ?? '2' } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`hf_reference.py ${mode} failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

/** Writes every case's folder and returns the reference outputs, in case order. */
export function makeModels(cases: readonly MakeCase[]): ReferencePrompt[][] {
  const out = runReference('make', { cases }) as Array<{ prompts: ReferencePrompt[] }>;
  return out.map((c) => c.prompts);
}
