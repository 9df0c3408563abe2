// The training dashboard panel in the real extension host: Open Dashboard on a recorded run opens
// one webview tab of the dashboard's view type, its page loads and says ready, and the panel
// answers with the run's metrics; Compare Runs' several folders land in the same panel; a row
// appended to a running run's metrics.jsonl reaches the panel as an update, also while its tab is
// hidden (the page is kept and does not reload when shown). The runs are the
// fixtures test/vscode/workspace.ts copies into the workspace's runs/ folder.
import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Tdd } from './tdd';
import { EXTENSION_ID, eventually, workspaceRoot } from './helpers';
import type { UmeStudioApi } from '../../../client/src/extension';
import { DASHBOARD_VIEW_TYPE } from '../../../client/src/dashboard/view-type';


async function api(): Promise<UmeStudioApi> {
  const ext = vscode.extensions.getExtension<UmeStudioApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.activate();
}

/** Webview tabs of the dashboard (VS Code prefixes the view type of extension webviews). */
function dashboardTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(DASHBOARD_VIEW_TYPE));
}

const run = (name: string): string => path.join(workspaceRoot(), 'runs', name);
const metricRows = (name: string): number => readFileSync(path.join(run(name), 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length;

export function dashboardTests({ suite, test, suiteTeardown }: Tdd): void {
  suite('dashboard panel', () => {
    suiteTeardown(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    test('Open Dashboard on a run opens the panel, and its page gets the run', async () => {
      const ume = await api();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(dashboardTabs().length, 0);
      await vscode.commands.executeCommand('umeStudio.openDashboard', run('grpo-multi'));
      const tab = await eventually('a dashboard webview tab', () => dashboardTabs()[0]);
      assert.equal(tab.label, 'UME Dashboard: grpo-multi');
      assert.ok(tab.isActive, 'the dashboard tab is the active one');
      // The page loaded (its bundle through asWebviewUri under the CSP), said ready, and got init.
      const status = await eventually('the page to say ready and receive init', () => {
        const s = ume.dashboardStatus();
        return s.ready >= 1 && s.inits >= 1 ? s : undefined;
      }, 60_000);
      assert.deepEqual(status.runs.map((r) => [r.name, r.rows]), [['grpo-multi', metricRows('grpo-multi')]]);
      assert.deepEqual(status.focus, ['grpo-multi']);
      assert.deepEqual(status.problems, []);
    });

    test('Compare Runs\' folders open in the same single panel, all on the charts', async () => {
      const ume = await api();
      const before = ume.dashboardStatus().inits;
      await vscode.commands.executeCommand('umeStudio.openDashboard', [run('grpo-single'), run('grpo-multi')]);
      const status = await eventually('an init with both runs', () => {
        const s = ume.dashboardStatus();
        return s.inits > before ? s : undefined;
      });
      assert.equal(dashboardTabs().length, 1, 'still one dashboard panel');
      // The tab model takes the new panel title a moment later.
      await eventually('the tab titled for two runs', () => (dashboardTabs()[0]?.label === 'UME Dashboard: 2 runs' ? true : undefined), 5_000);
      assert.deepEqual(status.runs.map((r) => r.name).sort(), ['grpo-multi', 'grpo-single']);
      assert.deepEqual([...status.focus].sort(), ['grpo-multi', 'grpo-single']);
    });

    test('a step appended to a running run reaches the open panel as an update', async () => {
      const ume = await api();
      const before = ume.dashboardStatus().inits;
      await vscode.commands.executeCommand('umeStudio.openDashboard', run('grpo-live'));
      await eventually('an init with grpo-live', () => (ume.dashboardStatus().inits > before && ume.dashboardStatus().runs.some((r) => r.name === 'grpo-live') ? true : undefined));
      const file = path.join(run('grpo-live'), 'metrics.jsonl');
      const last = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop()!) as Record<string, unknown> & { step: number };
      const updates = ume.dashboardStatus().updates;
      appendFileSync(file, `${JSON.stringify({ ...last, step: last.step + 1 })}\n`);
      await eventually('an update after the appended row', () => (ume.dashboardStatus().updates > updates ? true : undefined), 10_000);
      assert.equal(dashboardTabs().length, 1);
    });

    test('a hidden dashboard keeps its page and its live updates, and comes back without reloading', async () => {
      const ume = await api();
      const before = ume.dashboardStatus();
      // Another editor in the panel's group hides the panel.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: 'CCO\n', language: 'smiles' }), { viewColumn: dashboardTabs()[0]!.group.viewColumn, preview: false });
      await eventually('the dashboard tab in the background', () => (dashboardTabs()[0]?.isActive === false ? true : undefined), 5_000);
      const file = path.join(run('grpo-live'), 'metrics.jsonl');
      const last = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop()!) as Record<string, unknown> & { step: number };
      appendFileSync(file, `${JSON.stringify({ ...last, step: last.step + 1 })}\n`);
      await eventually('an update while hidden', () => (ume.dashboardStatus().updates > before.updates ? true : undefined), 10_000);
      await vscode.commands.executeCommand('umeStudio.openDashboard', run('grpo-multi'));
      await eventually('the dashboard tab active again', () => (dashboardTabs()[0]?.isActive ? true : undefined), 5_000);
      const after = await eventually('the focus moved to grpo-multi', () => (ume.dashboardStatus().inits > before.inits ? ume.dashboardStatus() : undefined));
      assert.equal(after.ready, before.ready, 'the page was kept, not loaded again');
      assert.deepEqual(after.focus, ['grpo-multi']);
      assert.equal(dashboardTabs().length, 1);
    });

    test('Open Dashboard on a folder that is not a run shows the panel with the problem, not an error', async () => {
      const ume = await api();
      const before = ume.dashboardStatus().inits;
      await vscode.commands.executeCommand('umeStudio.openDashboard', path.join(workspaceRoot(), 'runs', 'no-such-run'));
      const status = await eventually('an init with the missing run', () => (ume.dashboardStatus().inits > before ? ume.dashboardStatus() : undefined));
      const missing = status.runs.find((r) => r.name === 'no-such-run');
      assert.ok(missing, 'the missing run is listed');
      assert.equal(missing.rows, 0);
    });
  });
}
