// "UME: Detect Modalities in File": asks the server for the active document's detections and shows
// them as a pick list (summary in the title); picking one reveals the sequence.

import * as vscode from 'vscode';
import { analyzeDocumentRequest } from '../../server/src/protocol/requests';
import { describeSummary, summarize, type DetectRecord } from '../../server/src/protocol/detect-record';
import type { Ctx } from './ctx';

function excerpt(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface RecordItem extends vscode.QuickPickItem {
  record: DetectRecord;
}

export async function detectModalities(ctx: Ctx): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('UME Studio: open a file to detect the modalities of its sequences.');
    return;
  }
  const uri = editor.document.uri.toString();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'UME: detecting modalities' },
    (_p, token) => ctx.request(analyzeDocumentRequest, { uri }, token),
  );
  const summary = describeSummary(summarize(result.records));
  ctx.output.info(`Detect modalities in ${uri}: ${summary}${result.truncated ? ' (file truncated, see UME004)' : ''}`);
  if (result.records.length === 0) {
    void vscode.window.showInformationMessage(`UME Studio: no sequences found in ${vscode.workspace.asRelativePath(editor.document.uri)}.`);
    return;
  }
  const items: RecordItem[] = result.records.map((r) => {
    const at = `Ln ${r.range.start.line + 1}, Col ${r.range.start.character + 1}`;
    const codes = r.diagnostics.map((d) => d.code).join(' ');
    const icon = r.diagnostics.some((d) => d.severity === 'error') ? '$(error)' : r.diagnostics.length ? '$(warning)' : '$(pass)';
    return {
      label: `${icon} ${r.text === null ? 'file' : (r.modality ?? 'undetermined')}`,
      description: `${at}${r.confidence !== null ? ` · ${(r.confidence * 100).toFixed(0)}%` : ''}${codes ? ` · ${codes}` : ''}`,
      detail: r.text !== null ? excerpt(r.text) : r.diagnostics.map((d) => d.message).join('; '),
      record: r,
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: `UME: ${summary}`,
    placeHolder: 'Pick a sequence to reveal it',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return;
  const { start, end } = picked.record.range;
  const range = new vscode.Range(start.line, start.character, end.line, end.character);
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
