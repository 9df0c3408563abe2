// Custom LSP messages between the UME language server and its clients, one typed definition each
// (in the spirit of rust-analyzer's lsp_ext.ts). Plain method names and types, no protocol-library
// import: the client and server bundle different vscode-languageserver-protocol copies, and the
// webview must be able to import these types too.

import type { DetectRecord } from './detect-record';
import type { ScoreParams, ScoreResult } from './score';
import type { RewardScoreParams, RewardScoreResult, WorkspaceTrustParams } from './reward-config';

/** A request: its method name and, as phantom types, its params and result. */
export interface RequestDef<P, R> {
  readonly method: string;
  /** Never set; carries the types for the typed send/handle helpers. */
  readonly __types?: { params: P; result: R };
}

/** A notification: its method name and, as a phantom type, its params. */
export interface NotificationDef<P> {
  readonly method: string;
  readonly __types?: { params: P };
}

export type ParamsOf<D> = D extends RequestDef<infer P, unknown> ? P : D extends NotificationDef<infer P> ? P : never;
export type ResultOf<D> = D extends RequestDef<unknown, infer R> ? R : never;

export interface AnalyzeDocumentParams {
  /** URI of a document the server knows (open in the editor) or a file: URI it can read. */
  uri: string;
}

export interface AnalyzeDocumentResult {
  uri: string;
  /** Version of the open document analysed, or null when read from disk. */
  version: number | null;
  /** The same records `ume-studio detect --json` prints, `file` being the URI. */
  records: DetectRecord[];
  truncated: boolean;
}

/** Runs detection on a whole document now (no debounce) and returns what the CLI would print. */
export const analyzeDocumentRequest: RequestDef<AnalyzeDocumentParams, AnalyzeDocumentResult> = {
  method: 'ume/analyzeDocument',
};

/**
 * UME scores of the sequences in a document (or a range of it): reward, PLL, perplexity and per-token
 * log-probs. Supports work-done progress and cancellation; fails with a readable error when the
 * model cannot be loaded. Types in score.ts.
 */
export const scoreRequest: RequestDef<ScoreParams, ScoreResult> = { method: 'ume/score' };

/**
 * Every sequence of a document scored with a reward config (docs/rewards.md): per sequence each
 * component's raw and transformed value and the total, as `ume-studio reward --json` prints them.
 * Refused unless `trusted` is true. Work-done progress and cancellation as `ume/score`.
 */
export const rewardScoreRequest: RequestDef<RewardScoreParams, RewardScoreResult> = { method: 'ume/scoreWithRewardConfig' };

/**
 * Client -> server: the workspace's trust. Until a client says it is trusted, the server applies no
 * reward config (the hover's reward section stays off).
 */
export const workspaceTrustNotification: NotificationDef<WorkspaceTrustParams> = { method: 'ume/workspaceTrust' };

export type ServerHealth = 'ok' | 'warning' | 'error';

export interface ServerStatusParams {
  health: ServerHealth;
  /** Documents waiting for or under analysis. */
  pending: number;
  /** Why health is not ok (e.g. invalid settings), in words for the user. */
  message?: string;
}

/** Server -> client: what the status bar shows. Sent on start, on config changes and when busy changes. */
export const serverStatusNotification: NotificationDef<ServerStatusParams> = { method: 'ume/serverStatus' };
