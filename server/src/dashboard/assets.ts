// Where the dashboard's browser files are: the webview bundle (dist/webview/dashboard.{js,css},
// built by scripts/build.mjs). The CLI bundle sits in dist/, the sources in server/src/dashboard/;
// both are looked up, and a missing bundle is an error that says how to build it.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DashboardAssets {
  /** Folder with dashboard.js and dashboard.css. */
  webviewDir: string;
}

export const WEBVIEW_FILES = { script: 'dashboard.js', style: 'dashboard.css' } as const;

/** Finds the assets; `webviewDir` (or UME_DASHBOARD_ASSETS) overrides the search. */
export function findDashboardAssets(webviewDir?: string): DashboardAssets {
  const candidates = [webviewDir, process.env['UME_DASHBOARD_ASSETS'], join(__dirname, 'webview'), resolve(__dirname, '..', '..', '..', 'dist', 'webview')].filter((d): d is string => !!d);
  const found = candidates.find((d) => existsSync(join(d, WEBVIEW_FILES.script)) && existsSync(join(d, WEBVIEW_FILES.style)));
  if (!found) {
    throw new Error(`the dashboard page is not built (looked for ${WEBVIEW_FILES.script} in ${candidates.join(', ')}); run \`npm run build\` first`);
  }
  return { webviewDir: found };
}
