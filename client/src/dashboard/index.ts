// The dashboard panel's registration: the serializer that brings the panel back after a window
// reload (activation event onWebviewPanel:umeStudio.dashboard), and the entry the training
// commands call (training/dashboard-link.ts).

import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { DashboardPanel, type DashboardPanelStatus, type DashboardPlacement } from './panel';
import { DASHBOARD_VIEW_TYPE } from './view-type';

export { DASHBOARD_VIEW_TYPE, type DashboardPanelStatus };

export function registerDashboard(ctx: Ctx): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        try {
          await DashboardPanel.revive(ctx, panel);
        } catch (e) {
          ctx.output.error(`dashboard: could not restore the panel: ${e instanceof Error ? e.message : String(e)}`);
          panel.dispose();
        }
      },
    }),
  ];
}

export async function openDashboardPanel(ctx: Ctx, runDirs: readonly string[], placement: DashboardPlacement = 'active'): Promise<void> {
  await DashboardPanel.show(ctx, runDirs, placement);
}

export const dashboardPanelStatus = (): DashboardPanelStatus => DashboardPanel.status();
