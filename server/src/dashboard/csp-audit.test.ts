// The CSP audit (csp-audit.ts) on every flavour of the dashboard page, built from the real webview
// bundle: the VS Code panel (with a webview's cspSource and asWebviewUri URLs as VS Code makes
// them), the 127.0.0.1 server's page (its header and body) and the static export. And the audit
// itself fails on each kind of bad page, so a passing page means something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { resolve, join } from 'node:path';
import { auditDashboardPage } from './csp-audit';
import { dashboardCsp, dashboardHtml, panelHtml } from './html';
import { findDashboardAssets } from './assets';
import { DashboardSource } from './source';
import { startDashboardServer } from './server';
import { exportDashboard } from './export';

const RUNS = resolve(__dirname, '../../../test/fixtures/runs');
// What VS Code 1.9x gives a webview: cspSource and a resource URL under it.
const CSP_SOURCE = 'https://*.vscode-cdn.net';
const resourceUrl = (file: string): string => `https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/${file}`;

test('the VS Code panel page passes the audit', () => {
  const html = panelHtml({ cspSource: CSP_SOURCE, assetUrl: resourceUrl, boot: { host: 'vscode', molecules: true, title: 'r <img src=x onerror=alert(1)>' }, title: 'r <img src=x onerror=alert(1)>' });
  assert.deepEqual(auditDashboardPage(html, { allowedOrigins: [CSP_SOURCE] }), []);
  // Without the webview origin allowed, its own resources count as remote: the audit sees them.
  assert.ok(auditDashboardPage(html).some((p) => /vscode-cdn\.net/.test(p)));
});

test('the 127.0.0.1 server page passes the audit (header and body)', async () => {
  const source = await DashboardSource.open([join(RUNS, 'grpo-multi')], { intervalMs: 100 });
  const server = await startDashboardServer({ source, assets: findDashboardAssets(), port: 0 });
  try {
    const { header, body } = await new Promise<{ header: string; body: string }>((done, fail) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/' }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => done({ header: String(res.headers['content-security-policy']), body: text }));
      });
      req.on('error', fail);
      req.end();
    });
    assert.deepEqual(auditDashboardPage(body, { header }), []);
    assert.deepEqual(auditDashboardPage(body), [], 'the <meta> policy too');
  } finally {
    source.stop();
    await server.close();
  }
});

test('the static export passes the audit with no origin at all', async () => {
  const source = await DashboardSource.open([join(RUNS, 'grpo-multi')]);
  const { html } = await exportDashboard({ source, assets: findDashboardAssets(), molecules: true });
  assert.deepEqual(auditDashboardPage(html), []);
});

test('the audit fails on each kind of bad page', () => {
  const nonce = 'abc123';
  const good = (csp: string, extra = ''): string =>
    dashboardHtml({ nonce, csp, boot: { host: 'browser', molecules: false, title: 't' }, title: 't', style: { text: 'body{}' }, script: { text: 'void 0' } }).replace('</body>', `${extra}</body>`);
  const strict = dashboardCsp({ nonce, origin: null });
  assert.deepEqual(auditDashboardPage(good(strict)), []);
  const cases: Array<[string, string, RegExp]> = [
    ['unsafe-eval', good(strict.replace(`script-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}' 'unsafe-eval'`)), /script-src allows 'unsafe-eval'/],
    ['unsafe-inline', good(strict.replace("style-src 'nonce-abc123'", "style-src 'unsafe-inline'")), /style-src allows 'unsafe-inline'/],
    ['remote source in the policy', good(strict.replace("connect-src 'none'", 'connect-src https://cdn.example')), /connect-src allows https:\/\/cdn\.example/],
    ['inline script without the nonce', good(strict, '<script>alert(1)</script>'), /a script without the policy's nonce/],
    ['script with another nonce', good(strict, '<script nonce="zzz">alert(1)</script>'), /a script without the policy's nonce/],
    ['remote script', good(strict, `<script nonce="${nonce}" src="https://cdn.example/x.js"></script>`), /loads from https:\/\/cdn\.example/],
    ['inline handler', good(strict, '<img src="data:," onerror="alert(1)">'), /an inline event handler/],
    ['javascript: URL', good(strict, '<a href="javascript:alert(1)">x</a>'), /a javascript: URL/],
    ['default-src not none', good(strict.replace("default-src 'none'", "default-src 'self'")), /default-src is "'self'"/],
  ];
  for (const [what, html, re] of cases) {
    const problems = auditDashboardPage(html);
    assert.ok(problems.some((p) => re.test(p)), `${what}: ${JSON.stringify(problems)}`);
  }
  assert.deepEqual(auditDashboardPage('<html><body></body></html>'), ['no Content-Security-Policy (neither a header nor a <meta http-equiv>)']);
  // Inert JSON holding markup is data, not HTML: the audit does not read it as elements.
  assert.deepEqual(auditDashboardPage(good(strict, '<script type="application/json" id="d">{"x":"<img src=x onerror=alert(1)>"}</script>')), []);
});
