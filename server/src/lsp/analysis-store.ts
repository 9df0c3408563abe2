// The latest analysis of each open document, keyed by URI and tagged with the document version it
// belongs to. Code actions read fixes from here, so they must match the version the client shows.

import type { DocumentAnalysis } from '../engine/seq/index';
import type { SequenceDiagnostic } from '../engine/seq/types';

export interface StoredAnalysis {
  version: number;
  analysis: DocumentAnalysis;
  /** Every diagnostic of the document (sequence and file level), in publish order. */
  diagnostics: SequenceDiagnostic[];
}

export class AnalysisStore {
  private readonly byUri = new Map<string, StoredAnalysis>();

  set(uri: string, version: number, analysis: DocumentAnalysis): StoredAnalysis {
    const diagnostics = [...analysis.reports.flatMap((r) => r.diagnostics), ...analysis.fileDiagnostics];
    const stored = { version, analysis, diagnostics };
    this.byUri.set(uri, stored);
    return stored;
  }

  get(uri: string, version?: number): StoredAnalysis | undefined {
    const s = this.byUri.get(uri);
    if (!s || (version !== undefined && s.version !== version)) return undefined;
    return s;
  }

  delete(uri: string): void {
    this.byUri.delete(uri);
  }
}
