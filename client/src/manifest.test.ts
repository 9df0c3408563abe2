// package.json's `contributes` must match the code: commands, settings defaults, diagnostic codes,
// languages and grammars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandId } from './command-ids';
import { DEFAULT_SETTINGS } from '../../server/src/protocol/settings';
import { DIAGNOSTIC_CODES } from '../../server/src/engine/seq/index';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('every registered command is contributed with a UME title, and nothing else', () => {
  const contributed = (pkg.contributes.commands as Array<{ command: string; category: string }>).filter((c) =>
    c.command.startsWith('umeStudio.') && Object.values(CommandId).includes(c.command as CommandId),
  );
  assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(CommandId).sort());
  for (const c of contributed) assert.equal(c.category, 'UME');
});

test('settings defaults in the manifest equal DEFAULT_SETTINGS', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; description?: string; markdownDescription?: string }>;
  const flat: Record<string, unknown> = {
    'umeStudio.detection.mode': DEFAULT_SETTINGS.detection.mode,
    'umeStudio.diagnostics.enable': DEFAULT_SETTINGS.diagnostics.enable,
    'umeStudio.diagnostics.severity': DEFAULT_SETTINGS.diagnostics.severity,
    'umeStudio.diagnostics.taggedTextInAllFiles': DEFAULT_SETTINGS.diagnostics.taggedTextInAllFiles,
    'umeStudio.plainText.minLength': DEFAULT_SETTINGS.plainText.minLength,
    'umeStudio.maxFileSizeMB': DEFAULT_SETTINGS.maxFileSizeMB,
    'umeStudio.maxSequencesPerFile': DEFAULT_SETTINGS.maxSequencesPerFile,
    'umeStudio.scoring.enabled': DEFAULT_SETTINGS.scoring.enabled,
    'umeStudio.scoring.modelPath': DEFAULT_SETTINGS.scoring.modelPath,
    'umeStudio.scoring.mode': DEFAULT_SETTINGS.scoring.mode,
    'umeStudio.scoring.temperature': DEFAULT_SETTINGS.scoring.temperature,
    'umeStudio.scoring.device': DEFAULT_SETTINGS.scoring.device,
    'umeStudio.rewards.configFile': DEFAULT_SETTINGS.rewards.configFile,
  };
  for (const [key, value] of Object.entries(flat)) {
    assert.ok(props[key], `${key} missing from contributes.configuration`);
    assert.deepEqual(props[key]!.default, value, key);
  }
  for (const [key, p] of Object.entries(props)) assert.ok(p.description ?? p.markdownDescription, `${key} has no description`);
});

test('the severity setting offers every diagnostic code', () => {
  const severity = pkg.contributes.configuration.properties['umeStudio.diagnostics.severity'];
  assert.deepEqual(Object.keys(severity.properties), DIAGNOSTIC_CODES.map((c) => c.code));
});

test('languages, grammars and language configurations exist and parse', () => {
  const langs = pkg.contributes.languages as Array<{ id: string; extensions: string[]; configuration?: string }>;
  const fasta = langs.find((l) => l.id === 'fasta');
  assert.deepEqual(fasta?.extensions, ['.fa', '.fasta', '.faa', '.fna', '.ffn', '.fas']);
  assert.deepEqual(langs.find((l) => l.id === 'smiles')?.extensions, ['.smi', '.smiles']);
  for (const l of langs) if (l.configuration) JSON.parse(readFileSync(join(root, l.configuration), 'utf8'));
  for (const g of pkg.contributes.grammars as Array<{ path: string; scopeName: string }>) {
    assert.ok(existsSync(join(root, g.path)), g.path);
    assert.equal(JSON.parse(readFileSync(join(root, g.path), 'utf8')).scopeName, g.scopeName);
  }
  assert.deepEqual(pkg.engines.vscode, '^1.91.0');
});
