// Diagnostics, hovers, quick fixes and settings, through VS Code's own command API in a real
// extension host (the same calls the editor makes when a user hovers or presses Ctrl+.).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Tdd } from './tdd';
import { codeOf, eventually, hoverText, openExample, umeDiagnostics } from './helpers';

export function languageFeatureTests({ suite, test, teardown }: Tdd): void {
  suite('language features', () => {
    teardown(async () => {
      await vscode.workspace.getConfiguration('umeStudio').update('diagnostics.severity', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    test('diagnostics for the example files carry the right codes and lines', async () => {
      const smi = await openExample('molecules.smi');
      const ds = await eventually('UME103 on molecules.smi', () => {
        const d = umeDiagnostics(smi.uri).filter((x) => codeOf(x) === 'UME103');
        return d.length > 0 ? d : undefined;
      });
      assert.equal(ds[0]!.range.start.line, 5, 'the unclosed ring is on line 6');
      assert.match(ds[0]!.message, /unclosed ring/);
      assert.equal(ds[0]!.severity, vscode.DiagnosticSeverity.Error);
      const fasta = await openExample('proteins.fasta');
      await eventually('diagnostics published for proteins.fasta', () => (vscode.languages.getDiagnostics(fasta.uri) ? true : undefined));
    });

    test('hover: reward, modality and least likely positions', async () => {
      const doc = await openExample('molecules.smi');
      const md = await eventually('a UME hover on aspirin', async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 3));
        const text = hoverText(hovers ?? []);
        return /reward: \*\*-?\d/.test(text) ? text : undefined;
      }, 60_000);
      assert.match(md, /^\*\*UME\*\* · SMILES \(confidence \d+%\) · length 24/m);
      assert.match(md, /least likely: \*\*.+\*\* at \d+ \(-?\d+\.\d{3}\)/);
    });

    test('a quick fix applies and clears its diagnostic', async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'smiles', content: 'OCC\n' });
      await vscode.window.showTextDocument(doc);
      const d = await eventually('UME108 on OCC', () => umeDiagnostics(doc.uri).find((x) => codeOf(x) === 'UME108'));
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions?.find((a) => /Canonicalize/.test(a.title));
      assert.ok(fix?.edit, `a canonicalize quick fix (got ${actions?.map((a) => a.title).join(', ')})`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.equal(doc.getText(), 'CCO\n');
      await eventually('UME108 cleared', () => (umeDiagnostics(doc.uri).some((x) => codeOf(x) === 'UME108') ? undefined : true));
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    test('a settings change takes effect without a reload', async () => {
      const smi = await openExample('molecules.smi');
      await eventually('UME103 first', () => (umeDiagnostics(smi.uri).some((x) => codeOf(x) === 'UME103') ? true : undefined));
      await vscode.workspace.getConfiguration('umeStudio').update('diagnostics.severity', { UME103: 'off' }, vscode.ConfigurationTarget.Workspace);
      await eventually('UME103 turned off', () => (umeDiagnostics(smi.uri).some((x) => codeOf(x) === 'UME103') ? undefined : true));
      await vscode.workspace.getConfiguration('umeStudio').update('diagnostics.severity', { UME103: 'warning' }, vscode.ConfigurationTarget.Workspace);
      const d = await eventually('UME103 back as a warning', () => umeDiagnostics(smi.uri).find((x) => codeOf(x) === 'UME103'));
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    });
  });
}
