// The panel's HTML: the shared dashboard page (server/src/dashboard/html.ts, panelHtml) with the
// webview's own resource origin in its CSP, the bundle and stylesheet through asWebviewUri from
// dist/webview (the panel's only local resource root), and a fresh nonce each time the HTML is set.

import * as vscode from 'vscode';
import { panelHtml } from '../../../server/src/dashboard/html';
import type { DashboardBoot } from '../../../server/src/protocol/dashboard';

export function dashboardWebviewHtml(webview: vscode.Webview, assetsRoot: vscode.Uri, title: string): string {
  const boot: DashboardBoot = { host: 'vscode', molecules: true, title };
  return panelHtml({
    cspSource: webview.cspSource,
    assetUrl: (file) => webview.asWebviewUri(vscode.Uri.joinPath(assetsRoot, file)).toString(),
    boot,
    title,
  });
}
