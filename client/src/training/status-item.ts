// The training status bar item: step/total, the last step's mean reward and the time left of the
// run training now; hidden when none is. Clicking it opens the dashboard on that run.

import * as vscode from 'vscode';
import { CommandId } from '../command-ids';
import type { TrainingController } from './controller';
import { statusText, statusTooltip } from './format';

export class TrainingStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly sub: vscode.Disposable;

  constructor(private readonly training: TrainingController) {
    this.item = vscode.window.createStatusBarItem('umeStudio.training', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'UME Training';
    this.sub = training.onDidChange(() => this.render());
    this.render();
  }

  private render(): void {
    const run = this.training.active[0];
    if (!run) {
      this.item.hide();
      return;
    }
    this.item.text = statusText(run);
    this.item.tooltip = statusTooltip(run);
    this.item.command = { title: 'Open Dashboard', command: CommandId.openDashboard, arguments: [run.runDir] };
    this.item.accessibilityInformation = { label: `UME training ${run.runName}: step ${run.step} of ${run.totalSteps ?? 'unknown'}` };
    this.item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
