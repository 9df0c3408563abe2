// `npm run bench -- train-step`: one training step (forward, backward, clip, AdamW) of the
// reference GPT-style model in our engine vs the identical model and optimizer in PyTorch CPU
// (bench/torch/train_step.py), same threads, same initial weights and batch, in the same run.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '../server/src/engine/checkpoint/safetensors';
import { causalLmBatch } from '../server/src/engine/models/batches';
import { gptConfig, type GptConfig } from '../server/src/engine/models/gpt';
import { countParams, initParams } from '../server/src/engine/models/params';
import { gptTrainable } from '../server/src/engine/models/training';
import { Graph, tensorData, type TensorData } from '../server/src/engine/onnx/ir';
import { matmul } from '../server/src/engine/onnx/ops';
import { compile } from '../server/src/engine/onnx/runtime';
import { buildTrainStep } from '../server/src/engine/train/compile-step';
import { adamw } from '../server/src/engine/train/optimizers/adamw';
import { init } from '../server/src/engine/train/params';
import { Rng } from '../server/src/engine/train/rng';
import { makeSchedule } from '../server/src/engine/train/schedule';
import { Trainer } from '../server/src/engine/train/trainer';
import { stateName } from '../server/src/engine/train/update';
import { fmt, machine, median, parseOptions, timeRuns, type Bench } from './lib/bench';
import { profileByOp } from './lib/profile';
import { TorchPeer, torchUnavailable } from './lib/torch-peer';

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

export const bench: Bench = {
  description: 'one GPT training step (fwd+bwd+AdamW), ours vs PyTorch CPU, same threads',
  async run(args) {
    const o = parseOptions(args, { threads: 2, warmup: 3, iters: 10, batch: 16, seq: 128, layers: 4, d: 256, heads: 8, vocab: 1280, lr: 1e-3, 'no-torch': false, profile: false });
    const c = gptConfig({ vocabSize: o.vocab, dModel: o.d, nLayers: o.layers, nHeads: o.heads, maxLen: o.seq });
    const m = gptTrainable(c);
    const params = initParams(m.specs, 42);
    const rng = new Rng(7);
    const seqs = Array.from({ length: o.batch }, () => Array.from({ length: o.seq }, () => rng.int(o.vocab)));
    const { input_ids, labels } = causalLmBatch(seqs, 0);
    const flops = trainStepFlops(c, o.batch, o.seq);
    const mach = machine();
    console.log(`machine: ${mach.cpu}, ${mach.cores} cores, load average ${loadavg()[0]!.toFixed(1)}, node ${mach.node}, threads ${o.threads}`);
    if (loadavg()[0]! > mach.cores) console.log(`warning: the machine is busy (load ${loadavg()[0]!.toFixed(1)} on ${mach.cores} cores); wall-clock figures are unreliable, compare the CPU-time ratio too`);
    console.log(`model: GPT ${o.layers} layers, d=${o.d}, ${o.heads} heads, dFF=${c.dFF}, vocab ${o.vocab}, learned positions; batch ${o.batch} x seq ${o.seq}`);
    console.log(`params: ${(countParams(m.specs) / 1e6).toFixed(2)}M; step FLOPs: ${fmt(flops / 1e9, 2)} GFLOP (6*matmul params*tokens + attention)`);

    // Both engines start from these weights and this batch.
    const dir = mkdtempSync(join(tmpdir(), 'ume-bench-'));
    const dataPath = join(dir, 'train-step.safetensors');
    writeFileSync(dataPath, Buffer.concat(encodeSafetensors([...params.entries(), ['batch.input_ids', input_ids], ['batch.labels', labels]])));

    if (o.profile) {
      // Where the time goes, by op type (ORT's profiler), then stop: profiling slows the step itself.
      const step = buildTrainStep(m.spec, m.loss, { optimizer: adamw({ weightDecay: 0.01 }), maxGradNorm: 1.0, decay: m.decay });
      const feeds: Record<string, TensorData> = { input_ids, labels, lr: tensorData('float64', [], [o.lr]), step: tensorData('float64', [], [1]) };
      for (const [name, t] of params.entries()) {
        feeds[name] = t;
        for (const slot of step.slots) feeds[stateName(name, slot)] = init.zeros(t.shape);
      }
      const { ops, nodes, totalMs } = await profileByOp(step.graph, feeds, o.threads, o.iters);
      console.log(`profile: ${fmt(totalMs)} ms per step; kernel time by op type:`);
      for (const t of ops.slice(0, 25)) console.log(`  ${t.op.padEnd(28)} ${fmt(t.ms).padStart(8)} ms  ${String(t.count).padStart(5)} nodes`);
      console.log('slowest nodes:');
      for (const n of nodes.slice(0, 30)) console.log(`  ${fmt(n.ms).padStart(8)} ms  ${n.op.padEnd(16)} ${n.node.slice(0, 40).padEnd(40)} ${n.inputs}`);
      rmSync(dir, { recursive: true, force: true });
      return;
    }

    const peak = await matmulPeak(o.threads);
    console.log(`ORT MatMul 1024^3 peak: ${fmt(peak)} GFLOP/s`);

    const t0 = performance.now();
    // What training runs use: fused step graph, AdamW (torch defaults, wd 0.01 on matrices), clip 1.0, NaN guard on.
    const trainer = await Trainer.create(m.spec, m.loss, params, {
      optimizer: adamw({ weightDecay: 0.01 }),
      maxGradNorm: 1.0,
      decay: m.decay,
      schedule: makeSchedule({ kind: 'constant' }, o.lr),
      runtime: { device: 'cpu', threads: o.threads },
    });
    console.log(`ours: step graph ${trainer.graph.graph.nodes.length} nodes, build+session ${fmt(performance.now() - t0, 0)} ms`);
    let peer: TorchPeer | undefined;
    if (!o['no-torch']) {
      const why = torchUnavailable();
      if (why) console.log(`pytorch: unavailable: ${why}`);
      else {
        const script = join(__dirname, 'torch', 'train_step.py');
        peer = await TorchPeer.start(script, ['--data', dataPath, '--config', JSON.stringify(c), '--threads', String(o.threads), '--lr', String(o.lr)], o.threads);
        console.log(`pytorch: torch ${String(peer.ready['torch'])}, ${String(peer.ready['threads'])} threads, BLAS ${String(peer.ready['blas'])}; torch.mm 1024^3: ${fmt(Number(peer.ready['matmul_gflops']))} GFLOP/s`);
      }
    }

    // Alternate one step of ours with one of PyTorch's so machine load hits both alike.
    const ourTimes: number[] = [];
    const torchTimes: number[] = [];
    // CPU time per step (all threads of the process) is a second, load-robust view: wall time
    // depends on what else the machine runs; CPU time mostly does not (spin-waiting aside).
    const ourCpu: number[] = [];
    const torchCpu: number[] = [];
    const ourLosses: number[] = [];
    const torchLosses: number[] = [];
    for (let i = 0; i < o.warmup + o.iters; i++) {
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      const r = await trainer.trainStep({ input_ids, labels });
      const dt = performance.now() - t1;
      const cu = process.cpuUsage(c1);
      if (i < 3) ourLosses.push(r.loss);
      if (i >= o.warmup) {
        ourTimes.push(dt);
        ourCpu.push((cu.user + cu.system) / 1000);
      }
      if (peer) {
        const p = await peer.send<{ ms: number; cpu_ms: number; loss: number }>('step');
        if (i < 3) torchLosses.push(p.loss);
        if (i >= o.warmup) {
          torchTimes.push(p.ms);
          torchCpu.push(p.cpu_ms);
        }
      }
    }
    await trainer.release();
    peer?.close();
    const report = (who: string, ts: number[], cpu: number[]) => {
      const med = median(ts);
      console.log(
        `${who} median ${fmt(med)} ms over ${ts.length} (min ${fmt(Math.min(...ts))}, max ${fmt(Math.max(...ts))}), ${fmt(flops / (med * 1e6))} GFLOP/s = ${fmt((100 * flops) / (med * 1e6) / peak, 0)}% of MatMul peak; CPU time ${fmt(median(cpu))} ms/step`,
      );
      return med;
    };
    const ours = report('ours:   ', ourTimes, ourCpu);
    const torchMs = peer ? report('pytorch:', torchTimes, torchCpu) : null;
    if (peer) console.log(`CPU-time ratio ours/pytorch: ${(median(ourCpu) / median(torchCpu)).toFixed(3)}`);
    if (peer) {
      const diffs = ourLosses.map((l, i) => Math.abs(l - torchLosses[i]!) / Math.abs(torchLosses[i]!));
      console.log(`same model check, losses of steps 1-3: ours ${ourLosses.map((x) => x.toFixed(5)).join(', ')} | pytorch ${torchLosses.map((x) => x.toFixed(5)).join(', ')} | max rel diff ${Math.max(...diffs).toExponential(1)}`);
    }
    rmSync(dir, { recursive: true, force: true });
    const ratio = torchMs === null ? null : ours / torchMs;
    if (ratio !== null) console.log(`ratio ours/pytorch: ${ratio.toFixed(3)} (target <= 1.0)`);
    console.log(JSON.stringify({ bench: 'train-step', ours_ms: +ours.toFixed(2), pytorch_ms: torchMs === null ? null : +torchMs.toFixed(2), ratio: ratio === null ? null : +ratio.toFixed(3) }));
  },
};
