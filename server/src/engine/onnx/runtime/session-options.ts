// Session options, chosen deliberately. Our graphs are machine-emitted (unfused forward + backward
// + optimizer), run many times with the same shapes, on a few cores.

import os from 'node:os';
import type { OrtSessionOptions } from './ort';

export type OptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionSettings {
  threads?: number;
  optimization?: OptimizationLevel;
  /**
   * Let ORT's intra-op threads spin-wait for more work after a run (default true: back-to-back runs,
   * as in training and batch scoring, start sooner). Off for sporadic interactive runs (hovers),
   * where the spinning only takes CPU from the rest of the process.
   */
  spinning?: boolean;
}

export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism());
}

export function sessionOptions(settings: SessionSettings): OrtSessionOptions {
  const threads = settings.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  return {
    // 'all' adds layout/fusion passes (MatMul+Add -> Gemm, Gelu/LayerNorm fusions, constant folding)
    // that matter for our unfused emitted graphs; 'disabled' exists for debugging a suspected fusion bug.
    graphOptimizationLevel: settings.optimization ?? 'all',
    // Intra-op threads parallelise inside kernels (MatMul, elementwise): where the time goes.
    // Explicit rather than ORT's guess so benchmarks can match PyTorch's thread count.
    intraOpNumThreads: threads,
    // Sequential execution uses no inter-op pool; 1 avoids spawning idle threads that compete for cores.
    interOpNumThreads: 1,
    // Parallel node execution rarely pays on few cores and makes timings noisy; sequential is predictable.
    executionMode: 'sequential',
    // Training steps run with identical shapes every step: the memory pattern planned on the first
    // run is reused, and the arena avoids a malloc/free per intermediate tensor.
    enableMemPattern: true,
    enableCpuMemArena: true,
    // Errors only: ORT's warnings (e.g. nodes left on CPU by a GPU provider) go to stderr and would
    // drown the language server's log; we report the provider choice ourselves.
    logSeverityLevel: 3,
    ...(settings.spinning === false ? { extra: { session: { 'intra_op.allow_spinning': '0' } } } : {}),
  };
}
