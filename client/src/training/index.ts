// Training in the editor: the controller that follows runs, the status bar item, the "UME Runs"
// view and the training commands. extension.ts calls registerTraining once.

import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { TrainingController } from './controller';
import { trainingCommands } from './commands';
import { RUNS_VIEW_ID, RunsTree } from './runs-tree';
import { TrainingStatusItem } from './status-item';

export function registerTraining(ctx: Ctx): vscode.Disposable[] {
  const training = new TrainingController(ctx);
  const tree = new RunsTree(ctx, training);
  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const status = new TrainingStatusItem(training);
  const commands = trainingCommands({ ctx, training, tree }).map((c) =>
    vscode.commands.registerCommand(c.id, async (...args: unknown[]) => {
      try {
        return await c.run(...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ctx.output.error(`${c.id}: ${message}`);
        void vscode.window.showErrorMessage(`UME Studio: ${message}`);
        return undefined;
      }
    }),
  );
  return [training, tree, view, status, ...commands];
}
