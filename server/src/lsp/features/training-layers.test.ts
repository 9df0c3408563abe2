// Paths from editor settings are resolved against the workspace folder; a resume takes the run's
// own settings and refuses to change the ones its checkpoint depends on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../engine/training/config';
import { resolvePathKeys, resumeLayers } from './training-layers';

test('relative paths start at the workspace folder; words and absolute paths stay', () => {
  const out = resolvePathKeys({ dataset: 'data/p.jsonl', reward_config: '~/r.json', policy: 'policy-tiny', output_dir: '/abs/runs', eval_dataset: 'synthetic/x.jsonl', learning_rate: 1e-5 }, '/ws');
  assert.deepEqual(out, { dataset: '/ws/data/p.jsonl', reward_config: join(homedir(), 'r.json'), policy: 'policy-tiny', output_dir: '/abs/runs', eval_dataset: '/ws/synthetic/x.jsonl', learning_rate: 1e-5 });
  assert.deepEqual(resolvePathKeys({ dataset: 'synthetic', ume_model: null }, '/ws'), { dataset: 'synthetic', ume_model: null });
  assert.deepEqual(resolvePathKeys({ dataset: 'p.jsonl' }, null), { dataset: 'p.jsonl' }, 'no folder: left to the trainer');
});

function savedRun(config: Record<string, unknown>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ume-resume-layers-')), 'moved-run');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 'ume-studio-run', run_name: 'old-name', config }));
  return dir;
}

test('a resume trains with the run\'s config.json, in the folder the run is in now', async () => {
  const c = resolveConfig([{ max_steps: 4, per_device_train_batch_size: 8, num_generations: 4, output_dir: '/elsewhere', run_name: 'old-name' }]);
  const dir = savedRun({ ...c });
  const layers = await resumeLayers(dir, { max_steps: 8, device: 'cpu' });
  const r = resolveConfig(layers);
  assert.equal(r.output_dir, join(dir, '..'));
  assert.equal(r.run_name, 'moved-run');
  assert.equal(r.max_steps, 8);
  assert.equal(r.num_generations, 4);
  assert.equal(r.device, 'cpu');
});

test('a resume refuses settings its checkpoint depends on, unknown keys and folders that are not runs', async () => {
  const dir = savedRun({ ...resolveConfig([{ per_device_train_batch_size: 8 }]) });
  await assert.rejects(resumeLayers(dir, { learning_rate: 1 }), /learning_rate cannot change on resume \(the checkpoint was trained with 0\.000001\); a resume may change only output_dir, run_name, device, max_steps/);
  await assert.rejects(resumeLayers(dir, { max_stepz: 1 }), /unknown setting "max_stepz" \(did you mean "max_steps"\?\)/);
  await assert.rejects(resumeLayers(join(dir, '..')), /has no config\.json: it is not a run folder/);
  writeFileSync(join(dir, 'config.json'), '{"format": ');
  await assert.rejects(resumeLayers(dir), /cannot be read \(not valid JSON\)/);
});
