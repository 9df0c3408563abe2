// `ume-studio grpo-loss`: the JSON it prints (exactly the documented keys, the numbers of the
// engine's evaluateGrpoLossCase and of the PyTorch reference), and its usage errors (exit 2, the
// key named, the nearest valid key for a typo). Runs main() in-process like test/cli.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from '../cli/run-cli';
import { evaluateGrpoLossCase, parseGrpoLossCase } from '../../server/src/engine/grpo';

const FIXTURE = join('test', 'grpo', 'fixtures', 'batch.json');
const fixture = (): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, FIXTURE), 'utf8')) as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'grpo-loss-'));
const write = (name: string, json: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
  return p;
};

test('prints {loss, grad_logps, advantages, metrics} computed by the engine', async () => {
  const r = await cli('grpo-loss', FIXTURE);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const out = JSON.parse(r.out) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['loss', 'grad_logps', 'advantages', 'metrics']);
  assert.deepEqual(out, JSON.parse(JSON.stringify(await evaluateGrpoLossCase(parseGrpoLossCase(fixture())))));
  const metrics = out['metrics'] as Record<string, number>;
  assert.deepEqual(Object.keys(metrics).sort(), [
    'clip_ratio/high_max', 'clip_ratio/high_mean', 'clip_ratio/low_mean', 'clip_ratio/low_min', 'clip_ratio/region_mean', 'entropy',
    'frac_reward_zero_std', 'kl', 'reward', 'reward_std', 'rewards/reward/mean', 'rewards/reward/std',
  ]);
  // The unscorable last completion gets advantage 0; the padded tokens get no gradient.
  assert.equal((out['advantages'] as number[])[3], 0);
  assert.equal((out['grad_logps'] as number[][])[0]![2], 0);
  assert.ok((out['loss'] as number) !== 0);
});

test('equals the PyTorch reference on the fixture', { skip: spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0 ? false : "/usr/bin/python3 has no torch (Debian's python3-torch)" }, async () => {
  const r = await cli('grpo-loss', FIXTURE);
  const py = spawnSync('/usr/bin/python3', [join(ROOT, 'bench', 'peers', 'grpo_loss_ref.py')], { input: readFileSync(join(ROOT, FIXTURE)), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const ours = JSON.parse(r.out) as { loss: number; grad_logps: number[][]; metrics: Record<string, number> };
  const ref = JSON.parse(py.stdout) as typeof ours;
  assert.ok(Math.abs(ours.loss - ref.loss) < 1e-12, `${ours.loss} vs ${ref.loss}`);
  ours.grad_logps.flat().forEach((g, i) => assert.ok(Math.abs(g - ref.grad_logps.flat()[i]!) < 1e-12));
  for (const k of Object.keys(ref.metrics)) assert.ok(Math.abs(ours.metrics[k]! - ref.metrics[k]!) < 1e-12, k);
});

test('given advantages are used as they are; rewards may then be left out', async () => {
  const { rewards: _r, ...rest } = fixture();
  const r = await cli('grpo-loss', write('adv.json', { ...rest, advantages: [1, -1, 0.5, 0] }));
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { advantages: number[]; metrics: Record<string, number> };
  assert.deepEqual(out.advantages, [1, -1, 0.5, 0]);
  assert.ok(!('reward' in out.metrics));
});

test('warnings go to stderr, the JSON still to stdout', async () => {
  const f = fixture();
  const r = await cli('grpo-loss', write('warn.json', { ...f, config: { ...(f['config'] as object), loss_type: 'cispo', epsilon_high: null } }));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning: loss_type "cispo" caps the importance weight at epsilon_high/);
  assert.ok(JSON.parse(r.out));
});

test('bad input exits 2 with the key named', async () => {
  const f = fixture();
  const cases: Array<[unknown, RegExp]> = [
    [{ ...f, logp: f['logps'] }, /unknown key "logp" \(did you mean "logps"\?\)/],
    [{ ...f, config: { ...(f['config'] as object), loss_type: 'dapo2' } }, /config\.loss_type is "dapo2" \(did you mean "dapo"\?\): use one of grpo, bnpo, dr_grpo, dapo, cispo, sapo/],
    [{ ...f, config: { ...(f['config'] as object), num_generation: 2 } }, /unknown key "config\.num_generation" \(did you mean "num_generations"\?\)/],
    [{ ...f, config: { ...(f['config'] as object), num_generations: 3 } }, /4 completions \(rows of logps\) are not divisible by config\.num_generations 3/],
    [{ ...f, mask: [[1, 1], [1, 1, 1], [1, 1, 1], [1, 0, 0]] }, /mask\[0\] must be a row of 3 numbers/],
    [{ ...f, rewards: [1, 2, 3] }, /rewards has 3 entries but logps has 4 rows/],
    [{ ...f, ref_logps: undefined }, /ref_logps is missing: config\.beta is 0\.04/],
    [{ ...f, entropies: undefined }, /entropies is missing: config\.top_entropy_quantile is 0\.5/],
    [{ ...f, logps: [[-1, 'x', 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]] }, /logps\[0\]\[1\] must be a finite number, got "x"/],
    [{ ...f, mask: undefined }, /mask is missing/],
    ['{"config": ', /is not valid JSON/],
  ];
  for (const [json, expected] of cases) {
    const r = await cli('grpo-loss', write('bad.json', json));
    assert.equal(r.code, 2, `${JSON.stringify(json).slice(0, 80)}: exit ${r.code} ${r.err}`);
    assert.match(r.err, expected);
    assert.match(r.err, /See ume-studio grpo-loss --help/);
    assert.equal(r.out, '');
  }
  const missing = await cli('grpo-loss', join(dir, 'nope.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read ".*nope\.json": no such file/);
  assert.equal((await cli('grpo-loss')).code, 2);
});

test('--help and the global command list', async () => {
  const h = await cli('grpo-loss', '--help');
  assert.equal(h.code, 0);
  assert.match(h.out, /^Usage: ume-studio grpo-loss IN\.json/);
  assert.match((await cli('--help')).out, /grpo-loss +compute the GRPO loss/);
});
