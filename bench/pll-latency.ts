// Hover-like latency for `npm run bench -- pll`: one short sequence scored at a time, as a hover
// does. Warm: the same long-lived scorer, repeated. Cold: a new process per sample that loads the
// weights file, creates the scorer and times its first call (session build included), which is
// what the first hover after the language server starts pays.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PllMode } from '../server/src/engine/ume/pll';
import { UmeScorer } from '../server/src/engine/ume/scorer';
import type { BenchSequence } from './pll-sequences';

export const HOVER_K = 16;

export interface ColdJob {
  weights: string;
  threads: number;
  text: string;
  modality: BenchSequence['modality'];
  mode: PllMode;
}

export interface ColdSample {
  /** Reading the weights and creating the scorer. */
  load_ms: number;
  /** The first pll() call after scorer creation (builds the graph and the ORT session). */
  first_ms: number;
  /** The second call: the same process, warm. */
  second_ms: number;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Child side: runs one cold job and prints one JSON line. */
export async function runColdChild(job: ColdJob): Promise<void> {
  const t0 = performance.now();
  const scorer = await UmeScorer.fromFile(job.weights, { threads: job.threads, device: 'cpu' });
  const t1 = performance.now();
  const input = [{ text: job.text, modality: job.modality }];
  await scorer.pll(input, { mode: job.mode, k: HOVER_K });
  const t2 = performance.now();
  await scorer.pll(input, { mode: job.mode, k: HOVER_K });
  const t3 = performance.now();
  await scorer.release();
  const sample: ColdSample = { load_ms: t1 - t0, first_ms: t2 - t1, second_ms: t3 - t2 };
  console.log(JSON.stringify(sample));
}

/** Parent side: one new process per cold sample (the bench runner re-entered with --cold-child). */
export function coldSample(job: ColdJob): Promise<ColdSample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'run.ts'), 'pll', '--cold-child', JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`cold-start child failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(JSON.parse(last) as ColdSample);
    });
  });
}

/** Warm latencies (ms) of `iters` calls on an existing scorer, after `warmup` calls. */
export async function warmLatencies(scorer: UmeScorer, seq: BenchSequence, mode: PllMode, warmup: number, iters: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < warmup + iters; i++) {
    const t0 = performance.now();
    await scorer.pll([seq], { mode, k: HOVER_K });
    if (i >= warmup) out.push(performance.now() - t0);
  }
  return out;
}
