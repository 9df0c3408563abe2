// Reward configs in the editor over stdio: `ume/scoreWithRewardConfig` (the command "UME: Score
// Document with Reward Config") and the hover's reward section (umeStudio.rewards.configFile).
// Records equal what `ume-studio reward --json` prints for the same file and config; QED values are
// checked against Python RDKit's QED; the diversity filter sees the document in order; the hover's
// section does not depend on what was hovered before; untrusted workspaces and bad configs are refused
// with a message that says what to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HoverRequest, type Hover, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { main } from '../../server/src/cli/main';
import type { RewardRecordReport, RewardScoreParams, RewardScoreResult } from '../../server/src/protocol/reward-config';
import { TestClient } from './harness';
import { writeRandomModel } from './scoring-model';

const SMI = ['CC(=O)Oc1ccccc1C(=O)O aspirin', 'c1ccccc1O phenol', 'c1ccccc1N aniline', 'C1CC broken', 'CCO ethanol', 'O=C1CCCCC1 cyclohexanone'].join('\n') + '\n';
const SMILES = ['CC(=O)Oc1ccccc1C(=O)O', 'c1ccccc1O', 'c1ccccc1N', 'CCO', 'O=C1CCCCC1'];

let dir: string;
let client: TestClient;
let modelPath: string;
let smiPath: string;
let configPath: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsp-reward-'));
  smiPath = join(dir, 'mols.smi');
  writeFileSync(smiPath, SMI);
  configPath = join(dir, 'reward.json');
  // bucket_size 1: a benzene-scaffold molecule after the first one is filtered out (REINVENT's rule).
  writeFileSync(
    configPath,
    JSON.stringify({
      aggregation: 'arithmetic_mean',
      components: [
        { name: 'qed', type: 'qed', weight: 2 },
        { name: 'valid', type: 'validity', weight: 1 },
        { name: 'diversity', type: 'diversity_filter', params: { filter: 'IdenticalMurckoScaffold', bucket_size: 1, minscore: 0 } },
      ],
    }),
  );
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ components: [{ name: 'q', type: 'qed', wieght: 2 }] }));
  modelPath = await writeRandomModel('reward-hover-model');
  client = await TestClient.start({ settings: { scoring: { modelPath, device: 'cpu' } } });
});
after(async () => {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
});

const uri = (): string => pathToFileURL(smiPath).href;
const request = (p: RewardScoreParams): Promise<RewardScoreResult> => client.connection.sendRequest('ume/scoreWithRewardConfig', p);

async function cliJson(config: string, file: string): Promise<RewardRecordReport[]> {
  const out: string[] = [];
  await main(['reward', '--config', config, file, '--json'], { out: (t) => out.push(t), err: () => undefined });
  return out.join('\n').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RewardRecordReport);
}

/** QED from Python RDKit (Debian python3-rdkit), the independent reference. */
function pythonQed(smiles: readonly string[]): number[] {
  const py = 'import sys,json\nfrom rdkit import Chem\nfrom rdkit.Chem import QED\nprint(json.dumps([QED.qed(Chem.MolFromSmiles(s)) for s in json.load(sys.stdin)]))';
  const r = spawnSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(smiles), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as number[];
}

function hoverText(h: Hover | null): string {
  assert.ok(h, 'expected a hover');
  return (h.contents as MarkupContent).value;
}

const hover = (line: number): Promise<Hover | null> => client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uri() }, position: { line, character: 2 } });

test('untrusted: the request is refused before anything is read, and the hover section says why', async () => {
  await assert.rejects(request({ uri: uri(), config: configPath, trusted: false }), /untrusted workspace.*Trust the workspace/s);
  client.open(uri(), 'smiles', SMI);
  await client.setSettings({ scoring: { modelPath, device: 'cpu' }, rewards: { configFile: configPath } });
  const md = hoverText(await hover(0));
  assert.match(md, /^\*\*UME\*\*/, 'the UME part is still there');
  assert.match(md, /\*\*Reward\*\* · reward\.json: not applied: this workspace is not trusted/);
  assert.doesNotMatch(md, /total:/);
});

test('ume/scoreWithRewardConfig: every sequence in document order, equal to `ume-studio reward --json`, QED as Python RDKit computes it', async () => {
  await client.connection.sendNotification('ume/workspaceTrust', { trusted: true });
  const r = await request({ uri: uri(), config: configPath, trusted: true });
  assert.equal(r.uri, uri());
  assert.equal(r.version, 1, 'the open document was scored');
  assert.equal(r.aggregation, 'arithmetic_mean');
  assert.deepEqual(r.components, ['qed', 'valid', 'diversity']);
  assert.deepEqual(r.records.map((x) => x.sequence), ['CC(=O)Oc1ccccc1C(=O)O', 'c1ccccc1O', 'c1ccccc1N', 'C1CC', 'CCO', 'O=C1CCCCC1']);
  assert.deepEqual(r.records.map((x) => x.range.start.line), [0, 1, 2, 3, 4, 5]);

  const cli = await cliJson(configPath, smiPath);
  assert.equal(cli.length, r.records.length);
  r.records.forEach((rec, i) => {
    const { range: _range, id: _id, ...mine } = rec;
    const { id: _cliId, ...theirs } = cli[i]!;
    assert.deepEqual(mine, theirs, `record ${i} differs from the CLI's`);
  });

  const valid = r.records.filter((x) => x.components.qed!.value !== null);
  const ref = pythonQed(SMILES);
  valid.forEach((x, i) => assert.ok(Math.abs(x.components.qed!.raw! - ref[i]!) < 1e-3, `${x.sequence}: QED ${x.components.qed!.raw} vs RDKit ${ref[i]}`));

  // The filter sees the document in order: aspirin takes the benzene bucket, phenol and aniline score 0.
  const byText = new Map(r.records.map((x) => [x.sequence, x]));
  const mean = (x: RewardRecordReport) => (2 * x.components.qed!.value! + x.components.valid!.value!) / 3;
  const aspirin = byText.get('CC(=O)Oc1ccccc1C(=O)O')!;
  assert.equal(aspirin.components.diversity!.value, 1);
  assert.ok(Math.abs(aspirin.total! - mean(aspirin)) < 1e-12);
  for (const s of ['c1ccccc1O', 'c1ccccc1N']) {
    const x = byText.get(s)!;
    assert.equal(x.components.diversity!.value, 0, `${s} should be filtered (same scaffold as aspirin)`);
    assert.equal(x.total, 0);
    assert.match(x.components.diversity!.error ?? '', /bucket .* is full/);
  }
  const broken = byText.get('C1CC')!;
  assert.equal(broken.components.qed!.value, null);
  assert.match(broken.components.qed!.error!, /could not parse/);
  assert.equal(broken.components.valid!.value, 0);
  assert.equal(byText.get('CCO')!.components.diversity!.value, 1, 'an acyclic molecule has its own (empty) scaffold bucket');
});

test('hover: a reward section with the total and each component, the same on every hover (the filter memory is emptied first)', async () => {
  // Phenol is filtered when scored after aspirin; hovered on its own it keeps its score, every time.
  const first = hoverText(await hover(1));
  await hover(0);
  const again = hoverText(await hover(1));
  const section = (md: string) => md.split('\n---\n')[1] ?? '';
  assert.match(first, /^\*\*UME\*\* · SMILES/);
  assert.match(section(first), /\*\*Reward\*\* · reward\.json \(arithmetic_mean\) · total: \*\*0\.\d{3}\*\*/);
  assert.match(section(first), /- diversity: 1\.000/);
  assert.equal(section(again), section(first));
  const total = Number(/total: \*\*([\d.]+)\*\*/.exec(first)![1]);
  const qed = pythonQed(['c1ccccc1O'])[0]!;
  assert.ok(Math.abs(total - (2 * qed + 1) / 3) < 2e-3, `hover total ${total} vs (2*QED+1)/3 from Python RDKit ${(2 * qed + 1) / 3}`);
  // The invalid SMILES: a null component is written "null" with its reason, never as 0.
  const broken = section(hoverText(await hover(3)));
  assert.match(broken, /- qed: null \(.*could not parse/);
});

test('bad configs: a missing file and a misspelt key are said in the hover and the request names the nearest key', async () => {
  await client.setSettings({ scoring: { modelPath, device: 'cpu' }, rewards: { configFile: join(dir, 'missing.json') } });
  assert.match(hoverText(await hover(0)), /\*\*Reward\*\* · missing\.json: cannot score with umeStudio\.rewards\.configFile = .*no such file/);
  await client.setSettings({ scoring: { modelPath, device: 'cpu' }, rewards: { configFile: join(dir, 'bad.json') } });
  assert.match(hoverText(await hover(0)), /\*\*Reward\*\* · bad\.json: cannot score.*wieght.*weight/s);
  await assert.rejects(request({ uri: uri(), config: join(dir, 'bad.json'), trusted: true }), /wieght.*weight/s);
  await assert.rejects(client.connection.sendRequest('ume/scoreWithRewardConfig', { uri: uri() }), /needs \{ "uri": string, "config": string/);
  // The UME part of the hover is unaffected by a bad reward config.
  await client.setSettings({ scoring: { modelPath, device: 'cpu' } });
  assert.doesNotMatch(hoverText(await hover(0)), /\*\*Reward\*\*/);
});
