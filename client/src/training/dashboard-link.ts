// How the training commands open the dashboard: the panel of client/src/dashboard/ with the runs
// asked for (Open Dashboard, Compare Runs, the runs view, the status bar, a run that starts).

import type { Ctx } from '../ctx';
import { openDashboardPanel } from '../dashboard/index';
import type { DashboardPlacement } from '../dashboard/panel';

export async function showDashboard(ctx: Ctx, runDirs: readonly string[], placement: DashboardPlacement = 'active'): Promise<void> {
  if (runDirs.length === 0) return;
  await openDashboardPanel(ctx, runDirs, placement);
}
