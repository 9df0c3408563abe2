// Scoring inside the language server, one per connection: the model holder, the PLL cache, the job
// queue, and the shared steps of the hover and `ume/score` (the analysis of the document as the
// editor shows it, the model for a document's settings, cached-or-queued PLL). Features reach it
// through scoringService(ctx) so the ServerContext stays as it is.

import type { CancellationToken } from 'vscode-languageserver/node';
import { MessageType, ShowMessageNotification } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnalysis } from '../../engine/seq/index';
import type { Modality } from '../../engine/seq/types';
import type { PllMode } from '../../engine/ume/pll';
import type { UmeSettings } from '../../protocol/settings';
import { analyzeText } from '../analysis';
import type { ServerContext } from '../context';
import { LruCache } from './lru';
import { ModelHolder, resolveModelSpec, type LoadedModel } from './model';
import { CANCELLED, isAbortError, ScoringQueue, type Cancelled, type Priority } from './queue';
import { pllBytes, pllKey, toSequencePll, type SequencePll } from './sequence-score';

/** Distinct sequences remembered (a few KB each with per-token log-probs), within CACHE_BYTES. */
const CACHE_ENTRIES = 4000;
const CACHE_BYTES = 64 * 2 ** 20;
/** Sequences per queued bulk job: hovers get in between chunks of a long `ume/score`. */
export const BULK_CHUNK = 8;

export type PllOutcome = SequencePll | { error: string };

export interface ScoreItem {
  text: string;
  modality: Modality;
}

/** An AbortSignal that fires when the LSP token does. */
export function signalOf(token: CancellationToken | undefined, also?: AbortSignal): AbortController {
  const c = new AbortController();
  if (token?.isCancellationRequested || also?.aborted) c.abort();
  token?.onCancellationRequested(() => c.abort());
  also?.addEventListener('abort', () => c.abort(), { once: true });
  return c;
}

/** Human ubiquitin (76 residues, UniProt P0CG48 1-76): the warm-up sequence. */
const WARM_UP_PROTEIN = 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG';

export class ScoringService {
  readonly cache = new LruCache<string, SequencePll>(CACHE_ENTRIES, { maxWeight: CACHE_BYTES, weigh: pllBytes });
  readonly queue = new ScoringQueue();
  readonly holder: ModelHolder;
  private readonly reported = new Set<string>();
  private readonly hoverByUri = new Map<string, AbortController>();
  private workspaceFolders: Promise<string[]> | undefined;
  private warmed = false;

  constructor(private readonly ctx: ServerContext) {
    this.holder = new ModelHolder({ info: (m) => ctx.connection.console.info(m), error: (m) => ctx.connection.console.error(m) });
  }

  /**
   * The stored analysis when it is for the current version, else the one in flight for it (the
   * diagnostics run), else a fresh one (not stored, but shared with requests that arrive meanwhile).
   */
  async analysisOf(doc: TextDocument, settings: UmeSettings, token?: CancellationToken): Promise<DocumentAnalysis | null> {
    const { uri, version } = doc;
    const stored = this.ctx.analyses.get(uri, version);
    if (stored) return stored.analysis;
    const text = doc.getText();
    // A request about a version the user has already edited away (or cancelled) is not worth a
    // full analysis: while typing in a big file, each such hover used to start one.
    const stale = () => token?.isCancellationRequested === true || this.ctx.documents.get(uri)?.version !== version;
    return this.ctx.analyses.shared(uri, version, JSON.stringify(settings), async () => {
      const a = await analyzeText(uri, doc.languageId, text, settings, stale);
      return stale() ? null : a;
    });
  }

  /** The client's workspace folders (file paths), asked once. */
  folders(): Promise<string[]> {
    if (this.ctx.clientCapabilities.workspace?.workspaceFolders !== true) return Promise.resolve([]);
    this.workspaceFolders ??= this.ctx.connection.workspace
      .getWorkspaceFolders()
      .then((fs) => (fs ?? []).filter((f) => f.uri.startsWith('file:')).map((f) => decodeURIComponent(new URL(f.uri).pathname)))
      .catch(() => []);
    return this.workspaceFolders;
  }

  /**
   * The model the document's settings ask for. Failures are shown once (log + message) when the user
   * asked for a score; a background warm-up (`quiet`) only logs them, so opening a file never pops up
   * an error about a model nobody asked for yet.
   */
  async model(uri: string | undefined, settings: UmeSettings, quiet = false): Promise<LoadedModel> {
    try {
      const spec = resolveModelSpec(settings.scoring.modelPath, settings.scoring.device, uri, await this.folders());
      return await this.holder.get(spec);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (quiet) this.ctx.connection.console.warn(`UME scoring warm-up: ${message}`);
      else this.reportOnce(message);
      throw e;
    }
  }

  /** Logs and shows a model problem the first time it happens (hovers repeat it in place). */
  reportOnce(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.ctx.connection.console.error(`UME scoring: ${message}`);
    void this.ctx.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `UME Studio: ${message}` });
  }

  /** PLL of each item, from the cache or the queue; CANCELLED when `signal` aborts first. */
  async pll(model: LoadedModel, items: readonly ScoreItem[], mode: PllMode, priority: Priority, signal?: AbortSignal, onChunk?: (done: number) => void): Promise<PllOutcome[] | Cancelled> {
    const out: Array<PllOutcome | undefined> = items.map((it) => this.cache.get(pllKey(model.id, mode, it.modality, it.text)));
    const missing = items.map((_, i) => i).filter((i) => out[i] === undefined);
    let done = items.length - missing.length;
    onChunk?.(done);
    const chunk = priority === 'interactive' ? Math.max(1, missing.length) : BULK_CHUNK;
    for (let s = 0; s < missing.length; s += chunk) {
      const idx = missing.slice(s, s + chunk);
      const res = await this.queue.submit(
        async (jobSignal) => {
          try {
            const results = await model.scorer.pll(idx.map((i) => items[i]!), { mode, signal: jobSignal });
            return results.map(toSequencePll);
          } catch (e) {
            if (isAbortError(e)) throw e;
            const msg = `UME model ${model.spec.name} failed: ${e instanceof Error ? e.message : String(e)}`;
            return idx.map(() => ({ error: msg }));
          }
        },
        priority,
        signal,
      );
      if (res === CANCELLED) return CANCELLED;
      idx.forEach((i, j) => {
        const r = res[j]!;
        out[i] = r;
        if (!('error' in r)) this.cache.set(pllKey(model.id, mode, items[i]!.modality, items[i]!.text), r);
      });
      done += idx.length;
      onChunk?.(done);
    }
    return out as PllOutcome[];
  }

  /** A signal for a hover on `uri`: aborts the previous hover of that document (superseded) and follows the LSP token. */
  hoverSignal(uri: string, token: CancellationToken): AbortController {
    this.hoverByUri.get(uri)?.abort();
    const c = signalOf(token);
    this.hoverByUri.set(uri, c);
    return c;
  }

  hoverDone(uri: string, c: AbortController): void {
    if (this.hoverByUri.get(uri) === c) this.hoverByUri.delete(uri);
  }

  /**
   * Loads the model and scores one protein in its thread when the server starts (and when the
   * first document opens, if that failed), so the first hover finds weights loaded, sessions
   * created and ORT's memory grown: the first run at a new batch size pays for its allocations
   * (measured: a first 100-residue masked hover ~1.4x a later one), so the warm-up batch is about
   * as large as one masked-PLL chunk of a typical hover, and no larger (a hover that arrives
   * meanwhile waits for it).
   */
  warmUp(uri?: string): void {
    if (this.warmed) return;
    this.warmed = true;
    // The scorer thread starts before the settings arrive: its start-up is most of a cold load.
    this.holder.prepare();
    void (async () => {
      const settings = await this.ctx.config.get(uri);
      if (!settings.scoring.enabled) {
        this.warmed = false;
        await this.holder.unprepare();
        return;
      }
      const started = performance.now();
      const model = await this.model(uri, settings, true);
      await this.pll(model, [{ text: WARM_UP_PROTEIN, modality: 'amino_acid' }], settings.scoring.mode, 'bulk');
      this.ctx.connection.console.info(`UME scoring ready: ${model.spec.name} on ${model.provider}, warm-up ${(performance.now() - started).toFixed(0)} ms (${(process.uptime() * 1000).toFixed(0)} ms after the server started).`);
    })().catch(() => undefined); // logged by model(); a hover shows it in place
  }

  async dispose(): Promise<void> {
    await this.holder.dispose();
  }
}

const services = new WeakMap<ServerContext, ScoringService>();

export function scoringService(ctx: ServerContext): ScoringService {
  let s = services.get(ctx);
  if (!s) {
    s = new ScoringService(ctx);
    services.set(ctx, s);
  }
  return s;
}

/** Ends the connection's scoring (its model thread) if it was ever started; for shutdown. */
export async function disposeScoringService(ctx: ServerContext): Promise<void> {
  const s = services.get(ctx);
  services.delete(ctx);
  await s?.dispose();
}
