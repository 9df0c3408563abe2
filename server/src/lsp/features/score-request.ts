// `ume/score`: UME scores of every sequence in a document, or of those overlapping a range (the heat
// map asks for the visible lines). Reports work-done progress ("k/n sequences") and stops at the
// next chunk when cancelled. A model that cannot load fails the request with the reason.

import { CancellationTokenSource, ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { scoreRequest, type ParamsOf } from '../../protocol/requests';
import type { ScoreResult, ScoredSequenceRecord, UnscoredSequenceRecord } from '../../protocol/score';
import type { Range, SequenceReport } from '../../engine/seq/types';
import { analyzeText } from '../analysis';
import type { ServerContext } from '../context';
import { rangesOverlap } from '../convert';
import type { Feature } from './feature';
import { readClosed } from './analyze-request';
import { CANCELLED } from '../scoring/queue';
import { scorable, scoredRecord } from '../scoring/sequence-score';
import { scoringService, signalOf } from '../scoring/service';
import type { Modality } from '../../engine/seq/types';

type ScoreParams = ParamsOf<typeof scoreRequest>;

function isRange(r: unknown): r is Range {
  const p = (x: unknown) => typeof x === 'object' && x !== null && Number.isInteger((x as { line?: unknown }).line) && Number.isInteger((x as { character?: unknown }).character);
  return typeof r === 'object' && r !== null && p((r as Range).start) && p((r as Range).end);
}

function checkParams(p: unknown): ScoreParams {
  const o = p as Partial<ScoreParams> | null;
  if (typeof o !== 'object' || o === null || typeof o.uri !== 'string') {
    throw new ResponseError(ErrorCodes.InvalidParams, `${scoreRequest.method} needs { "uri": string, "range"?: Range, "tokens"?: boolean }.`);
  }
  if (o.range !== undefined && !isRange(o.range)) throw new ResponseError(ErrorCodes.InvalidParams, `${scoreRequest.method}: "range" must be an LSP range { start: {line, character}, end: {line, character} }.`);
  if (o.tokens !== undefined && typeof o.tokens !== 'boolean') throw new ResponseError(ErrorCodes.InvalidParams, `${scoreRequest.method}: "tokens" must be true or false.`);
  return o as ScoreParams;
}

/** Cancelled when either token is. */
function anyOf(a: CancellationToken, b: CancellationToken): CancellationToken {
  const source = new CancellationTokenSource();
  if (a.isCancellationRequested || b.isCancellationRequested) source.cancel();
  a.onCancellationRequested(() => source.cancel());
  b.onCancellationRequested(() => source.cancel());
  return source.token;
}

const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, 'UME scoring was cancelled.');

export async function handleScore(ctx: ServerContext, raw: unknown, token: CancellationToken, progress: WorkDoneProgressReporter): Promise<ScoreResult> {
  const params = checkParams(raw);
  const { uri } = params;
  const settings = await ctx.config.get(uri);
  if (!settings.scoring.enabled) throw new ResponseError(ErrorCodes.InvalidRequest, 'UME scoring is turned off (umeStudio.scoring.enabled); turn it on to score documents.');
  const service = scoringService(ctx);
  const doc = ctx.documents.get(uri);
  const analysis = doc ? await service.analysisOf(doc, settings, token) : await analyzeText(uri, 'plaintext', await readClosed(uri), settings);
  if (token.isCancellationRequested) throw cancelled();
  if (doc && !analysis && ctx.documents.get(uri)?.version !== doc.version) {
    throw new ResponseError(LSPErrorCodes.ContentModified, `${uri} changed while it was being analysed for scoring; ask again.`);
  }
  const reports = (analysis?.reports ?? []).filter((r) => !params.range || rangesOverlap(r.occurrence.range, params.range));

  const unscored: UnscoredSequenceRecord[] = [];
  const todo: Array<{ report: SequenceReport; modality: Modality }> = [];
  for (const report of reports) {
    const s = scorable(report);
    if (s.ok) todo.push({ report, modality: s.modality });
    else unscored.push({ range: report.occurrence.range, text: report.occurrence.text, modality: s.modality, reason: s.reason });
  }

  progress.begin('UME: scoring', 0, `0/${todo.length} sequences`, true);
  try {
    let model;
    try {
      model = await service.model(uri, settings);
    } catch (e) {
      throw new ResponseError(ErrorCodes.InternalError, `UME scoring: ${e instanceof Error ? e.message : String(e)}`);
    }
    const controller = signalOf(token);
    const { mode, temperature } = settings.scoring;
    const items = todo.map((t) => ({ text: t.report.occurrence.text, modality: t.modality }));
    const out = await service.pll(model, items, mode, 'bulk', controller.signal, (done) => {
      progress.report(todo.length === 0 ? 100 : Math.floor((100 * done) / todo.length), `${done}/${todo.length} sequences`);
    });
    if (out === CANCELLED || token.isCancellationRequested) throw cancelled();
    const sequences: ScoredSequenceRecord[] = [];
    const withTokens = params.tokens ?? true;
    todo.forEach((t, i) => {
      const r = out[i]!;
      if ('error' in r) unscored.push({ range: t.report.occurrence.range, text: t.report.occurrence.text, modality: t.modality, reason: r.error });
      else sequences.push(scoredRecord(t.report, t.modality, r, { mode, model: model.spec.name, temperature }, withTokens));
    });
    const byStart = (a: { range: Range }, b: { range: Range }) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
    return {
      uri,
      version: doc?.version ?? null,
      model: model.spec.name,
      mode,
      temperature,
      provider: model.provider,
      sequences,
      unscored: unscored.sort(byStart),
      truncated: analysis?.truncated ?? false,
    };
  } finally {
    progress.done();
  }
}

export const scoreRequestFeature: Feature = {
  name: 'score',
  register(ctx) {
    ctx.connection.onRequest(scoreRequest.method, async (params: unknown, token: CancellationToken) => {
      // Client-initiated progress when the request carries a token; otherwise ask the client for one.
      // A server-created progress has its own cancel button (window/workDoneProgress/cancel).
      const workDone = (params as { workDoneToken?: string | number } | null)?.workDoneToken;
      if (workDone !== undefined || !ctx.clientCapabilities.window?.workDoneProgress) {
        return handleScore(ctx, params, token, ctx.connection.window.attachWorkDoneProgress(workDone));
      }
      const progress = await ctx.connection.window.createWorkDoneProgress();
      return handleScore(ctx, params, anyOf(token, progress.token), progress);
    });
  },
};
