// What the client's status bar shows: settings health and how many documents are being analysed.
// Sends `ume/serverStatus` only when something changed.

import type { Connection } from 'vscode-languageserver/node';
import { serverStatusNotification, type ServerStatusParams } from '../protocol/requests';
import { formatSettingsProblems, type SettingsProblem } from '../protocol/settings';

export class StatusReporter {
  private problems: SettingsProblem[] = [];
  private pending = 0;
  private last = '';

  constructor(private readonly connection: Connection) {}

  setSettingsProblems(problems: SettingsProblem[]): void {
    this.problems = problems;
    this.send();
  }

  setPending(pending: number): void {
    this.pending = pending;
    this.send();
  }

  current(): ServerStatusParams {
    if (this.problems.length > 0) {
      return {
        health: 'warning',
        pending: this.pending,
        message: `Invalid UME Studio settings (defaults used instead):\n${formatSettingsProblems(this.problems)}`,
      };
    }
    return { health: 'ok', pending: this.pending };
  }

  send(): void {
    const status = this.current();
    const key = JSON.stringify(status);
    if (key === this.last) return;
    this.last = key;
    void this.connection.sendNotification(serverStatusNotification.method, status);
  }
}
