// Publishes modality diagnostics: debounced while typing, immediately on open, again for every open
// document when settings change; results of superseded runs are dropped.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ServerContext } from '../context';
import type { Feature } from './feature';
import { analyzeText } from '../analysis';
import { toLspDiagnostic } from '../convert';

/** Typing pauses shorter than this do not trigger analysis; big files wait longer. */
const DEBOUNCE_MS = 250;
const DEBOUNCE_LARGE_MS = 750;
const LARGE_DOCUMENT_CHARS = 1_000_000;

export function debounceFor(doc: TextDocument): number {
  // getText() is cheap (the stored string); length in UTF-16 units is all we need.
  return doc.getText().length > LARGE_DOCUMENT_CHARS ? DEBOUNCE_LARGE_MS : DEBOUNCE_MS;
}

/** Analyses one open document and publishes its diagnostics unless a newer edit superseded it. */
export async function checkDocument(ctx: ServerContext, uri: string, cancelled: () => boolean): Promise<void> {
  const doc = ctx.documents.get(uri);
  if (!doc) return;
  const version = doc.version;
  const settings = await ctx.config.get(uri);
  if (cancelled()) return;
  if (!settings.diagnostics.enable) {
    ctx.analyses.delete(uri);
    await ctx.connection.sendDiagnostics({ uri, version, diagnostics: [] });
    return;
  }
  // Let queued messages (edits, cancellations) in before a long synchronous stretch starts.
  await new Promise((r) => setImmediate(r));
  if (cancelled()) return;
  const started = Date.now();
  const text = doc.getText();
  const analysis = await ctx.analyses.shared(uri, version, JSON.stringify(settings), async () => {
    const a = await analyzeText(uri, doc.languageId, text, settings, cancelled);
    return cancelled() ? null : a;
  });
  const current = ctx.documents.get(uri);
  if (cancelled() || !current || current.version !== version) return;
  if (!analysis) return;
  const stored = ctx.analyses.set(uri, version, analysis);
  await ctx.connection.sendDiagnostics({
    uri,
    version,
    diagnostics: stored.diagnostics.map((d) => toLspDiagnostic(d, ctx.codeHref)),
  });
  const ms = Date.now() - started;
  if (ms > 500) ctx.connection.console.info(`Analysed ${uri} (${analysis.reports.length} sequences) in ${ms} ms.`);
}

export const diagnosticsFeature: Feature = {
  name: 'diagnostics',
  register(ctx) {
    const { documents, scheduler } = ctx;
    // TextDocuments fires onDidChangeContent right after onDidOpen; the open is checked at once and
    // that first content event must not postpone it.
    const justOpened = new Set<string>();
    documents.onDidOpen(({ document }) => {
      justOpened.add(document.uri);
      scheduler.schedule(document.uri, 0);
    });
    documents.onDidChangeContent(({ document }) => {
      if (justOpened.delete(document.uri)) return;
      scheduler.schedule(document.uri, debounceFor(document));
    });
    documents.onDidClose(({ document }) => {
      justOpened.delete(document.uri);
      scheduler.cancel(document.uri);
      ctx.analyses.delete(document.uri);
      ctx.config.forget(document.uri);
      void ctx.connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    });
    ctx.connection.onDidChangeConfiguration((change) => {
      const settings = (change.settings as Record<string, unknown> | null | undefined)?.['umeStudio'];
      ctx.config.invalidate(settings);
      for (const doc of documents.all()) scheduler.schedule(doc.uri, 0);
    });
  },
};
