// How the training commands open the dashboard. The dashboard panel (client/src/dashboard/, issue
// 15 item 3) is not in the tree yet: until it is, "Open Dashboard" opens the run's metrics.jsonl
// (the data the dashboard draws) and says so. When the panel lands, this function calls it with the
// run folders; nothing else in client/src/training needs to change.

import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../../../server/src/protocol/run-format';
import type { Ctx } from '../ctx';

/** Whether the real dashboard panel is built into this extension. */
export const DASHBOARD_AVAILABLE = false;

export async function showDashboard(ctx: Ctx, runDirs: readonly string[]): Promise<void> {
  if (runDirs.length === 0) return;
  const opened: string[] = [];
  for (const [i, dir] of runDirs.entries()) {
    const file = [RUN_FILES.metrics, RUN_FILES.status, RUN_FILES.config].map((f) => join(dir, f)).find((f) => existsSync(f));
    if (!file) continue;
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: runDirs.length === 1, viewColumn: i === 0 ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside });
    opened.push(file);
  }
  const what = opened.length ? `showing ${opened.length === 1 ? opened[0] : `${opened.length} runs' metrics files`}` : `${runDirs.join(', ')} has no metrics yet`;
  ctx.output.info(`Open Dashboard: the dashboard panel is not built yet; ${what}.`);
  void vscode.window.showInformationMessage(`UME: the training dashboard is not built yet; ${what} (one JSON object per logged step).`);
}
