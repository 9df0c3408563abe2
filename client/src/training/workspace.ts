// Where training happens in this window: the workspace folder a run belongs to, its output folder
// (umeStudio.training.outputDir, `${workspaceFolder}/runs` by default) and the settings layer.

import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { OUTPUT_DIR_DEFAULT, TRAINING_SECTION, expandPathVariables, settingsLayer } from './settings-schema';

/** The folder training uses: the active editor's workspace folder, else the first one. */
export function trainingFolder(): vscode.WorkspaceFolder | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  const f = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  return f ?? vscode.workspace.workspaceFolders?.[0];
}

export function trainingConfig(folder: vscode.WorkspaceFolder | undefined): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(TRAINING_SECTION, folder?.uri);
}

/** The absolute output folder, or an error saying what to set. */
export function outputDir(folder: vscode.WorkspaceFolder | undefined = trainingFolder()): string {
  const raw = trainingConfig(folder).get<string>('outputDir') || OUTPUT_DIR_DEFAULT;
  const base = folder?.uri.scheme === 'file' ? folder.uri.fsPath : null;
  const v = expandPathVariables(raw, base, homedir());
  if (v.includes('${workspaceFolder}') || (!isAbsolute(v) && base === null)) {
    throw new Error(`Open a folder first: the output folder ${raw} is relative to the workspace folder (or set umeStudio.training.outputDir to an absolute folder).`);
  }
  return isAbsolute(v) ? v : join(base!, v);
}

/** The user's umeStudio.training.* settings as a config layer (only those set), with the output folder resolved. */
export function userSettingsLayer(folder: vscode.WorkspaceFolder | undefined): Record<string, unknown> {
  const cfg = trainingConfig(folder);
  const layer = settingsLayer((name) => cfg.inspect(name));
  layer['output_dir'] = outputDir(folder);
  return layer;
}
