// Gradients of our Hugging Face train-step graph (Policy.buildLogps differentiated by our autodiff,
// run by engine/train's Trainer, full fine-tuning) against torch autograd through the independent
// PyTorch reference (grad_reference.py, float64), for every architecture of test/hf/cases.ts:
// loss = -mean log p(completion) - 0.1 * mean entropy at temperature 0.8, every weight's gradient.
// parity.test.ts checks the forward; this checks what training does with it (RMSNorm, RoPE, GQA,
// Qwen3's q/k norm, biases, tied heads, GPT-2's Conv1D and learned positions).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mul, neg, reduceMean, sub } from '../../server/src/engine/onnx/ops';
import { HfPolicy, logpBatch } from '../../server/src/engine/policy/hf';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Trainer } from '../../server/src/engine/train/trainer';
import { parityCases } from './cases';
import { makeModels, PYTHON, torchMissing } from './reference';

const skip = torchMissing();
const root = mkdtempSync(join(tmpdir(), 'hf-grad-'));
// F32 folders only: the gradients are compared, not the file rounding parity.test.ts covers.
const cases = parityCases(root).map((c) => ({ ...c, dtype: 'F32' as const, shards: 1 }));
const TEMPERATURE = 0.8;
const ENTROPY_COEF = 0.1;
const PROMPT = [5, 17, 3, 44, 9, 12];
const COMPLETION = [30, 8, 1, 60, 23, 2, 71, 33];
const IDS = [...PROMPT, ...COMPLETION];

interface RefGrads {
  loss: number;
  grads: Record<string, number[]>;
}
let refs: RefGrads[] = [];

before(() => {
  if (skip) return;
  makeModels(cases);
  const r = spawnSync(PYTHON, [join(__dirname, 'grad_reference.py')], {
    input: JSON.stringify({ cases: cases.map((c) => ({ dir: c.dir, ids: IDS, prompt_len: PROMPT.length, temperature: TEMPERATURE, entropy_coef: ENTROPY_COEF })) }),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`grad_reference.py failed (exit ${r.status}):\n${r.stderr}`);
  refs = JSON.parse(r.stdout) as RefGrads[];
});
after(() => rmSync(root, { recursive: true, force: true }));

let worst = 0;

for (const [ci, kase] of cases.entries()) {
  test(`${kase.name}: every weight's gradient equals torch autograd through the reference`, { skip }, async () => {
    const p = await HfPolicy.load(kase.dir, { threads: 1 });
    const trainer = await Trainer.create(
      { params: p.params.specs(), batch: { input_ids: { dtype: 'int64', shape: ['B', 'L'] }, positions: { dtype: 'int64', shape: ['B', 'T'] } } },
      (ctx) => {
        const out = p.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature: TEMPERATURE });
        return { loss: sub(neg(reduceMean(out.logps, undefined, false)), mul(reduceMean(out.entropies, undefined, false), ENTROPY_COEF)) };
      },
      p.params.clone(),
      { optimizer: adamw({ weightDecay: 0 }), schedule: makeSchedule({ kind: 'constant' }, 0), runtime: { device: 'cpu', threads: 1 }, debugGradients: true },
    );
    try {
      const batch = logpBatch([{ promptIds: PROMPT, completionIds: COMPLETION }], 256, 0)!;
      const step = await trainer.trainStep({ input_ids: batch.inputIds, positions: batch.positions });
      const ref = refs[ci]!;
      assert.ok(Math.abs(step.loss - ref.loss) <= 1e-5 * Math.max(1, Math.abs(ref.loss)), `loss ${step.loss} vs reference ${ref.loss}`);
      const names = p.params.names();
      assert.deepEqual([...names].sort(), Object.keys(ref.grads).sort(), 'the same parameters on both sides');
      for (const name of names) {
        const ours = step.gradients!.get(name)!.data as Float32Array;
        const theirs = ref.grads[name]!;
        assert.equal(ours.length, theirs.length, name);
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < ours.length; i++) {
          scale = Math.max(scale, Math.abs(theirs[i]!));
          diff = Math.max(diff, Math.abs(ours[i]! - theirs[i]!));
        }
        const rel = diff / Math.max(scale, 1e-3);
        worst = Math.max(worst, rel);
        assert.ok(rel <= 1e-4, `${name}: gradients differ by ${diff.toExponential(2)} (max |grad| ${scale.toExponential(2)})`);
      }
    } finally {
      await trainer.release();
      await p.release();
    }
  });
}

test('gradient parity summary', { skip }, () => {
  console.log(`# hf gradient parity over ${cases.length} configs: worst max|diff| / max|grad| per weight ${worst.toExponential(2)}`);
});
