// Reward configs in the editor: "UME: Score Document with Reward Config" opens a table of every
// sequence's components and total, and the hover gains a reward section, both from the config
// umeStudio.rewards.configFile names (workspace-relative here). The runner's workspace is trusted
// (code-server runs with --disable-workspace-trust); Restricted Mode is covered by test/lsp.
import * as assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Tdd } from './tdd';
import { eventually, hoverText, openExample, workspaceRoot } from './helpers';

const CONFIG = {
  aggregation: 'arithmetic_mean',
  components: [
    { name: 'qed', type: 'qed', weight: 2 },
    { name: 'valid', type: 'validity', weight: 1 },
  ],
};

export function rewardTests({ suite, test, suiteSetup, suiteTeardown }: Tdd): void {
  suite('reward configs', () => {
    suiteSetup(async () => {
      mkdirSync(path.join(workspaceRoot(), 'rewards'), { recursive: true });
      writeFileSync(path.join(workspaceRoot(), 'rewards', 'editor-suite.json'), JSON.stringify(CONFIG));
      await vscode.workspace.getConfiguration('umeStudio').update('rewards.configFile', 'rewards/editor-suite.json', vscode.ConfigurationTarget.Workspace);
    });
    suiteTeardown(async () => {
      await vscode.workspace.getConfiguration('umeStudio').update('rewards.configFile', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    test('Score Document with Reward Config opens a table with a row per sequence and the nulls with reasons', async () => {
      await openExample('molecules.smi');
      await vscode.commands.executeCommand('umeStudio.scoreDocumentWithRewardConfig');
      const report = await eventually('the reward table', () => vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d.getText().startsWith('# Reward scores: molecules.smi')));
      const text = report.getText();
      assert.match(text, /Config rewards\/editor-suite\.json \(arithmetic_mean\): 6 sequences, 6 with a total\./);
      assert.match(text, /\| line:col \| modality \| sequence \| qed \| valid \| total \|/);
      const rows = text.split('\n').filter((l) => /^\| \d+:\d+ \|/.test(l));
      assert.equal(rows.length, 6);
      // Aspirin: QED (RDKit's 0.550) and valid 1, total (2 qed + 1) / 3.
      const aspirin = rows[0]!.split('|').map((c) => c.trim());
      assert.equal(aspirin[2], 'SMILES');
      const qed = Number(aspirin[4]);
      assert.ok(Math.abs(qed - 0.55) < 0.001, `aspirin QED ${aspirin[4]}`);
      assert.ok(Math.abs(Number(aspirin[6]) - (2 * qed + 1) / 3) < 0.002);
      // The unclosed ring: QED cannot be computed, the total is the validity's 0, and the reason is listed.
      assert.match(rows[5]!, /\| null \| 0\.000 \| 0\.000 \|$/);
      assert.match(text, /## Nulls and reasons[\s\S]*- 6:1: qed: /);
    });

    test('the hover shows the reward section under the UME score', async () => {
      const doc = await openExample('molecules.smi');
      const md = await eventually('a hover with a reward section', async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 3));
        const t = hoverText(hovers ?? []);
        return /\*\*Reward\*\* · editor-suite\.json \(arithmetic_mean\) · total:/.test(t) ? t : undefined;
      }, 60_000);
      assert.match(md, /^\*\*UME\*\* · SMILES/m);
      assert.match(md, /\*\*Reward\*\* · editor-suite\.json \(arithmetic_mean\) · total: \*\*0\.\d{3}\*\*/);
      assert.match(md, /- qed: 0\.550/);
      assert.match(md, /- valid: 1\.000/);
    });
  });
}
