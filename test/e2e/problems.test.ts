// End-to-end in a real VS Code (code-server 4.139.1 = VS Code 1.139.1, driven by Debian's Chromium):
// install the packaged .vsix, open a FASTA file and a SMILES file from the explorer, find their
// diagnostics in the Problems panel, apply a quick fix, and keep a screenshot as an artifact.
// Prerequisites come from scripts/setup-e2e.sh; without them this test fails and says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { assertE2EPrerequisites, artifactsDir, nodeBin } from './harness/paths';
import { ensureVsix } from './harness/vsix';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { launchBrowser, type BrowserSession } from './harness/browser';
import { Workbench } from './harness/workbench';
import { expected, fastaFile, lowercaseLine, makeWorkspace, smilesFile, workbenchSettings } from './fixtures';

const log = (s: string) => process.stderr.write(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}\n`);
const t0 = Date.now();

describe('UME Studio in a real VS Code (code-server + Chromium)', { timeout: 150_000 }, () => {
  let workspace: string | undefined;
  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  let wb: Workbench;

  before(async () => {
    assertE2EPrerequisites();
    mkdirSync(artifactsDir, { recursive: true });
    rmSync(join(artifactsDir, 'e2e-logs'), { recursive: true, force: true });
    const vsix = ensureVsix(log);
    workspace = makeWorkspace();
    server = await startCodeServer({ workspace, vsix, settings: workbenchSettings });
    log(`code-server on port ${server.port}`);
    browser = await launchBrowser();
    wb = new Workbench(browser.page);
    await wb.open(server.url, fastaFile);
    log('workbench loaded');
  });

  after(async () => {
    if (browser) {
      const shot = join(artifactsDir, 'e2e-problems.png');
      await browser.page.screenshot({ path: shot }).then(() => log(`screenshot: ${shot}`), () => {});
      writeFileSync(join(artifactsDir, 'e2e-browser-console.log'), browser.consoleLog().join('\n'));
      await browser.close();
    }
    // Logs for post-mortems: code-server output, extension host and the UME Studio output channel.
    await server?.stop(join(artifactsDir, 'e2e-logs'));
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  test('the installed extension activates and its language server runs', async () => {
    await wb.openFromExplorer(fastaFile);
    // The status bar item shows a beaker once the client has started the server and it reports health.
    await wb.statusItem('umeStudio.status').locator('.codicon-beaker').waitFor({ timeout: 30_000 });
    log('extension active, server running');
  });

  test('the installed package loads its native and wasm dependencies, for linux-x64 only', () => {
    const ext = readdirSync(server?.extensionsDir ?? '').find((d) => d.startsWith('ume-studio.ume-studio-'));
    assert.ok(ext, 'the extension folder exists in the extensions dir');
    const dir = join(server?.extensionsDir ?? '', ext);
    // Same Node as the extension host; loading onnxruntime-node loads its native binding and library.
    const probe = `const ort = require('onnxruntime-node');
      require('@rdkit/rdkit')().then((r) => {
        console.log(JSON.stringify({ tensor: typeof ort.Tensor, session: typeof ort.InferenceSession.create, smiles: r.get_mol('c1ccccc1O').get_smiles() }));
      });`;
    const r = spawnSync(nodeBin, ['-e', probe], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `loading the packaged dependencies failed:\n${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), { tensor: 'function', session: 'function', smiles: 'Oc1ccccc1' });
    const napi = join(dir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    assert.deepEqual(readdirSync(napi), ['linux'], 'only linux binaries are shipped');
    assert.deepEqual(readdirSync(join(napi, 'linux')), ['x64']);
    for (const bundled of ['vscode-languageclient', 'vscode-languageserver', 'csv-parse', 'adm-zip']) {
      assert.ok(!existsSync(join(dir, 'node_modules', bundled)), `${bundled} is bundled, not shipped`);
    }
  });

  test('the Problems panel lists the bad residue and the invalid SMILES', async () => {
    await wb.openFromExplorer(smilesFile);
    const rows = await wb.waitForProblems(
      (t) => [expected.badResidue, expected.invalidSmiles].every((e) => t.some((r) => r.includes(e.code))),
      30_000,
      `${expected.badResidue.code} and ${expected.invalidSmiles.code}`,
    );
    const markers = rows.filter((r) => /^(Error|Warning|Info)/.test(r));
    const residue = markers.find((r) => r.includes(expected.badResidue.code));
    const smiles = markers.find((r) => r.includes(expected.invalidSmiles.code));
    assert.ok(residue, `no ${expected.badResidue.code} row:\n${rows.join('\n')}`);
    assert.ok(smiles, `no ${expected.invalidSmiles.code} row:\n${rows.join('\n')}`);
    assert.match(residue, /^Error/, 'an invalid residue is an error');
    assert.match(residue, /'J'/, 'the message names the offending character');
    assert.match(residue, new RegExp(`at line ${expected.badResidue.line} `));
    assert.match(smiles, /^Error/, 'an invalid SMILES is an error');
    assert.match(smiles, new RegExp(`at line ${expected.invalidSmiles.line} `));
    // Both files are listed as resources with problems.
    assert.ok(rows.some((r) => r.includes(`in file ${fastaFile}`)), `no file row for ${fastaFile}`);
    assert.ok(rows.some((r) => r.includes(`in file ${smilesFile}`)), `no file row for ${smilesFile}`);
    await wb.page.screenshot({ path: join(artifactsDir, 'e2e-problems-before-fix.png') });
    log('both diagnostics shown');
  });

  test('a quick fix rewrites the sequence and its diagnostic disappears', async () => {
    await wb.openFromExplorer(fastaFile);
    await wb.waitForProblems((t) => t.some((r) => r.includes(expected.lowercase.code)), 20_000, expected.lowercase.code);
    const title = await wb.applyQuickFixOnLine(lowercaseLine.slice(0, 20), expected.lowercase.fix);
    log(`applied quick fix "${title}"`);
    await wb.waitForProblems(
      (t) => !t.some((r) => r.includes(expected.lowercase.code)) && t.some((r) => r.includes(expected.badResidue.code)),
      20_000,
      `${expected.lowercase.code} gone while ${expected.badResidue.code} stays`,
    );
    assert.ok((await wb.editorText()).includes(lowercaseLine.toUpperCase()), 'the editor holds the uppercased protein');
    await wb.save();
    const onDisk = readFileSync(join(workspace ?? '', fastaFile), 'utf8');
    assert.ok(onDisk.includes(lowercaseLine.toUpperCase()), `saved file not fixed:\n${onDisk}`);
    assert.ok(!onDisk.includes(lowercaseLine), 'the lowercase line is gone from the saved file');
  });
});
