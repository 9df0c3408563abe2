// The status bar item: is the server running, busy, or unhappy with the settings? Clicking it
// opens the log, where the details are.

import * as vscode from 'vscode';
import type { ServerStatusParams } from '../../server/src/protocol/requests';
import { CommandId } from './command-ids';

/** Analyses shorter than this do not flip the status bar to busy. */
const BUSY_AFTER_MS = 600;

export type ClientState = 'starting' | 'running' | 'stopped';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: ClientState = 'stopped';
  private server: ServerStatusParams = { health: 'ok', pending: 0 };
  /** Busy is shown only when it lasts: every keystroke makes the server briefly busy. */
  private busyShown = false;
  private busyTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('umeStudio.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'UME Studio';
    this.item.command = CommandId.showOutput;
    this.render();
    this.item.show();
  }

  setState(state: ClientState): void {
    this.state = state;
    if (state !== 'running') this.server = { health: 'ok', pending: 0 };
    this.render();
  }

  setServerStatus(status: ServerStatusParams): void {
    this.server = status;
    if (status.pending === 0) {
      clearTimeout(this.busyTimer);
      this.busyTimer = undefined;
      this.busyShown = false;
    } else if (!this.busyShown && !this.busyTimer) {
      this.busyTimer = setTimeout(() => {
        this.busyTimer = undefined;
        this.busyShown = this.server.pending > 0;
        this.render();
      }, BUSY_AFTER_MS);
    }
    this.render();
  }

  private render(): void {
    const item = this.item;
    item.backgroundColor = undefined;
    if (this.state === 'starting') {
      item.text = '$(loading~spin) UME';
      item.tooltip = 'UME Studio: starting the language server…';
      return;
    }
    if (this.state === 'stopped') {
      item.text = '$(circle-slash) UME';
      item.tooltip = 'UME Studio: the language server is stopped. Run "UME: Restart Server".';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    const busy = this.busyShown && this.server.pending > 0;
    if (this.server.health !== 'ok') {
      item.text = busy ? '$(sync~spin) UME' : '$(warning) UME';
      item.tooltip = `UME Studio: ${this.server.message ?? 'see the output for details'}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    item.text = busy ? '$(sync~spin) UME' : '$(beaker) UME';
    item.tooltip = busy
      ? `UME Studio: analysing ${this.server.pending} document(s)…`
      : 'UME Studio: language server running. Click for the log.';
  }

  dispose(): void {
    clearTimeout(this.busyTimer);
    this.item.dispose();
  }
}
