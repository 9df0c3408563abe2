import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, parseSettings } from './settings';

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
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    detection: { mode: 'lobster' },
    diagnostics: { enable: false, severity: { UME108: 'off', UME103: 'warning' }, taggedTextInAllFiles: false },
    plainText: { minLength: 20 },
    maxFileSizeMB: 0.5,
    maxSequencesPerFile: 10,
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
