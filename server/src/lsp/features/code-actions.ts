// Quick fixes from the engine's QuickFix edits, attached to the diagnostics they fix; per code a
// "Fix all ... in file" quick fix; and one `source.fixAll.ume-studio` action for
// editor.codeActionsOnSave. Fixes are only offered for the document version they were computed on.

import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { QuickFix, SequenceDiagnostic } from '../../engine/seq/types';
import type { ServerContext } from '../context';
import type { Feature } from './feature';
import { DIAGNOSTIC_SOURCE, nonOverlapping, rangesOverlap, sameRange, toLspDiagnostic, workspaceEdit } from '../convert';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${DIAGNOSTIC_SOURCE}`;

function preferredFix(d: SequenceDiagnostic): QuickFix | undefined {
  return d.fixes?.find((f) => f.isPreferred) ?? d.fixes?.[0];
}

function wants(only: readonly string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** Finds the engine diagnostic behind a diagnostic the client sent back. */
function matchEngineDiagnostic(all: readonly SequenceDiagnostic[], d: Diagnostic): SequenceDiagnostic | undefined {
  if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
  return all.find((e) => e.code === d.code && sameRange(e.range, d.range) && e.message === d.message);
}

export function codeActionsFor(ctx: ServerContext, params: CodeActionParams): CodeAction[] {
  const uri = params.textDocument.uri;
  const doc = ctx.documents.get(uri);
  if (!doc) return [];
  const stored = ctx.analyses.get(uri, doc.version);
  if (!stored) return [];
  const versioned = ctx.clientCapabilities.workspace?.workspaceEdit?.documentChanges === true;
  const edit = (edits: TextEdit[]) => workspaceEdit(uri, doc.version, edits, versioned);
  const only = params.context.only;
  const actions: CodeAction[] = [];

  // Diagnostics in the requested range: the ones the client sent, or ours overlapping the range.
  const sent = params.context.diagnostics
    .map((d) => matchEngineDiagnostic(stored.diagnostics, d))
    .filter((d): d is SequenceDiagnostic => d !== undefined);
  const targets = sent.length > 0 ? sent : stored.diagnostics.filter((d) => rangesOverlap(d.range, params.range));

  if (wants(only, CodeActionKind.QuickFix)) {
    const codesHere = new Set<string>();
    for (const d of targets) {
      const lsp = toLspDiagnostic(d, ctx.codeHref);
      for (const fix of d.fixes ?? []) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [lsp],
          isPreferred: fix.isPreferred === true,
          edit: edit(nonOverlapping(fix.edits)),
        });
      }
      if (d.fixes?.length) codesHere.add(d.code);
    }
    for (const code of codesHere) {
      const sameCode = stored.diagnostics.filter((d) => d.code === code && preferredFix(d));
      if (sameCode.length < 2) continue;
      actions.push({
        title: `Fix all ${code} problems in file (${sameCode.length})`,
        kind: CodeActionKind.QuickFix,
        diagnostics: sameCode.map((d) => toLspDiagnostic(d, ctx.codeHref)),
        edit: edit(nonOverlapping(sameCode.flatMap((d) => preferredFix(d)?.edits ?? []))),
      });
    }
  }

  if (only && wants(only, FIX_ALL_KIND)) {
    const fixable = stored.diagnostics.filter((d) => preferredFix(d));
    if (fixable.length > 0) {
      actions.push({
        title: `Fix all UME Studio problems in file (${fixable.length})`,
        kind: FIX_ALL_KIND,
        diagnostics: fixable.map((d) => toLspDiagnostic(d, ctx.codeHref)),
        edit: edit(nonOverlapping(fixable.flatMap((d) => preferredFix(d)?.edits ?? []))),
      });
    }
  }
  return actions;
}

export const codeActionsFeature: Feature = {
  name: 'codeActions',
  capabilities: () => ({
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
  }),
  register(ctx) {
    ctx.connection.onCodeAction((params) => codeActionsFor(ctx, params));
  },
};
