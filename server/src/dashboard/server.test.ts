// The 127.0.0.1 dashboard server over real HTTP: Host and Origin checks, CSP and security headers,
// the fixed file list, the event stream (init, then only new rows), requests for completions and
// molecule drawings (real RDKit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DashboardSource } from './source';
import { startDashboardServer } from './server';
import type { DashboardStreamEvent, HostMessage } from '../protocol/dashboard';
import { RunData } from '../../../webview/src/state/run-data';

const FIXTURE = resolve(__dirname, '../../../test/fixtures/runs/grpo-live');

function assets(): { webviewDir: string } {
  const d = mkdtempSync(join(tmpdir(), 'ume-dash-assets-'));
  writeFileSync(join(d, 'dashboard.js'), 'console.log(1)');
  writeFileSync(join(d, 'dashboard.css'), 'body{}');
  return { webviewDir: d };
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((res, rej) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: text }));
    });
    req.on('error', rej);
    if (body) req.write(body);
    req.end();
  });
}

async function withServer(fn: (port: number, dir: string, source: DashboardSource) => Promise<void>): Promise<void> {
  const dir = join(mkdtempSync(join(tmpdir(), 'ume-dash-srv-')), 'grpo-live');
  cpSync(FIXTURE, dir, { recursive: true });
  const source = await DashboardSource.open([dir], { intervalMs: 100 });
  source.follow();
  const server = await startDashboardServer({ source, assets: assets(), port: 0 });
  try {
    await fn(server.port, dir, source);
  } finally {
    source.stop();
    await server.close();
  }
}

test('refuses other Host headers and cross-site API calls; serves only its fixed files', async () => {
  await withServer(async (port) => {
    const page = await get(port, '/');
    assert.equal(page.status, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9_-]+'(;|$)/, 'scripts by nonce only: no eval, no wasm, no host');
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|https?:/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(page.body, /<script type="application\/json" id="ume-boot">/);
    const nonce = /nonce-([A-Za-z0-9_-]+)/.exec(csp)![1]!;
    assert.ok(page.body.includes(`nonce="${nonce}"`), 'the page carries the header’s nonce');
    assert.equal((await get(port, '/', { host: `localhost:${port}` })).status, 200);
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${port + 1}`, `127.0.0.1.evil.example:${port}`]) assert.equal((await get(port, '/', { host })).status, 421, host);
    assert.equal((await get(port, '/api/events', { origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(port, '/api/request', { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, 'POST', '{}')).status, 403);
    assert.equal((await get(port, '/assets/dashboard.js')).body, 'console.log(1)');
    for (const p of ['/assets/../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/etc/passwd', '/assets/dashboard.js.map']) assert.equal((await get(port, p)).status, 404, p);
    assert.equal((await get(port, '/', {}, 'DELETE')).status, 405);
  });
});

test('the event stream sends init, then only the new row after an append', async () => {
  await withServer(async (port, dir) => {
    const messages: HostMessage[] = [];
    const bytes: number[] = [];
    let wait: (() => void) | null = null;
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/events', headers: { host: `127.0.0.1:${port}` } }, (r) => {
      let buf = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!ev.startsWith('data: ')) continue;
          bytes.push(Buffer.byteLength(ev) + 2);
          messages.push(JSON.parse(ev.slice(6)) as HostMessage);
          wait?.();
        }
      });
    });
    req.end();
    const next = (n: number) => new Promise<void>((res) => (wait = () => messages.length >= n && res()));
    await next(1);
    // The stream links to its init; the page fetches it, once.
    const first = messages[0] as DashboardStreamEvent;
    assert.ok(first.type === 'initAt' && first.url.startsWith('/api/init/'), JSON.stringify(first));
    const fetched = await get(port, first.url);
    assert.equal(fetched.status, 200);
    assert.equal((await get(port, first.url)).status, 404, 'an init is fetched once');
    assert.equal((await get(port, first.url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status, 404, 'another token is not an init');
    const init = JSON.parse(fetched.body) as HostMessage;
    assert.equal(init.type, 'init');
    if (init.type !== 'init') return;
    // Sent packed as typed columns (metrics-pack.ts); the page's decoder gives back the 120 rows.
    assert.equal(init.runs[0]!.metrics.packed?.length, 120);
    const held = RunData.from(init.runs[0]!);
    assert.equal(held.length, 120);
    assert.deepEqual(held.column('step'), Array.from({ length: 120 }, (_, i) => i + 1));
    assert.equal(init.runs[0]!.completionSteps.length, 120);
    const keys = init.runs[0]!.metrics.keys;
    const row = { ...Object.fromEntries(keys.map((k) => [k, 0])), step: 121, wall_time: Date.now(), reward: 1.5 };
    delete (row as Record<string, unknown>)['train/reward_histogram'];
    appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(row) + '\n');
    mkdirSync(join(dir, 'completions'), { recursive: true });
    writeFileSync(join(dir, 'completions', 'step_121.jsonl'), JSON.stringify({ step: 121, index: 0, group: 0, prompt: 'p', completion: '<smiles>CCO</smiles>', modality: 'SMILES', reward: 1, rewards: {}, advantage: 0, length: 3, truncated: false, valid: true }) + '\n');
    await next(2);
    const up = messages.find((m) => m.type === 'update' && m.metrics);
    assert.ok(up && up.type === 'update');
    assert.deepEqual(up.metrics!.keys, [], 'no new key names are sent');
    assert.equal(up.metrics!.rows.length, 1);
    assert.equal(up.metrics!.rows[0]![keys.indexOf('step')], 121);
    const all = messages.filter((m) => m.type === 'update').flatMap((m) => (m.type === 'update' ? (m.completionSteps ?? []) : []));
    if (!all.includes(121)) await next(3);
    assert.ok(messages.some((m) => m.type === 'update' && m.completionSteps?.includes(121)));
    assert.ok(bytes[1]! < 4000, `an update of one row is ${bytes[1]} bytes`);
    req.destroy();
  });
});

test('requests answer completions, generation logs and molecule drawings; bad requests say why', async () => {
  await withServer(async (port) => {
    const ask = async (body: unknown) => {
      const r = await get(port, '/api/request', { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` }, 'POST', JSON.stringify(body));
      return { status: r.status, ...(JSON.parse(r.body) as { result?: unknown; error?: string }) };
    };
    const c = await ask({ kind: 'completions', runId: 'grpo-live', step: 120 });
    assert.equal(c.status, 200);
    const rows = (c.result as { rows: Array<{ completion: string }> }).rows;
    assert.equal(rows.length, 12);
    assert.ok(rows.some((r) => r.completion.includes('<img src=x onerror=alert(1)>')), 'the fixture carries the HTML payload');
    const m = await ask({ kind: 'molecules', runId: 'grpo-live', smiles: ['c1ccccc1O', 'C1CC(', 'x'.repeat(5000)] });
    const drawn = m.result as Record<string, string | null>;
    assert.match(drawn['c1ccccc1O']!, /^<svg[\s\S]*<\/svg>$/);
    assert.doesNotMatch(drawn['c1ccccc1O']!, /<script/i);
    assert.equal(drawn['C1CC('], null);
    assert.equal(drawn['x'.repeat(5000)], null);
    assert.equal((await ask({ kind: 'generationLog', runId: 'grpo-live', step: 100 })).status, 200);
    assert.match((await ask({ kind: 'completions', runId: 'nope', step: 1 })).error!, /no run "nope"/);
    assert.match((await ask({ kind: 'completions', runId: 'grpo-live', step: -1 })).error!, /non-negative integer/);
    assert.match((await ask({ kind: 'rm -rf' })).error!, /kind must be/);
    assert.match((await ask({ kind: 'molecules', runId: 'grpo-live', smiles: new Array(501).fill('C') })).error!, /up to 500/);
  });
});
