// Engine values -> LSP values. The engine already speaks LSP positions (UTF-16), so this is only
// about severities, codes and edit containers.

import { DiagnosticSeverity, type Diagnostic, type TextEdit as LspTextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { Range, SequenceDiagnostic, Severity, TextEdit } from '../engine/seq/types';

export const DIAGNOSTIC_SOURCE = 'ume-studio';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Where a code's documentation lives (README's Diagnostics table), when known. */
export type CodeHref = (code: string) => string | undefined;

export function toLspDiagnostic(d: SequenceDiagnostic, href: CodeHref): Diagnostic {
  const link = href(d.code);
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
    ...(link ? { codeDescription: { href: link } } : {}),
  };
}

export function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

export function rangesOverlap(a: Range, b: Range): boolean {
  const beforeOrAt = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  // Touching ranges count as overlapping, so that a cursor at a diagnostic's end still gets its fixes.
  return beforeOrAt(a.start, b.end) && beforeOrAt(b.start, a.end);
}

function comparePos(p: Range['start'], q: Range['start']): number {
  return p.line - q.line || p.character - q.character;
}

/**
 * Orders edits and drops any that overlap an earlier one: fix-all actions combine fixes of many
 * diagnostics, and LSP forbids overlapping edits in one change.
 */
export function nonOverlapping(edits: readonly TextEdit[]): LspTextEdit[] {
  const sorted = [...edits].sort((a, b) => comparePos(a.range.start, b.range.start) || comparePos(a.range.end, b.range.end));
  const out: LspTextEdit[] = [];
  for (const e of sorted) {
    const last = out.at(-1);
    if (last && comparePos(e.range.start, last.range.end) < 0) continue;
    // Two insertions at the same point would be ambiguous too.
    if (last && comparePos(e.range.start, last.range.start) === 0 && comparePos(e.range.end, last.range.end) === 0) continue;
    out.push({ range: e.range, newText: e.newText });
  }
  return out;
}

/** A workspace edit on one document, versioned when the client supports it (stale edits are refused). */
export function workspaceEdit(uri: string, version: number, edits: LspTextEdit[], versioned: boolean): WorkspaceEdit {
  return versioned ? { documentChanges: [{ textDocument: { uri, version }, edits }] } : { changes: { [uri]: edits } };
}
