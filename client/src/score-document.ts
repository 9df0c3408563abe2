// "UME: Score Document": asks the server for the UME scores of every sequence in the active file
// (`ume/score`, progress shown in a cancellable notification), writes them as CSV beside the file
// (temp file + rename, so a half-written CSV never replaces a good one) and offers to open it.

import * as vscode from 'vscode';
import { scoreRequest } from '../../server/src/protocol/requests';
import { scoresCsv, scoresCsvPath } from '../../server/src/protocol/score-csv';
import type { Ctx } from './ctx';
import { withWorkDoneProgress } from './work-done-progress';

async function writeAtomically(target: vscode.Uri, text: string): Promise<void> {
  const tmp = target.with({ path: `${target.path}.tmp-${process.pid}-${Date.now()}` });
  await vscode.workspace.fs.writeFile(tmp, new TextEncoder().encode(text));
  try {
    await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
  } catch (error) {
    await vscode.workspace.fs.delete(tmp).then(undefined, () => undefined);
    throw error;
  }
}

export async function scoreDocument(ctx: Ctx): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('UME Studio: open a file to score its sequences.');
    return;
  }
  const doc = editor.document;
  if (doc.isUntitled) {
    void vscode.window.showInformationMessage('UME Studio: save the file first; the scores are written as a CSV beside it.');
    return;
  }
  const name = vscode.workspace.asRelativePath(doc.uri);
  const uri = doc.uri.toString();
  const result = await withWorkDoneProgress(ctx, `UME: scoring ${name}`, (workDoneToken, token) => ctx.request(scoreRequest, { uri, tokens: false, workDoneToken }, token));
  if (!result) {
    ctx.output.info(`Scoring ${name} was cancelled; no CSV written.`);
    return;
  }
  const target = doc.uri.with({ path: scoresCsvPath(doc.uri.path) });
  await writeAtomically(target, scoresCsv(result.sequences));
  const skipped = result.unscored.length ? `, ${result.unscored.length} not scored (see the hover or Problems for why)` : '';
  const summary = `${result.sequences.length} sequence${result.sequences.length === 1 ? '' : 's'} scored with ${result.model} (${result.mode}, T ${result.temperature})${skipped}`;
  ctx.output.info(`Score ${name}: ${summary}; wrote ${target.fsPath}`);
  for (const u of result.unscored) ctx.output.info(`  not scored at Ln ${u.range.start.line + 1}, Col ${u.range.start.character + 1}: ${u.reason}`);
  const open = await vscode.window.showInformationMessage(`UME Studio: ${summary}. Wrote ${vscode.workspace.asRelativePath(target)}.`, 'Open CSV');
  if (open) await vscode.window.showTextDocument(target);
}
