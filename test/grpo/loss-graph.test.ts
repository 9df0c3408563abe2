// buildGrpoLoss as the trainer uses it: symbolic [B, T] shapes give the numbers static shapes give
// (including one-token batches, where TRL's metrics switch to per-row means), float32 graphs agree
// with float64, the gradient matches central finite differences, it plugs into a fused train step
// (metric names with slashes as outputs; the gradient reaches the policy's parameters through the
// log-probs), and bad inputs fail with messages that say what to pass.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradients } from '../../server/src/engine/onnx/autodiff';
import { Graph, tensorData, type DType, type TensorData, type Value } from '../../server/src/engine/onnx/ir';
import { gatherElements, logSoftmax, squeeze } from '../../server/src/engine/onnx/ops';
import { compile } from '../../server/src/engine/onnx/runtime';
import { buildGrpoLoss, evaluateGrpoLossCase, parseGrpoLossCase, resolveGrpoLossSettings, type GrpoLossInputs, type GrpoLossSettings } from '../../server/src/engine/grpo';
import type { LossFn } from '../../server/src/engine/train/compile-step';
import { sgd } from '../../server/src/engine/train/optimizers/sgd';
import { ParameterSet } from '../../server/src/engine/train/params';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Rng } from '../../server/src/engine/train/rng';
import { Trainer } from '../../server/src/engine/train/trainer';

interface Batch {
  logps: number[][];
  old_logps?: number[][];
  ref_logps?: number[][];
  mask: number[][];
  entropies?: number[][];
  advantages: number[];
}

function batch(seed: number, B: number, T: number): Batch {
  const r = new Rng(seed);
  const m = (f: () => number): number[][] => Array.from({ length: B }, () => Array.from({ length: T }, f));
  const logps = m(() => -(0.1 + 2 * r.uniform()));
  return {
    logps,
    old_logps: logps.map((row) => row.map((x) => x + 0.4 * r.normal())),
    ref_logps: logps.map((row) => row.map((x) => x + 0.3 * r.normal())),
    mask: Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b === 1 ? 0 : t <= (b + 1) % T ? 1 : 0))),
    entropies: m(() => 3 * r.uniform()),
    advantages: Array.from({ length: B }, () => r.normal()),
  };
}

/** Builds the loss (and d loss / d logps) with the given dims and runs it; returns every output as numbers. */
async function runLoss(b: Batch, s: GrpoLossSettings, dtype: DType, dims: 'static' | 'symbolic', logpsFeed?: number[][]): Promise<Record<string, number[]>> {
  const B = b.logps.length;
  const T = b.logps[0]!.length;
  const g = new Graph('grpo_loss_test');
  const feeds: Record<string, TensorData> = {};
  const bt = dims === 'static' ? [B, T] : ['B', 'T'];
  const input = (name: string, rows: number[][] | number[], shape: Array<number | string>): Value => {
    const v = g.input(name, dtype, shape);
    const flat = (rows as Array<number | number[]>).flat() as number[];
    feeds[name] = tensorData(dtype, shape.length === 2 ? [B, T] : [B], flat);
    return v;
  };
  const x: GrpoLossInputs = {
    logps: input('logps', logpsFeed ?? b.logps, bt),
    mask: input('mask', b.mask, bt),
    advantages: input('advantages', b.advantages, [bt[0]!]),
  };
  if (b.old_logps) x.oldLogps = input('old_logps', b.old_logps, bt);
  if (b.ref_logps) x.refLogps = input('ref_logps', b.ref_logps, bt);
  if (b.entropies) x.entropies = input('entropies', b.entropies, bt);
  const { loss, metrics } = buildGrpoLoss(x, s);
  g.output(loss, 'loss');
  g.output(gradients(loss, [x.logps])[0]!, 'grad');
  const names = Object.keys(metrics);
  names.forEach((n, i) => g.output(metrics[n as keyof typeof metrics]!, `m${i}`));
  const model = await compile(g, { device: 'cpu', threads: 1 });
  try {
    const out = await model.run(feeds);
    const res: Record<string, number[]> = { loss: [Number(out['loss']!.data[0])], grad: Array.from(out['grad']!.data as Float64Array, Number) };
    names.forEach((n, i) => (res[n] = [Number(out[`m${i}`]!.data[0])]));
    return res;
  } finally {
    await model.release();
  }
}

function assertClose(a: Record<string, number[]>, b: Record<string, number[]>, tol: number, what: string): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${what}: outputs differ`);
  for (const k of Object.keys(b)) {
    b[k]!.forEach((e, i) => {
      const x = a[k]![i]!;
      if (Number.isNaN(e)) assert.ok(Number.isNaN(x), `${what} ${k}[${i}]: ${x} vs NaN`);
      else assert.ok(Math.abs(x - e) <= tol * Math.max(1, Math.abs(e)), `${what} ${k}[${i}]: ${x} vs ${e}`);
    });
  }
}

const SETTINGS: Array<Partial<GrpoLossSettings>> = [
  { loss_type: 'grpo', beta: 0.1, delta: 1.3 },
  { loss_type: 'dr_grpo', importance_sampling_level: 'sequence', max_completion_length: 7, gradient_accumulation_steps: 2 },
  { loss_type: 'dapo', top_entropy_quantile: 0.4, epsilon_high: 0.28 },
  { loss_type: 'bnpo', top_entropy_quantile: 0.5, beta: 0.05 },
  { loss_type: 'cispo', epsilon_high: 1.2 },
  { loss_type: 'sapo', importance_sampling_level: 'sequence', beta: 0.2 },
];

test('symbolic [B, T] graphs give the numbers static ones do, also for one-token batches', async () => {
  for (const [B, T] of [
    [4, 5],
    [4, 1],
  ] as const) {
    const b = batch(B * 10 + T, B, T);
    for (const over of SETTINGS) {
      const s = resolveGrpoLossSettings({ num_generations: 2, ...over });
      const st = await runLoss(b, s, 'float64', 'static');
      const sy = await runLoss(b, s, 'float64', 'symbolic');
      assertClose(sy, st, 1e-14, `${s.loss_type} B=${B} T=${T}`);
    }
  }
});

test('float32 graphs agree with float64 (1e-5 relative)', async () => {
  const b = batch(7, 6, 4);
  for (const over of SETTINGS) {
    const s = resolveGrpoLossSettings({ num_generations: 2, ...over });
    const f32 = await runLoss(b, s, 'float32', 'symbolic');
    const f64 = await runLoss(b, s, 'float64', 'static');
    assertClose(f32, f64, 1e-5, `${s.loss_type} float32`);
  }
});

test('d loss / d logps matches central finite differences (float64, old log-probs given)', async () => {
  const b = batch(11, 4, 3);
  const eps = 1e-6;
  // cispo is left out on purpose: TRL detaches its clipped weight, so its gradient is not the
  // derivative of its loss value (the parity test checks it against torch autograd instead).
  for (const over of SETTINGS.filter((o) => o.loss_type !== 'cispo')) {
    const s = resolveGrpoLossSettings({ num_generations: 2, ...over });
    const base = await runLoss(b, s, 'float64', 'static');
    for (let i = 0; i < 4; i++) {
      for (let t = 0; t < 3; t++) {
        const shifted = (d: number): number[][] => b.logps.map((row, r) => row.map((x, c) => (r === i && c === t ? x + d : x)));
        const up = (await runLoss(b, s, 'float64', 'static', shifted(eps)))['loss']![0]!;
        const down = (await runLoss(b, s, 'float64', 'static', shifted(-eps)))['loss']![0]!;
        const fd = (up - down) / (2 * eps);
        const ad = base['grad']![i * 3 + t]!;
        assert.ok(Math.abs(fd - ad) <= 1e-7 + 1e-6 * Math.abs(fd), `${s.loss_type} [${i}][${t}]: autodiff ${ad}, finite differences ${fd}`);
      }
    }
  }
});

test('without old log-probs the ratio is 1 and the gradient is the policy gradient -A/n (stop-gradient)', async () => {
  const { old_logps: _old, ...b } = batch(3, 4, 3);
  const s = resolveGrpoLossSettings({ num_generations: 2, loss_type: 'bnpo' });
  const out = await runLoss(b, s, 'float64', 'static');
  const n = b.mask.flat().reduce((p, q) => p + q, 0);
  // loss = -sum(m A) / n with coef_1 == 1, so d/dlogp_bt = -m_bt A_b / n (the detached copy adds nothing).
  const expected = b.mask.flatMap((row, i) => row.map((m) => (-m * b.advantages[i]!) / n));
  assertClose({ grad: out['grad']! }, { grad: expected }, 1e-14, 'bnpo grad');
  assert.equal(out['clip_ratio/region_mean']![0], 0);
});

test('a fused train step: the loss, metrics and parameter gradient of a tiny policy equal the float64 loss case', async () => {
  const [B, T, V] = [4, 3, 5];
  const r = new Rng(21);
  const ps = new ParameterSet();
  const logits = Array.from({ length: B * T * V }, () => r.normal());
  ps.add('logits', tensorData('float32', [B, T, V], logits));
  const ids = Array.from({ length: B * T }, () => r.int(V));
  const b = batch(5, B, T);
  const settings = resolveGrpoLossSettings({ num_generations: 2, loss_type: 'grpo', beta: 0.1, epsilon_high: 0.28 });
  const lossFn: LossFn = ({ params, batch: x }) => {
    const logps = squeeze(gatherElements(logSoftmax(params['logits']!, -1), x['ids']!, 2), [2]);
    const { loss, metrics } = buildGrpoLoss({ logps, oldLogps: x['old_logps']!, refLogps: x['ref_logps']!, mask: x['mask']!, advantages: x['advantages']! }, settings);
    return { loss, metrics: metrics as Record<string, Value> };
  };
  const f = (shape: Array<number | string>) => ({ dtype: 'float32' as const, shape });
  const spec = { params: ps.specs(), batch: { ids: { dtype: 'int64' as const, shape: ['B', T, 1] }, old_logps: f(['B', T]), ref_logps: f(['B', T]), mask: f(['B', T]), advantages: f(['B']) } };
  const trainer = await Trainer.create(spec, lossFn, ps, { optimizer: sgd({}), schedule: makeSchedule({ kind: 'constant' }, 0.1), debugGradients: true, runtime: { device: 'cpu', threads: 1 } });
  try {
    const flat = (m: number[][]): number[] => m.flat();
    const step = await trainer.trainStep({
      ids: tensorData('int64', [B, T, 1], ids),
      old_logps: tensorData('float32', [B, T], flat(b.old_logps!)),
      ref_logps: tensorData('float32', [B, T], flat(b.ref_logps!)),
      mask: tensorData('float32', [B, T], flat(b.mask)),
      advantages: tensorData('float32', [B], b.advantages),
    });
    // The same batch through the float64 loss case, on the log-probs of the float32 logits.
    const logp = (bi: number, t: number, v: number): number => {
      const row = logits.slice((bi * T + t) * V, (bi * T + t + 1) * V).map((z) => Math.fround(z));
      const mx = Math.max(...row);
      return row[v]! - mx - Math.log(row.reduce((s, z) => s + Math.exp(z - mx), 0));
    };
    const logps = Array.from({ length: B }, (_, bi) => Array.from({ length: T }, (_, t) => logp(bi, t, ids[bi * T + t]!)));
    const ref = await evaluateGrpoLossCase(parseGrpoLossCase({ config: { ...settings }, advantages: b.advantages, logps, old_logps: b.old_logps, ref_logps: b.ref_logps, mask: b.mask }));
    assert.ok(Math.abs(step.loss - ref.loss!) <= 1e-5 * Math.max(1, Math.abs(ref.loss!)), `loss ${step.loss} vs ${ref.loss}`);
    for (const k of ['kl', 'clip_ratio/low_mean', 'clip_ratio/high_mean', 'clip_ratio/region_mean', 'clip_ratio/low_min', 'clip_ratio/high_max']) {
      assert.ok(k in step.metrics, `metric ${k} missing from the step's outputs: ${Object.keys(step.metrics).join(', ')}`);
      assert.ok(Math.abs(step.metrics[k]! - ref.metrics[k]!) <= 1e-5, `${k}: ${step.metrics[k]} vs ${ref.metrics[k]}`);
    }
    // Chain rule through log-softmax: d/dz_v = g_bt (onehot_v - softmax_v).
    const grad = step.gradients!.get('logits')!.data as Float32Array;
    let worst = 0;
    for (let bi = 0; bi < B; bi++) {
      for (let t = 0; t < T; t++) {
        const gbt = ref.grad_logps[bi]![t]!;
        for (let v = 0; v < V; v++) {
          const expected = gbt * ((v === ids[bi * T + t] ? 1 : 0) - Math.exp(logp(bi, t, v)));
          worst = Math.max(worst, Math.abs(grad[(bi * T + t) * V + v]! - expected));
        }
      }
    }
    assert.ok(worst <= 1e-6, `parameter gradient differs from the chain rule by ${worst}`);
  } finally {
    await trainer.release();
  }
});

test('bad inputs fail with what to pass', () => {
  const g = new Graph('bad');
  const lp = g.input('logps', 'float32', ['B', 'T']);
  const mask = g.input('mask', 'float32', ['B', 'T']);
  const adv = g.input('adv', 'float32', ['B']);
  const s = (o: Partial<GrpoLossSettings>) => resolveGrpoLossSettings(o);
  assert.throws(() => buildGrpoLoss({ logps: lp, mask, advantages: adv }, s({ beta: 0.1 })), /beta is 0.1, so the KL term needs refLogps/);
  assert.throws(() => buildGrpoLoss({ logps: lp, mask, advantages: adv }, s({ top_entropy_quantile: 0.2 })), /needs entropies/);
  assert.throws(() => buildGrpoLoss({ logps: lp, mask, advantages: adv }, s({ gradient_accumulation_steps: 4 })), /pass numItemsInBatch/);
  assert.doesNotThrow(() => buildGrpoLoss({ logps: lp, mask, advantages: adv }, s({ gradient_accumulation_steps: 4, loss_type: 'grpo' })));
  const m64 = g.input('mask64', 'float64', ['B', 'T']);
  assert.throws(() => buildGrpoLoss({ logps: lp, mask: m64, advantages: adv }, s({})), /mask is float64 but logps is float32; cast it/);
  const wide = g.input('adv2', 'float32', ['B', 'T']);
  assert.throws(() => buildGrpoLoss({ logps: lp, mask, advantages: wide }, s({})), /advantages must have rank 1 \(\[B\]\)/);
  assert.throws(() => buildGrpoLoss({ logps: lp, mask, advantages: adv }, { ...s({}), loss_type: 'ppo' as never }), /loss_type is "ppo"/);
});
