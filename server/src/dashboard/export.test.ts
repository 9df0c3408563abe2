// The static report: self-contained (no URL to load anything from), data inlined as inert JSON
// with HTML in it escaped, molecules drawn, and the column-keyed metrics decode to the file's rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DashboardSource } from './source';
import { exportDashboard } from './export';
import { jsonForScript } from './html';
import { MetricsEncoder, decodeBatches } from './metrics-encoder';
import type { StaticDashboardData } from '../protocol/dashboard';

const RUNS = resolve(__dirname, '../../../test/fixtures/runs');

function assets(): { webviewDir: string } {
  const d = mkdtempSync(join(tmpdir(), 'ume-dash-assets-'));
  writeFileSync(join(d, 'dashboard.js'), 'var s = "</script><script>alert(1)</script>";');
  writeFileSync(join(d, 'dashboard.css'), 'body{}</style><script>alert(2)</script>');
  return { webviewDir: d };
}

test('an exported report inlines everything, loads nothing and escapes the HTML in the data', async () => {
  const source = await DashboardSource.open([join(RUNS, 'grpo-multi')]);
  const r = await exportDashboard({ source, assets: assets(), molecules: true });
  const html = r.html;
  const markup = html.replace(/<script type="application\/json" id="ume-data">[\s\S]*?<\/script>/, '');
  assert.doesNotMatch(markup, /<[a-z]+[^>]*\s(src|href)=/i, 'no element loads a file');
  assert.doesNotMatch(markup.replace(/http:\/\/www\.w3\.org\/[\w/]+/g, ''), /https?:\/\//i, 'no URL (besides XML namespaces)');
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src 'none'/);
  assert.doesNotMatch(csp, /unsafe|self/);
  // Inlined script and style cannot close their element early.
  assert.ok(html.includes('<script nonce="') && html.includes('var s = "<\\/script><script>alert(1)<\\/script>";</script>'));
  assert.ok(html.includes('body{}<\\/style><script>alert(2)</script></style>'));
  assert.ok(!markup.includes('<img src=x onerror'), 'the payload never appears as markup (in the data it is script text)');
  const json = /<script type="application\/json" id="ume-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const data = JSON.parse(json) as StaticDashboardData;
  const run = data.init.runs[0]!;
  assert.equal(run.metrics.rows.length, 200);
  assert.equal(Object.keys(data.completions['grpo-multi']!).length, 200);
  assert.ok(JSON.stringify(data.completions['grpo-multi']![37]).includes('<img src=x onerror=alert(1)>'), 'decoded, the payload is there as text');
  assert.equal(Object.keys(data.generationLogs['grpo-multi']!).length, 4);
  assert.ok(r.drawn > 100, `${r.drawn} molecules drawn`);
  assert.ok(Object.values(data.molecules['grpo-multi']!).some((s) => s?.startsWith('<svg')));
  const rows = decodeBatches([run.metrics]);
  const file = readFileSync(join(RUNS, 'grpo-multi', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(rows, file, 'column-keyed metrics decode to the rows of metrics.jsonl');
  const bare = await exportDashboard({ source, assets: assets(), molecules: false });
  assert.equal(bare.drawn, 0);
  assert.ok(bare.bytes.total < r.bytes.total);
});

test('jsonForScript leaves nothing that ends a script or starts a comment', () => {
  const v = { a: '</script><!-- <SCRIPT> \u2028 & > <path d="M 1,2"/> </svg>' };
  const s = jsonForScript(v);
  assert.doesNotMatch(s, /<[/!sS]|\u2028/);
  assert.ok(s.includes('<path'), 'harmless < are kept');
  assert.deepEqual(JSON.parse(s), v);
});

test('the encoder sends key names once, trims trailing nulls and turns non-finite numbers into null', () => {
  const e = new MetricsEncoder();
  const a = e.encode([{ step: 1, loss: NaN, reward: 2 } as never]);
  assert.deepEqual(a, { keys: ['step', 'loss', 'reward'], rows: [[1, null, 2]] });
  const b = e.encode([{ step: 2, kl: 0.1 } as never, { step: 3, loss: 1 } as never]);
  assert.deepEqual(b, { keys: ['kl'], rows: [[2, null, null, 0.1], [3, 1]] });
  assert.deepEqual(decodeBatches([a, b]), [{ step: 1, reward: 2 }, { step: 2, kl: 0.1 }, { step: 3, loss: 1 }]);
});
