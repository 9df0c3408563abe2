// Reward configs in the editor: `ume/scoreWithRewardConfig` (every sequence of a document scored
// with a config, for "UME: Score Document with Reward Config") and the hover's reward section (the
// config umeStudio.rewards.configFile names, for the hovered sequence). Both run the engine's reward
// library in this process, as `ume-studio reward` does.
//
// Trust: a reward config reads the files and models it names, so nothing here loads one until the
// client has said the workspace is trusted (`ume/workspaceTrust`; the request also carries it).
// Diversity filters keep a memory across calls; the editor empties it before each document and each
// hover, so a score never depends on what was hovered before (a document is filtered in order).

import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { buildRewardFunctions, resolveRewardConfig, type LoadedReward } from '../../engine/rewards/load';
import { scoreSequences } from '../../engine/rewards/report';
import type { SequenceReport } from '../../engine/seq/types';
import { rewardScoreRequest, workspaceTrustNotification, type ParamsOf } from '../../protocol/requests';
import type { RewardScoreResult, WorkspaceTrustParams } from '../../protocol/reward-config';
import { rewardHoverNote, rewardHoverSection } from '../../protocol/reward-markdown';
import type { UmeSettings } from '../../protocol/settings';
import { analyzeText } from '../analysis';
import type { ServerContext } from '../context';
import { readClosed } from './analyze-request';
import type { Feature } from './feature';
import { resolveSettingPath } from '../scoring/model';
import { scoringService, signalOf } from '../scoring/service';

export const UNTRUSTED_REWARD_MESSAGE =
  'UME Studio applies no reward config in an untrusted workspace: a reward config reads the files and models it names. Trust the workspace (Workspaces: Manage Workspace Trust) to score with one.';

type Params = ParamsOf<typeof rewardScoreRequest>;

interface RewardState {
  trusted: boolean;
  /** The hover's config, built once per file version (path + mtime + size). */
  hover?: { key: string; loaded: Promise<LoadedReward> };
  /** Hover scoring runs one at a time (the filters' memories are emptied before each). */
  chain: Promise<unknown>;
}

const states = new WeakMap<ServerContext, RewardState>();

function state(ctx: ServerContext): RewardState {
  let s = states.get(ctx);
  if (!s) {
    s = { trusted: false, chain: Promise.resolve() };
    states.set(ctx, s);
  }
  return s;
}

function checkParams(p: unknown): Params {
  const o = p as Partial<Params> | null;
  if (typeof o !== 'object' || o === null || typeof o.uri !== 'string' || typeof o.config !== 'string' || typeof o.trusted !== 'boolean') {
    throw new ResponseError(ErrorCodes.InvalidParams, `${rewardScoreRequest.method} needs { "uri": string, "config": string (a reward config file), "trusted": boolean }.`);
  }
  return o as Params;
}

/** Builds a config's functions; a bad config is the user's to fix, so its message is the error. */
async function loadConfig(path: string): Promise<LoadedReward> {
  try {
    const r = resolveRewardConfig(path);
    return await buildRewardFunctions(r.config, { baseDir: r.baseDir, notes: r.notes });
  } catch (e) {
    throw new ResponseError(ErrorCodes.InvalidParams, e instanceof Error ? e.message : String(e));
  }
}

/** Sequences of a report list as the reward library takes them (document order). */
function items(reports: readonly SequenceReport[]) {
  return reports.map((r) => ({ id: `${r.occurrence.range.start.line + 1}:${r.occurrence.range.start.character + 1}`, text: r.occurrence.text, modality: r.detection.modality }));
}

export async function handleRewardScore(ctx: ServerContext, raw: unknown, token: CancellationToken, progress: WorkDoneProgressReporter): Promise<RewardScoreResult> {
  const params = checkParams(raw);
  // Trust first: nothing of an untrusted request is read.
  if (params.trusted !== true) throw new ResponseError(ErrorCodes.InvalidRequest, UNTRUSTED_REWARD_MESSAGE);
  const { uri } = params;
  const settings = await ctx.config.get(uri);
  const doc = ctx.documents.get(uri);
  const analysis = doc ? await scoringService(ctx).analysisOf(doc, settings, token) : await analyzeText(uri, 'plaintext', await readClosed(uri), settings);
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Reward scoring was cancelled.');
  if (doc && !analysis && ctx.documents.get(uri)?.version !== doc.version) {
    throw new ResponseError(LSPErrorCodes.ContentModified, `${uri} changed while it was being analysed; ask again.`);
  }
  const reports = analysis?.reports ?? [];
  const loaded = await loadConfig(params.config);
  progress.begin('UME: reward', 0, `0/${reports.length} sequences`, true);
  try {
    const signal = signalOf(token).signal;
    const scored = await scoreSequences(loaded, items(reports), {
      signal,
      batchSize: 32,
      onProgress: (done) => progress.report(reports.length ? Math.floor((100 * done) / reports.length) : 100, `${done}/${reports.length} sequences`),
    });
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Reward scoring was cancelled.');
    return {
      uri,
      version: doc?.version ?? null,
      config: params.config,
      aggregation: loaded.config.aggregation,
      components: loaded.config.components.map((c) => c.name),
      records: scored.map((r, i) => ({ ...r, range: reports[i]!.occurrence.range })),
      notes: loaded.notes,
      truncated: analysis?.truncated ?? false,
    };
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Reward scoring was cancelled.');
    throw new ResponseError(ErrorCodes.InternalError, `Reward scoring failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    progress.done();
    await loaded.close();
  }
}

/** The hover's config, built again only when the file changed; a failed build is not kept. */
async function hoverConfig(s: RewardState, path: string): Promise<LoadedReward> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(e.code === 'ENOENT' ? 'no such file' : e.message);
  });
  const key = `${path}\u0000${st.mtimeMs}\u0000${st.size}`;
  if (s.hover?.key !== key) {
    const old = s.hover;
    const loaded = loadConfig(path);
    s.hover = { key, loaded };
    loaded.catch(() => {
      if (s.hover?.loaded === loaded) s.hover = undefined;
    });
    void old?.loaded.then((l) => l.close(), () => undefined);
  }
  return s.hover!.loaded;
}

/**
 * Markdown for the hover's reward section, or null when no config is set. Problems (untrusted
 * workspace, missing or bad file) are said in the section, not thrown.
 */
export async function rewardHover(ctx: ServerContext, uri: string, settings: UmeSettings, report: SequenceReport, signal: AbortSignal): Promise<string | null> {
  const setting = settings.rewards.configFile;
  if (setting === '') return null;
  const label = basename(setting);
  const s = state(ctx);
  if (!s.trusted) return rewardHoverNote(label, 'not applied: this workspace is not trusted (a reward config reads the files and models it names).');
  const path = resolveSettingPath(setting, uri, await scoringService(ctx).folders());
  const run = s.chain.then(async () => {
    if (signal.aborted) return null;
    const loaded = await hoverConfig(s, path);
    loaded.resetMemory();
    const [r] = await scoreSequences(loaded, items([report]), { signal });
    return rewardHoverSection(label, loaded.config.aggregation, loaded.config.components.map((c) => c.name), r!);
  });
  s.chain = run.catch(() => undefined);
  try {
    return await run;
  } catch (e) {
    if (signal.aborted) return null;
    const message = e instanceof Error ? e.message : String(e);
    return rewardHoverNote(label, `cannot score with umeStudio.rewards.configFile = "${setting}" (${path}): ${message}`);
  }
}

export const rewardScoreFeature: Feature = {
  name: 'rewardScore',
  register(ctx) {
    ctx.connection.onNotification(workspaceTrustNotification.method, (p: WorkspaceTrustParams | null) => {
      state(ctx).trusted = p?.trusted === true;
    });
    ctx.connection.onRequest(rewardScoreRequest.method, async (params: unknown, token: CancellationToken) => {
      const workDone = (params as { workDoneToken?: string | number } | null)?.workDoneToken;
      return handleRewardScore(ctx, params, token, ctx.connection.window.attachWorkDoneProgress(workDone));
    });
  },
};
