// Extension entry (dist/client.js): a thin client. It starts the language server, registers the
// commands and the dashboard panel, and leaves every sequence decision to the server.

import type * as vscode from 'vscode';
import { Ctx } from './ctx';
import { registerCommands } from './commands';
import { registerWorkspaceTrust } from './reward-score';
import { registerTraining } from './training/index';
import { dashboardPanelStatus, registerDashboard, type DashboardPanelStatus } from './dashboard/index';

let ctx: Ctx | undefined;

/** What the extension exports: read-only facts the extension-host tests check. */
export interface UmeStudioApi {
  dashboardStatus(): DashboardPanelStatus;
}

export async function activate(context: vscode.ExtensionContext): Promise<UmeStudioApi> {
  ctx = new Ctx(context);
  // The serializer first: a dashboard restored after a reload activates the extension for it.
  context.subscriptions.push(ctx, ...registerDashboard(ctx), ...registerCommands(ctx), ...registerTraining(ctx), ...registerWorkspaceTrust(ctx));
  await ctx.start();
  return { dashboardStatus: dashboardPanelStatus };
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
  ctx = undefined;
}
