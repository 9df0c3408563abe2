import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, parseSettings, SCORING_DEVICES, SCORING_MODES } from './settings';
import { PLL_MODES } from '../engine/ume/pll';
import { DEVICES } from '../engine/onnx/runtime/providers';

test('missing or null settings give the defaults without problems', () => {
  assert.deepEqual(parseSettings(undefined), { settings: DEFAULT_SETTINGS, problems: [] });
  assert.deepEqual(parseSettings(null), { settings: DEFAULT_SETTINGS, problems: [] });
  assert.deepEqual(parseSettings({}), { settings: DEFAULT_SETTINGS, problems: [] });
});

test('valid values are taken, severity names map to codes', () => {
  const { settings, problems } = parseSettings({
    detection: { mode: 'lobster' },
    diagnostics: { enable: false, severity: { UME108: 'off', 'invalid-smiles': 'warning' }, taggedTextInAllFiles: false },
    plainText: { minLength: 20 },
    maxFileSizeMB: 0.5,
    maxSequencesPerFile: 10,
    scoring: { enabled: false, modelPath: ' /models/ume.safetensors ', mode: 'sampled', temperature: 0.5, device: 'cpu' },
    rewards: { configFile: ' ~/rewards/qed.json ' },
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    detection: { mode: 'lobster' },
    diagnostics: { enable: false, severity: { UME108: 'off', UME103: 'warning' }, taggedTextInAllFiles: false },
    plainText: { minLength: 20 },
    maxFileSizeMB: 0.5,
    maxSequencesPerFile: 10,
    scoring: { enabled: false, modelPath: '/models/ume.safetensors', mode: 'sampled', temperature: 0.5, device: 'cpu' },
    rewards: { configFile: '~/rewards/qed.json' },
  });
});

test('every bad value falls back to its default with a message naming the key and the fix', () => {
  const { settings, problems } = parseSettings({
    detection: { mode: 'lobsterr' },
    diagnostics: { enable: 'yes', severity: { UME999: 'off', UME101: 'loud' } },
    plainText: { minLength: -3 },
    maxFileSizeMB: 'big',
    maxSequencesPerFile: 2.5,
  });
  assert.deepEqual(settings, { ...DEFAULT_SETTINGS, diagnostics: { ...DEFAULT_SETTINGS.diagnostics, severity: {} } });
  assert.deepEqual(
    problems.map((p) => p.key),
    [
      'umeStudio.diagnostics.severity',
      'umeStudio.diagnostics.severity.UME101',
      'umeStudio.detection.mode',
      'umeStudio.diagnostics.enable',
      'umeStudio.plainText.minLength',
      'umeStudio.maxFileSizeMB',
      'umeStudio.maxSequencesPerFile',
    ],
  );
  assert.match(problems[2]!.message, /"lobsterr" is not one of "default", "lobster"; using "default"/);
  assert.match(problems[0]!.message, /"UME999" is not a known diagnostic code/);
  assert.match(problems[4]!.message, /expected an integer from 1 to 100000, got -3; using 8/);
});

test('wrong shapes never throw', () => {
  for (const raw of [42, 'x', [], { detection: 'lobster' }, { diagnostics: { severity: 'off' } }]) {
    const { settings, problems } = parseSettings(raw);
    assert.equal(settings.detection.mode, 'default');
    assert.ok(problems.length > 0, JSON.stringify(raw));
  }
});

test('scoring settings: bad values fall back with a message; lists match the engine', () => {
  const { settings, problems } = parseSettings({ scoring: { enabled: 1, modelPath: 42, mode: 'pll', temperature: 0, device: 'tpu' } });
  assert.deepEqual(settings.scoring, DEFAULT_SETTINGS.scoring);
  assert.deepEqual(
    problems.map((p) => p.message),
    [
      'expected true or false, got 1; using true',
      'expected a string, got 42; using ""',
      '"pll" is not one of "masked", "unmasked", "sampled"; using "masked"',
      'expected a number from 0.001 to 1000, got 0; using 0.1',
      '"tpu" is not one of "auto", "cpu", "cuda", "webgpu"; using "auto"',
    ],
  );
  assert.deepEqual(SCORING_MODES, PLL_MODES);
  assert.deepEqual(SCORING_DEVICES, DEVICES);
});
