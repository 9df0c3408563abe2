// "UME: Score Document with Reward Config": every sequence of the active file scored with a reward
// config (docs/rewards.md) by the server (`ume/scoreWithRewardConfig`), shown as a Markdown table
// (each component's raw -> transformed value and the total, nulls with their reasons) in a new
// editor tab. The config is umeStudio.rewards.configFile when set, else one the user picks.
// Refused in an untrusted workspace: a reward config reads the files and models it names.
// Also tells the server the workspace's trust, which the hover's reward section waits for.

import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { rewardScoreRequest, workspaceTrustNotification } from '../../server/src/protocol/requests';
import { rewardTableMarkdown } from '../../server/src/protocol/reward-markdown';
import { SETTINGS_SECTION } from '../../server/src/protocol/settings';
import type { Ctx } from './ctx';
import { withWorkDoneProgress } from './work-done-progress';

const UNTRUSTED =
  'UME Studio applies no reward config in Restricted Mode: a reward config reads the files and models it names. Trust this workspace to score with one.';

/** Sends the workspace's trust now, after every server start and when trust is granted. */
export function registerWorkspaceTrust(ctx: Ctx): vscode.Disposable[] {
  const send = (): void => {
    void ctx.client?.sendNotification(workspaceTrustNotification.method, { trusted: vscode.workspace.isTrusted }).catch(() => undefined);
  };
  return [ctx.onDidStartServer(send), vscode.workspace.onDidGrantWorkspaceTrust(send)];
}

/** The config file the setting names (absolute), or undefined when the setting is empty. */
function configFromSetting(doc: vscode.TextDocument): string | undefined {
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION, doc.uri).get<string>('rewards.configFile', '').trim();
  if (value === '') return undefined;
  if (value === '~' || value.startsWith('~/')) return join(homedir(), value.slice(1));
  if (isAbsolute(value)) return value;
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? join(folder.uri.fsPath, value) : value;
}

async function pickConfig(doc: vscode.TextDocument): Promise<string | undefined> {
  const fromSetting = configFromSetting(doc);
  if (fromSetting) return fromSetting;
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
  const picked = await vscode.window.showOpenDialog({
    title: 'UME: reward config to score with (set umeStudio.rewards.configFile to skip this)',
    canSelectMany: false,
    filters: { 'Reward config': ['json'] },
    ...(folder ? { defaultUri: folder.uri } : {}),
  });
  return picked?.[0]?.fsPath;
}

export async function scoreDocumentWithRewardConfig(ctx: Ctx): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    const pick = await vscode.window.showErrorMessage(UNTRUSTED, 'Manage Workspace Trust');
    if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('UME Studio: open a file to score its sequences with a reward config.');
    return;
  }
  const doc = editor.document;
  const config = await pickConfig(doc);
  if (!config) return;
  const name = vscode.workspace.asRelativePath(doc.uri);
  const uri = doc.uri.toString();
  const result = await withWorkDoneProgress(ctx, `UME: reward scoring ${name}`, (workDoneToken, token) =>
    ctx.request(rewardScoreRequest, { uri, config, trusted: vscode.workspace.isTrusted, workDoneToken }, token),
  );
  if (!result) {
    ctx.output.info(`Reward scoring ${name} was cancelled.`);
    return;
  }
  const withTotal = result.records.filter((r) => r.total !== null).length;
  ctx.output.info(`Reward ${name} with ${config}: ${result.records.length} sequences, ${withTotal} with a total.`);
  const report = await vscode.workspace.openTextDocument({ language: 'markdown', content: rewardTableMarkdown(result, name, vscode.workspace.asRelativePath(config)) });
  await vscode.window.showTextDocument(report, { preview: false, viewColumn: vscode.ViewColumn.Beside });
}
