// "UME: Score Document": asks the server for the UME scores of every sequence in the active file
// (`ume/score`, progress shown in a cancellable notification), writes them as CSV beside the file
// (temp file + rename, so a half-written CSV never replaces a good one) and offers to open it.

import * as vscode from 'vscode';
import { WorkDoneProgress } from 'vscode-languageclient/node';
import { scoreRequest } from '../../server/src/protocol/requests';
import type { ScoreResult } from '../../server/src/protocol/score';
import { scoresCsv, scoresCsvPath } from '../../server/src/protocol/score-csv';
import type { Ctx } from './ctx';

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

/** Runs ume/score with its work-done progress mirrored into a cancellable notification; undefined when cancelled. */
async function scoreWithProgress(ctx: Ctx, uri: string, name: string): Promise<ScoreResult | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `UME: scoring ${name}`, cancellable: true },
    async (progress, token) => {
      const workDoneToken = `ume-score-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      let last = 0;
      const sub = ctx.client?.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
        if (v.kind === 'end') return;
        const pct = v.percentage ?? last;
        progress.report({ ...(v.message ? { message: v.message } : {}), increment: Math.max(0, pct - last) });
        last = Math.max(last, pct);
      });
      try {
        return await ctx.request(scoreRequest, { uri, tokens: false, workDoneToken }, token);
      } catch (error) {
        if (token.isCancellationRequested) return undefined;
        throw error;
      } finally {
        sub?.dispose();
      }
    },
  );
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
  const result = await scoreWithProgress(ctx, doc.uri.toString(), name);
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
