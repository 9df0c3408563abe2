// The umeStudio.training.* settings mirror the training config keys, package.json is what
// scripts/gen-training-settings.ts generates, and reading the settings back gives the layer the
// trainer expects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS, resolveConfig, type ConfigKey } from '../../../server/src/engine/training/config';
import { renderManifest } from '../../../scripts/gen-training-settings';
import { OUTPUT_DIR_DEFAULT, TRAINING_SETTINGS, expandPathVariables, settingName, settingsLayer, trainingSettingsSchema } from './settings-schema';

const root = join(__dirname, '..', '..', '..');
const text = readFileSync(join(root, 'package.json'), 'utf8');
const pkg = JSON.parse(text);

test('package.json holds the generated training settings (fix: node --import tsx scripts/gen-training-settings.ts)', () => {
  assert.equal(renderManifest(text), text);
});

test('every config key but run_name has a setting with its default, and nothing else is under umeStudio.training', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; markdownDescription: string; scope: string }>;
  const ids = Object.keys(props).filter((k) => k.startsWith('umeStudio.training.'));
  assert.deepEqual(ids.sort(), TRAINING_SETTINGS.map((s) => s.id).sort());
  assert.deepEqual(TRAINING_SETTINGS.map((s) => s.key).sort(), (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter((k) => k !== 'run_name').sort());
  for (const s of TRAINING_SETTINGS) {
    const p = props[s.id]!;
    assert.deepEqual(p.default, s.key === 'output_dir' ? OUTPUT_DIR_DEFAULT : CONFIG_KEYS[s.key].default, s.id);
    assert.ok(p.markdownDescription.includes(CONFIG_KEYS[s.key].doc), `${s.id} carries the key's documentation`);
    assert.equal(p.scope, 'resource');
  }
  assert.equal(settingName('per_device_train_batch_size'), 'perDeviceTrainBatchSize');
  assert.equal(settingName('adam_beta1'), 'adamBeta1');
});

test('the schema types accept each default and carry the checks (enum, integer, bounds, null)', () => {
  const s = trainingSettingsSchema();
  assert.deepEqual(s['umeStudio.training.lossType']!['enum'], ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo']);
  assert.equal(s['umeStudio.training.numGenerations']!['type'], 'integer');
  assert.equal(s['umeStudio.training.numGenerations']!['minimum'], 2);
  assert.deepEqual(s['umeStudio.training.maxSamples']!['type'], ['integer', 'null']);
  assert.equal(s['umeStudio.training.temperature']!['exclusiveMinimum'], 0);
  assert.equal(s['umeStudio.training.topP']!['maximum'], 1);
  for (const [id, p] of Object.entries(s)) {
    const types = ([] as string[]).concat(p['type'] as string | string[]);
    const d = p['default'];
    const kind = d === null ? 'null' : Array.isArray(d) ? 'array' : Number.isInteger(d) && types.includes('integer') ? 'integer' : typeof d;
    assert.ok(types.includes(kind), `${id}: default ${JSON.stringify(d)} is not of type ${types}`);
  }
});

test('Restricted Mode is "limited" and restricts every training setting', () => {
  const u = pkg.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.match(u.description, /does not train/);
  for (const s of TRAINING_SETTINGS) assert.ok(u.restrictedConfigurations.includes(s.id), s.id);
});

test('the settings layer holds only what the user set, folder over workspace over user, with TRL names', () => {
  const values: Record<string, { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown }> = {
    learningRate: { globalValue: 1e-4 },
    maxSteps: { globalValue: 100, workspaceValue: 20 },
    numGenerations: { globalValue: 8, workspaceValue: 4, workspaceFolderValue: 2 },
    beta: {},
  };
  const layer = settingsLayer((name) => values[name]);
  assert.deepEqual(layer, { learning_rate: 1e-4, max_steps: 20, num_generations: 2 });
  // What the trainer makes of it, over defaults.
  const c = resolveConfig([{ ...layer, per_device_train_batch_size: 4 }]);
  assert.equal(c.num_generations, 2);
  assert.equal(c.beta, 0);
});

test('${workspaceFolder}, ${userHome} and ~ in path settings', () => {
  assert.equal(expandPathVariables('${workspaceFolder}/runs', '/ws', '/home/u'), '/ws/runs');
  assert.equal(expandPathVariables('~/runs', '/ws', '/home/u'), '/home/u/runs');
  assert.equal(expandPathVariables('${userHome}/x', null, '/home/u'), '/home/u/x');
  assert.equal(expandPathVariables('${workspaceFolder}/runs', null, '/home/u'), '${workspaceFolder}/runs', 'left for the caller to refuse');
  assert.equal(expandPathVariables('runs', '/ws', '/home/u'), 'runs');
});
