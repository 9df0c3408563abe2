import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startRewardWorker } from '../../server/src/engine/rewards/worker/proxy';

const CONFIG = { aggregation: 'arithmetic_mean', components: [{ name: 'qed', type: 'qed' }, { name: 'valid', type: 'validity' }, { name: 'df', type: 'diversity_filter' }] };
const row = (s: string) => ({ prompt: 'p', completion: `<smiles>${s}</smiles>` });

describe('reward worker (child process)', () => {
  it('scores batches in a child process, with per-component timings, the same as in-process', async () => {
    const w = await startRewardWorker(CONFIG);
    try {
      assert.deepEqual(w.functions.map((f) => f.name), ['reward']);
      assert.notEqual(w.child!.pid, process.pid);
      const res = await w.functions[0]!.score([row('CC(=O)Oc1ccccc1C(=O)O'), row('C1CC'), row('CC(=O)Oc1ccccc1C(=O)O')]);
      assert.ok(Math.abs(res[0]!.value! - (0.5501217966938848 + 1) / 2) < 1e-9);
      assert.equal(res[1]!.components!['qed']!.value, null);
      assert.equal(res[2]!.value, 0, 'the diversity filter memory lives in the worker: a repeat scores 0');
      assert.deepEqual(Object.keys(w.functions[0]!.lastTimings!()).sort(), ['df', 'qed', 'valid']);
    } finally {
      await w.close();
    }
  });

  it('weighted_sum: one proxy per component, with the config weights', async () => {
    const w = await startRewardWorker({ components: [{ name: 'qed', type: 'qed', weight: 2 }, { name: 'len', type: 'length', weight: 0.5 }] });
    try {
      assert.deepEqual(w.functions.map((f) => f.name), ['qed', 'len']);
      assert.deepEqual(w.weights, [2, 0.5]);
      const [len] = await w.functions[1]!.score([row('CCO')]);
      assert.equal(len!.value, 3);
    } finally {
      await w.close();
    }
  });

  it('a crashed worker fails the batch with an error naming the function, and is restarted', async () => {
    const w = await startRewardWorker(CONFIG);
    try {
      const pid = w.child!.pid;
      const pending = w.functions[0]!.score([row('CCO')]);
      w.child!.kill('SIGKILL');
      await assert.rejects(pending, /reward function "reward": the reward worker \(pid \d+\) was killed by SIGKILL while scoring this batch; it is restarted/);
      const [again] = await w.functions[0]!.score([row('CCO')]);
      assert.equal(typeof again!.value, 'number');
      assert.notEqual(w.child!.pid, pid);
      assert.equal(w.starts, 2);
    } finally {
      await w.close();
    }
  });

  it('a bad config fails at start with the config error', async () => {
    await assert.rejects(startRewardWorker({ components: [{ type: 'qde' }] }), /unknown component type "qde" \(did you mean "qed"\?\)/);
  });

  it('works from the esbuild bundle (dist/reward-worker.js beside the bundled caller)', async () => {
    // Inside the checkout, so the bundles resolve the external packages from node_modules.
    mkdirSync('.test-artifacts', { recursive: true });
    const out = mkdtempSync(join(process.cwd(), '.test-artifacts', 'reward-bundle-'));
    try {
      const esbuild = await import('esbuild');
      const common = { bundle: true, platform: 'node' as const, target: 'node20', format: 'cjs' as const, external: ['onnxruntime-node', '@rdkit/rdkit'], logLevel: 'silent' as const };
      await esbuild.build({ ...common, entryPoints: ['server/src/engine/rewards/worker/entry.ts'], outfile: join(out, 'reward-worker.js') });
      await esbuild.build({ ...common, stdin: { contents: `const { startRewardWorker } = require(${JSON.stringify(join(process.cwd(), 'server/src/engine/rewards/worker/proxy.ts'))});\n(async () => { const w = await startRewardWorker({ components: [{ name: 'qed', type: 'qed' }] }); const [r] = await w.functions[0].score([{ prompt: '', completion: '<smiles>CCO</smiles>' }]); console.log(JSON.stringify({ value: r.value, entry: w.child.spawnargs.join(' ') })); await w.close(); })();`, resolveDir: process.cwd(), loader: 'ts' }, outfile: join(out, 'caller.js') });
      const r = spawnSync(process.execPath, [join(out, 'caller.js')], { encoding: 'utf8', cwd: process.cwd() });
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout.trim().split('\n').pop()!);
      assert.ok(Math.abs(got.value - 0.40680796565539457) < 1e-9, r.stdout);
      assert.match(got.entry, /reward-worker\.js/);
      assert.doesNotMatch(got.entry, /tsx/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
