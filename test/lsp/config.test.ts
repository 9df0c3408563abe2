// Settings over stdio: a bad value gives a clear warning and defaults (never a crash), overrides and
// mode changes re-check open documents, and a client without workspace/configuration still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { TestClient, fileUri } from './harness';

test('an invalid setting is reported once, in words, and defaults are used', async () => {
  const client = await TestClient.start({ settings: { detection: { mode: 'lobsterr' }, maxFileSizeMB: 'lots' } });
  try {
    const uri = fileUri('bad-config.fasta');
    client.open(uri, 'fasta', '>p\nMKTAYJAKQR\n');
    assert.deepEqual((await client.diagnosticsFor(uri)).map((d) => d.code), ['UME104']);
    await client.waitFor(() => client.messages.length > 0, 5000, 'a warning message');
    const [m] = client.messages;
    assert.equal(m!.type, 2 /* Warning */);
    assert.match(m!.message, /umeStudio\.detection\.mode: "lobsterr" is not one of "default", "lobster"; using "default"/);
    assert.match(m!.message, /umeStudio\.maxFileSizeMB: expected a number from 0\.001 to 2048, got "lots"; using 5/);
    const status = client.statuses.at(-1)!;
    assert.equal(status.health, 'warning');
    assert.match(status.message ?? '', /Invalid UME Studio settings/);

    // A second document with the same bad settings does not repeat the notification.
    const other = fileUri('bad-config-2.fasta');
    client.open(other, 'fasta', '>q\nMKTAYIAKQR\n');
    await client.diagnosticsFor(other);
    assert.equal(client.messages.length, 1);

    // Fixing the settings clears the warning state.
    await client.setSettings({});
    await client.waitFor(() => client.statuses.at(-1)?.health === 'ok', 5000, 'status back to ok');
  } finally {
    await client.stop();
  }
});

test('severity overrides and detection mode changes re-check open documents', async () => {
  const client = await TestClient.start({ settings: {} });
  try {
    const uri = fileUri('override.fasta');
    client.open(uri, 'fasta', '>p\nMKTAYJAKQR\n');
    assert.deepEqual((await client.diagnosticsFor(uri)).map((d) => [d.code, d.severity]), [['UME104', DiagnosticSeverity.Error]]);

    const publishes = () => client.publishes.filter((p) => p.uri === uri).length;
    let seen = publishes();
    await client.setSettings({ diagnostics: { severity: { UME104: 'warning' } } });
    await client.waitFor(() => publishes() > seen, 5000, 're-check after the override');
    assert.deepEqual(client.diagnostics.get(uri)!.diagnostics.map((d) => [d.code, d.severity]), [['UME104', DiagnosticSeverity.Warning]]);

    seen = publishes();
    await client.setSettings({ diagnostics: { severity: { 'invalid-residue': 'off' } } });
    await client.waitFor(() => publishes() > seen, 5000, 're-check after turning the code off');
    assert.deepEqual(client.diagnostics.get(uri)!.diagnostics, []);

    // RNA is fine by default; lobster's detector rejects it.
    const rna = fileUri('rna.txt');
    client.open(rna, 'plaintext', 'probe AUGGCUACGUAGCUAGCUAGCAUCG end\n');
    assert.deepEqual(await client.diagnosticsFor(rna), []);
    seen = client.publishes.filter((p) => p.uri === rna).length;
    await client.setSettings({ detection: { mode: 'lobster' } });
    await client.waitFor(() => client.publishes.filter((p) => p.uri === rna).length > seen, 5000, 're-check in lobster mode');
    assert.deepEqual(client.diagnostics.get(rna)!.diagnostics.map((d) => d.code), ['UME114']);

    seen = client.publishes.filter((p) => p.uri === rna).length;
    await client.setSettings({ diagnostics: { enable: false } });
    await client.waitFor(() => client.publishes.filter((p) => p.uri === rna).length > seen, 5000, 're-check with diagnostics off');
    assert.deepEqual(client.diagnostics.get(rna)!.diagnostics, []);
  } finally {
    await client.stop();
  }
});

test('a client without workspace/configuration passes settings at initialize', async () => {
  const client = await TestClient.start({ pullConfiguration: false, settings: { diagnostics: { severity: { UME104: 'hint' } } } });
  try {
    const uri = fileUri('push.fasta');
    client.open(uri, 'fasta', '>p\nMKTAYJAKQR\n');
    assert.deepEqual((await client.diagnosticsFor(uri)).map((d) => [d.code, d.severity]), [['UME104', DiagnosticSeverity.Hint]]);
  } finally {
    await client.stop();
  }
});
