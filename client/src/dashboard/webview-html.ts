// The panel's HTML: the shared dashboard page (server/src/dashboard/html.ts) with the webview's own
// resource origin in its CSP, the bundle and stylesheet through asWebviewUri from dist/webview
// (the panel's only local resource root), and a fresh nonce each time the HTML is set.

import * as vscode from 'vscode';
import { dashboardCsp, dashboardHtml, newNonce } from '../../../server/src/dashboard/html';
import { WEBVIEW_FILES } from '../../../server/src/dashboard/assets';
import type { DashboardBoot } from '../../../server/src/protocol/dashboard';

export function dashboardWebviewHtml(webview: vscode.Webview, assetsRoot: vscode.Uri, title: string): string {
  const nonce = newNonce();
  const asset = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(assetsRoot, file)).toString();
  const boot: DashboardBoot = { host: 'vscode', molecules: true, title };
  return dashboardHtml({
    nonce,
    csp: dashboardCsp({ nonce, origin: webview.cspSource }),
    boot,
    title,
    style: { href: asset(WEBVIEW_FILES.style) },
    script: { src: asset(WEBVIEW_FILES.script) },
  });
}
