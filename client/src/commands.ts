// The command registry: every palette command of the extension, each a small function of the Ctx.
// package.json's `contributes.commands` lists the same ids (a unit test keeps them in step).

import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { detectModalities } from './detect-command';
import { CommandId } from './command-ids';
import { scoreDocument } from './score-document';
import { scoreDocumentWithRewardConfig } from './reward-score';
import { toggleHeatMap } from './heatmap';

export interface Command {
  id: CommandId;
  run: (ctx: Ctx) => unknown;
}

export const COMMANDS: readonly Command[] = [
  { id: CommandId.showOutput, run: (ctx) => ctx.output.show(true) },
  {
    id: CommandId.restartServer,
    run: async (ctx) => {
      ctx.output.info('Restarting the language server on request.');
      await ctx.restart();
    },
  },
  { id: CommandId.detectModalities, run: (ctx) => detectModalities(ctx) },
  { id: CommandId.scoreDocument, run: (ctx) => scoreDocument(ctx) },
  { id: CommandId.scoreDocumentWithRewardConfig, run: (ctx) => scoreDocumentWithRewardConfig(ctx) },
  { id: CommandId.toggleHeatMap, run: (ctx) => toggleHeatMap(ctx) },
];

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return COMMANDS.map((c) =>
    vscode.commands.registerCommand(c.id, async () => {
      try {
        return await c.run(ctx);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ctx.output.error(`${c.id}: ${message}`);
        void vscode.window.showErrorMessage(`UME Studio: ${message}`);
        return undefined;
      }
    }),
  );
}
