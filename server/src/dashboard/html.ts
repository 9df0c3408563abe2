// The dashboard page's HTML, shared by the 127.0.0.1 server, the static export and the VS Code panel
// (client/src/dashboard/): a strict Content-Security-Policy (nothing remote; scripts and styles by
// nonce or from the host's own origin; no eval, no wasm: molecules are drawn by the host), the
// boot settings as inert JSON, and the bundle. Every value that is not ours goes through
// jsonForScript/escapeAttr, never into markup as is.

import { randomBytes } from 'node:crypto';
import type { DashboardBoot } from '../protocol/dashboard';
import { WEBVIEW_FILES } from './assets';

export const newNonce = (): string => randomBytes(18).toString('base64url');

/**
 * JSON that is safe inside <script type="application/json">: every "<" that could begin "</script",
 * "<!--" or "<script" (any "<" before "/", "!" or "s") is written \u003c, as are U+2028/9. Other "<"
 * (most of an SVG drawing's) stay as they are: inside a script element they are only text.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/<(?=[/!sS])/g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface CspSources {
  nonce: string;
  /** Where scripts, styles, images and fetches may come from besides the nonce ('self', or a webview's cspSource); null: nowhere. */
  origin: string | null;
}

export function dashboardCsp({ nonce, origin }: CspSources): string {
  const o = origin ? ` ${origin}` : '';
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'${o}`,
    `img-src data: blob:${o}`,
    `font-src${o || " 'none'"}`,
    `connect-src${o || " 'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "object-src 'none'",
  ].join('; ');
}

export interface PageParts {
  nonce: string;
  csp: string;
  boot: DashboardBoot;
  title: string;
  /** <link> href of the stylesheet, or its text inlined. */
  style: { href: string } | { text: string };
  /** <script src> of the bundle, or its text inlined. */
  script: { src: string } | { text: string };
  /** Inert JSON/text blocks (static export: data, wasm) by element id. */
  blocks?: Array<{ id: string; type: 'application/json' | 'text/plain'; text: string }>;
  bodyClass?: string;
}

/** Inline text must not close its own element nor open an HTML comment ("\\/" and "\\!" read as "/" and "!" in JS strings and regexes). */
export function inlineSafe(text: string, tag: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function dashboardHtml(p: PageParts): string {
  const n = escapeAttr(p.nonce);
  const style = 'href' in p.style ? `<link rel="stylesheet" nonce="${n}" href="${escapeAttr(p.style.href)}">` : `<style nonce="${n}">${inlineSafe(p.style.text, 'style')}</style>`;
  const script = 'src' in p.script ? `<script nonce="${n}" src="${escapeAttr(p.script.src)}"></script>` : `<script nonce="${n}">${inlineSafe(p.script.text, 'script')}</script>`;
  const blocks = (p.blocks ?? []).map((b) => `<script type="${b.type}" id="${escapeAttr(b.id)}">${b.type === 'application/json' ? b.text : inlineSafe(b.text, 'script')}</script>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(p.csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeAttr(p.title)}</title>`,
    style,
    '</head>',
    `<body class="${escapeAttr(p.bodyClass ?? '')}">`,
    '<div id="app" role="main"><p class="boot-note">Loading the dashboard…</p></div>',
    '<noscript>The dashboard needs JavaScript.</noscript>',
    `<script type="application/json" id="ume-boot">${jsonForScript(p.boot)}</script>`,
    ...blocks,
    script,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * The VS Code panel's page: the webview's resource origin (`cspSource`) in the policy, the bundle
 * and stylesheet at the URLs `assetUrl` gives (asWebviewUri), and a fresh nonce. Apart from the
 * panel (client/src/dashboard/webview-html.ts) so the CSP audit test can check the same page.
 */
export function panelHtml(o: { cspSource: string; assetUrl: (file: string) => string; boot: DashboardBoot; title: string; nonce?: string }): string {
  const nonce = o.nonce ?? newNonce();
  return dashboardHtml({
    nonce,
    csp: dashboardCsp({ nonce, origin: o.cspSource }),
    boot: o.boot,
    title: o.title,
    style: { href: o.assetUrl(WEBVIEW_FILES.style) },
    script: { src: o.assetUrl(WEBVIEW_FILES.script) },
  });
}
