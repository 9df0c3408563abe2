// Hover on a detected sequence: its UME reward, PLL, perplexity, model and mode, and the three least
// likely positions; or why it cannot be scored; or what went wrong with the model. When
// umeStudio.rewards.configFile names a reward config, a section with its total and components follows. Scores come from
// the cache when the same text was scored before; a newer hover on the same document supersedes a
// waiting one (it returns null at once), and LSP cancellation stops queued work.

import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import type { Position, SequenceReport } from '../../engine/seq/types';
import type { ServerContext } from '../context';
import type { Feature } from './feature';
import { busyHover, failedHover, scoredHover, unscoredHover } from '../scoring/hover-markdown';
import { CANCELLED } from '../scoring/queue';
import { scorable, scoredRecord } from '../scoring/sequence-score';
import { scoringService } from '../scoring/service';
import type { CancellationToken } from 'vscode-languageserver/node';
import type { UmeSettings } from '../../protocol/settings';
import { rewardHoverNote } from '../../protocol/reward-markdown';
import { rewardHover } from './reward-score';

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/** The sequence under the cursor (ends inclusive, so hovering just after the last residue works). */
export function reportAt(reports: readonly SequenceReport[], pos: Position): SequenceReport | undefined {
  return reports.find((r) => before(r.occurrence.range.start, pos) && before(pos, r.occurrence.range.end));
}

/**
 * How long a hover may take before it answers with what it has (a hover nobody sees is worse than
 * one that says "busy"): 8 s, or UME_HOVER_BUDGET_MS (tests). Work past the budget goes on and
 * fills the score cache, so the next hover over the same sequence answers at once.
 */
export function hoverBudgetMs(): number {
  const v = Number(process.env['UME_HOVER_BUDGET_MS']);
  return Number.isFinite(v) && v > 0 ? v : 8000;
}

const OVER_BUDGET = Symbol('over budget');

/** Hover scores that outlived their hover's budget, by document, mode, model and text, until they settle. */
const stillScoring = new Map<string, Promise<string | null>>();

/** `p`, or OVER_BUDGET when it has not settled by `deadline` (p keeps running). */
function byDeadline<T>(p: Promise<T>, deadline: number): Promise<T | typeof OVER_BUDGET> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof OVER_BUDGET>((resolve) => (timer = setTimeout(() => resolve(OVER_BUDGET), Math.max(0, deadline - Date.now()))));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 1000 ? 3 : 0)} s`;

export async function hoverAt(ctx: ServerContext, params: HoverParams, token: CancellationToken): Promise<Hover | null> {
  const uri = params.textDocument.uri;
  const doc = ctx.documents.get(uri);
  if (!doc) return null;
  const budget = hoverBudgetMs();
  const deadline = Date.now() + budget;
  const settings = await ctx.config.get(uri);
  if (!settings.scoring.enabled) return null;
  const service = scoringService(ctx);
  const position = params.position as Partial<Position> | undefined;
  if (!position || !Number.isFinite(position.line) || !Number.isFinite(position.character)) return null;
  const analysis = await byDeadline(service.analysisOf(doc, settings, token), deadline);
  if (analysis === OVER_BUDGET) {
    return { contents: { kind: MarkupKind.Markdown, value: `**UME** · this document is still being analysed (the hover's ${seconds(budget)} budget ran out); hover again in a moment.` } };
  }
  const report = analysis && reportAt(analysis.reports, position as Position);
  if (!report) return null;
  const { text } = report.occurrence;
  const confidence = report.detection.confidence;

  const controller = service.hoverSignal(uri, token);
  // The reward section (umeStudio.rewards.configFile) is computed beside the UME score.
  const reward = rewardHover(ctx, uri, settings, report, controller.signal).catch((e: unknown) => rewardHoverNote('reward config', e instanceof Error ? e.message : String(e)));
  try {
    // A score that went past an earlier hover's budget is still coming: wait for that one instead
    // of queueing the same work again (a user hovering a slow sequence repeatedly).
    const key = `${uri}\u0000${settings.scoring.mode}\u0000${settings.scoring.modelPath}\u0000${text}`;
    const check = scorable(report);
    const running = stillScoring.get(key) ?? umeHover(service, uri, settings, report, check, confidence, controller);
    const ume = await byDeadline(running, deadline);
    if (ume === OVER_BUDGET && !stillScoring.has(key)) {
      stillScoring.set(key, running);
      void running.finally(() => stillScoring.delete(key)).catch(() => undefined);
    }
    if (ume === null) return null;
    const umeText = ume === OVER_BUDGET ? busyHover(check.modality, confidence, text.length, `scoring did not finish within the hover's ${seconds(budget)} budget (the server is busy); it goes on, and hovering again shows the score`) : ume;
    const section = await byDeadline(reward, deadline);
    if (controller.signal.aborted) return null;
    const sectionText = section === OVER_BUDGET ? rewardHoverNote('reward config', `not finished within the hover's ${seconds(budget)} budget; hover again`) : section;
    return { contents: { kind: MarkupKind.Markdown, value: sectionText ? `${umeText}\n\n---\n\n${sectionText}` : umeText }, range: report.occurrence.range };
  } finally {
    service.hoverDone(uri, controller);
  }
}

/** The UME part of the hover (Markdown), or null when the hover was superseded or cancelled. */
async function umeHover(service: ReturnType<typeof scoringService>, uri: string, settings: UmeSettings, report: SequenceReport, check: ReturnType<typeof scorable>, confidence: number, controller: AbortController): Promise<string | null> {
  const text = report.occurrence.text;
  if (!check.ok) return unscoredHover(check.modality, confidence, text.length, check.reason);
  let model;
  try {
    model = await service.model(uri, settings);
  } catch (e) {
    return failedHover(check.modality, confidence, text.length, e instanceof Error ? e.message : String(e));
  }
  if (controller.signal.aborted) return null;
  const { mode, temperature } = settings.scoring;
  const out = await service.pll(model, [{ text, modality: check.modality }], mode, 'interactive', controller.signal);
  if (out === CANCELLED) return null;
  const r = out[0]!;
  if ('error' in r) return failedHover(check.modality, confidence, text.length, r.error);
  return scoredHover(scoredRecord(report, check.modality, r, { mode, model: model.spec.name, temperature }, false));
}

export const hoverFeature: Feature = {
  name: 'hover',
  capabilities: () => ({ hoverProvider: true }),
  register(ctx) {
    ctx.connection.onHover((params, token) => hoverAt(ctx, params, token));
    // Load the model and create its sessions as soon as the server is up (workspace settings), so the
    // first hover rarely waits for them; a first document with its own settings scope retries if that failed.
    scoringService(ctx).warmUp();
    ctx.documents.onDidOpen(({ document }) => scoringService(ctx).warmUp(document.uri));
  },
};
