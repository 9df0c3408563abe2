// `npm run bench -- train-step`: one training step (forward, backward, clip, AdamW) of the
// reference GPT-style model in our engine vs the identical model and optimizer in PyTorch CPU
// (bench/torch/train_step.py), same threads, same initial weights and batch, in the same run.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '../server/src/engine/checkpoint/safetensors';
import { causalLmBatch } from '../server/src/engine/models/batches';
import { gptConfig, type GptConfig } from '../server/src/engine/models/gpt';
import { countParams, initParams } from '../server/src/engine/models/params';
import { gptTrainable } from '../server/src/engine/models/training';
import { Graph, type TensorData } from '../server/src/engine/onnx/ir';
import { matmul } from '../server/src/engine/onnx/ops';
import { compile } from '../server/src/engine/onnx/runtime';
import { Rng } from '../server/src/engine/train/rng';
import { fmt, machine, median, parseOptions, timeRuns, type Bench } from './lib/bench';
import { StepLoop } from './lib/step-loop';

const PYTHON = '/usr/bin/python3';
const INSTALL_HINT = 'apt-get install -y python3-torch libopenblas0-pthread';

/** Model FLOPs of one step: 6 * (matmul params) * tokens, plus attention's QK^T and PV (x3 for backward). */
export function trainStepFlops(c: GptConfig, batch: number, seq: number): number {
  const perLayer = 3 * c.dModel * c.dModel + c.dModel * c.dModel + 2 * c.dModel * c.dFF;
  const matmulParams = c.nLayers * perLayer + c.dModel * c.vocabSize;
  const tokens = batch * seq;
  const attention = 3 * c.nLayers * (2 * 2 * batch * seq * seq * c.dModel);
  return 6 * matmulParams * tokens + attention;
}

async function matmulPeak(threads: number): Promise<number> {
  const n = 1024;
  const g = new Graph('matmul_peak');
  g.output(matmul(g.input('a', 'float32', [n, n]), g.input('b', 'float32', [n, n])), 'c');
  const model = await compile(g, { device: 'cpu', threads });
  const rng = new Rng(1);
  const t = (): TensorData => ({ dtype: 'float32', shape: [n, n], data: Float32Array.from({ length: n * n }, () => rng.normal()) });
  const feeds = { a: t(), b: t() };
  const ms = median(await timeRuns(() => model.run(feeds), 3, 15));
  await model.release();
  return (2 * n ** 3) / (ms * 1e6);
}

interface TorchResult {
  median_ms: number;
  losses: number[];
  torch: string;
  threads: number;
  blas: string;
}

function runTorch(dataPath: string, c: GptConfig, o: { threads: number; warmup: number; iters: number; lr: number }): TorchResult | { error: string } {
  const env = { ...process.env, OMP_NUM_THREADS: String(o.threads), OPENBLAS_NUM_THREADS: String(o.threads), MKL_NUM_THREADS: String(o.threads) };
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) {
    return { error: `PyTorch is not importable from ${PYTHON} (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); install it with: ${INSTALL_HINT}` };
  }
  const r = spawnSync(
    PYTHON,
    [join(__dirname, 'torch', 'train_step.py'), '--data', dataPath, '--config', JSON.stringify(c), '--threads', String(o.threads), '--warmup', String(o.warmup), '--iters', String(o.iters), '--lr', String(o.lr)],
    { encoding: 'utf8', env, maxBuffer: 1 << 24 },
  );
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as TorchResult | { error: string };
  } catch {
    return { error: `the PyTorch peer failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }
}

export const bench: Bench = {
  description: 'one GPT training step (fwd+bwd+AdamW), ours vs PyTorch CPU, same threads',
  async run(args) {
    const o = parseOptions(args, { threads: 2, warmup: 3, iters: 10, batch: 16, seq: 128, layers: 4, d: 256, heads: 8, vocab: 1280, lr: 1e-3, 'no-torch': false });
    const c = gptConfig({ vocabSize: o.vocab, dModel: o.d, nLayers: o.layers, nHeads: o.heads, maxLen: o.seq });
    const m = gptTrainable(c);
    const params = initParams(m.specs, 42);
    const rng = new Rng(7);
    const seqs = Array.from({ length: o.batch }, () => Array.from({ length: o.seq }, () => rng.int(o.vocab)));
    const { input_ids, labels } = causalLmBatch(seqs, 0);
    const flops = trainStepFlops(c, o.batch, o.seq);
    const mach = machine();
    console.log(`machine: ${mach.cpu}, ${mach.cores} cores, node ${mach.node}, threads ${o.threads}`);
    console.log(`model: GPT ${o.layers} layers, d=${o.d}, ${o.heads} heads, dFF=${c.dFF}, vocab ${o.vocab}, learned positions; batch ${o.batch} x seq ${o.seq}`);
    console.log(`params: ${(countParams(m.specs) / 1e6).toFixed(2)}M; step FLOPs: ${fmt(flops / 1e9, 2)} GFLOP (6*matmul params*tokens + attention)`);

    // Both engines start from these weights and this batch.
    const dir = mkdtempSync(join(tmpdir(), 'ume-bench-'));
    const dataPath = join(dir, 'train-step.safetensors');
    writeFileSync(dataPath, Buffer.concat(encodeSafetensors([...params.entries(), ['batch.input_ids', input_ids], ['batch.labels', labels]])));

    const peak = await matmulPeak(o.threads);
    console.log(`ORT MatMul 1024^3 peak: ${fmt(peak)} GFLOP/s`);

    const t0 = performance.now();
    const loop = await StepLoop.create(m, params, { device: 'cpu', threads: o.threads });
    console.log(`ours: step graph ${loop.nodeCount} nodes, build+session ${fmt(performance.now() - t0, 0)} ms`);
    const ourLosses: number[] = [];
    const times = await timeRuns(async () => {
      const r = await loop.step({ input_ids, labels }, o.lr);
      if (ourLosses.length < 3) ourLosses.push(r.loss);
    }, o.warmup, o.iters);
    await loop.release();
    const ours = median(times);
    console.log(`ours:    median ${fmt(ours)} ms over ${o.iters} (min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))}), ${fmt(flops / (ours * 1e6))} GFLOP/s = ${fmt((100 * flops) / (ours * 1e6) / peak, 0)}% of MatMul peak`);

    let torchMs: number | null = null;
    if (!o['no-torch']) {
      const t = runTorch(dataPath, c, o);
      if ('error' in t) console.log(`pytorch: unavailable: ${t.error}`);
      else {
        torchMs = t.median_ms;
        console.log(`pytorch: median ${fmt(torchMs)} ms over ${o.iters}, ${fmt(flops / (torchMs * 1e6))} GFLOP/s (torch ${t.torch}, ${t.threads} threads, BLAS ${t.blas})`);
        const diffs = ourLosses.map((l, i) => Math.abs(l - (t.losses[i] ?? NaN)) / Math.abs(t.losses[i] ?? NaN));
        console.log(`same model check, losses of steps 1-3: ours ${ourLosses.map((x) => x.toFixed(5)).join(', ')} | pytorch ${t.losses.map((x) => x.toFixed(5)).join(', ')} | max rel diff ${Math.max(...diffs).toExponential(1)}`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    const ratio = torchMs === null ? null : ours / torchMs;
    if (ratio !== null) console.log(`ratio ours/pytorch: ${ratio.toFixed(3)} (target <= 1.0)`);
    console.log(JSON.stringify({ bench: 'train-step', ours_ms: +ours.toFixed(2), pytorch_ms: torchMs === null ? null : +torchMs.toFixed(2), ratio: ratio === null ? null : +ratio.toFixed(3) }));
  },
};
