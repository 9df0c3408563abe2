// Every command the extension contributes is registered, and the ones that need no dialog run
// without throwing on an example file. (Training and dashboard checks are added with those features.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Tdd } from './tdd';
import { EXTENSION_ID, openExample } from './helpers';

/** Commands that run to completion without asking anything, given an open sequence file. */
const NO_DIALOG = ['umeStudio.showOutput', 'umeStudio.toggleHeatMap', 'umeStudio.refreshRuns'];
/** Commands that end in a quick pick: they must open it (not fail first) and finish when it is dismissed. */
const QUICK_PICK = ['umeStudio.detectModalities'];

const within = <T>(p: Thenable<T>, ms: number, what: string): Promise<T> =>
  Promise.race([Promise.resolve(p), new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))]);

export function commandTests({ suite, test }: Tdd): void {
  suite('commands', () => {
    test('every contributed command is registered', async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
      await ext.activate();
      const contributed = ((ext.packageJSON as { contributes?: { commands?: Array<{ command: string }> } }).contributes?.commands ?? []).map((c) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.ok(contributed.length >= 5);
      assert.deepEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
    });

    for (const command of NO_DIALOG) {
      test(`${command} runs on an open sequence file`, async () => {
        await openExample('molecules.smi');
        const registered = new Set(await vscode.commands.getCommands(true));
        if (!registered.has(command)) return; // not contributed in this build
        await within(vscode.commands.executeCommand(command), 30_000, command);
      });
    }

    for (const command of QUICK_PICK) {
      test(`${command} finishes once its pick list is dismissed`, async () => {
        await openExample('molecules.smi');
        let finished = false;
        const run = Promise.resolve(vscode.commands.executeCommand(command)).then(() => (finished = true));
        // The pick list opens after the server answers; dismiss it until the command returns.
        for (let i = 0; i < 60 && !finished; i++) {
          await new Promise((r) => setTimeout(r, 500));
          await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        }
        await within(run, 5_000, command);
        assert.ok(finished);
      });
    }
  });
}
