// The latest analysis of each open document, keyed by URI and tagged with the document version it
// belongs to. Code actions read fixes from here, so they must match the version the client shows.
// Analyses in flight are shared too: a hover or `ume/score` that arrives while the diagnostics run
// analyses the same version waits for that run instead of starting its own (a burst of hovers on a
// big document used to start one full analysis each).

import type { DocumentAnalysis } from '../engine/seq/index';
import type { SequenceDiagnostic } from '../engine/seq/types';

export interface StoredAnalysis {
  version: number;
  analysis: DocumentAnalysis;
  /** Every diagnostic of the document (sequence and file level), in publish order. */
  diagnostics: SequenceDiagnostic[];
}

/** A complete analysis, null when it was cut short (superseded) or the document is out of scope. */
export type Outcome = DocumentAnalysis | null;

interface InFlight {
  version: number;
  settingsKey: string;
  promise: Promise<Outcome>;
}

export class AnalysisStore {
  private readonly byUri = new Map<string, StoredAnalysis>();
  private readonly inFlight = new Map<string, InFlight>();

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
    this.inFlight.delete(uri);
  }

  /**
   * The analysis of `uri` at `version` with the settings named by `settingsKey`: the one in flight
   * when there is one, else `compute()`, which later callers then share. A shared run that ends cut
   * short (null) is not reused: the caller that needs it computes its own.
   */
  async shared(uri: string, version: number, settingsKey: string, compute: () => Promise<Outcome>): Promise<Outcome> {
    const running = this.inFlight.get(uri);
    if (running && running.version === version && running.settingsKey === settingsKey) {
      const outcome = await running.promise;
      if (outcome) return outcome;
    }
    const promise = compute();
    const entry: InFlight = { version, settingsKey, promise };
    this.inFlight.set(uri, entry);
    try {
      return await promise;
    } finally {
      if (this.inFlight.get(uri) === entry) this.inFlight.delete(uri);
    }
  }
}
