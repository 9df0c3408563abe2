// Messages between the dashboard page (webview/) and whoever hosts it: the VS Code panel
// (client/src/dashboard/), the 127.0.0.1 server of `ume-studio dashboard` (server/src/dashboard/),
// or the data inlined in an exported report. The host sends one `init`, then `update`s carrying
// only what is new; the page asks for a step's completions or a generation log with `request`.
//
// Metrics travel column-keyed: each run has a list of metric keys fixed at `init` and extended by
// `update.metrics.keys`, and each row is an array aligned to that list (trailing nulls trimmed), so
// a live update of one step costs its numbers, not its key names.

import type { CompletionRow, GenerationLog, Histogram, RunConfigFile, RunStatus, RunSummary } from './run-format';

export type DashboardHostKind = 'vscode' | 'browser' | 'static';

export type MetricCell = number | Histogram | null;

export interface MetricsBatch {
  /** Keys appended to the run's key list before these rows are read. */
  keys: string[];
  /** One array per metrics row, aligned to the run's key list (after appending `keys`). */
  rows: MetricCell[][];
  /** The rows as columns instead (then `rows` is empty): how the 127.0.0.1 server sends `init`. */
  packed?: PackedMetrics;
}

/**
 * A batch's rows as typed columns, aligned to the run's key list like a row's cells. A 10k-step
 * run's rows are an 11 MB JSON event whose numbers the server must print and the page parse one by
 * one; as little-endian float64 in base64 the numbers are copied, not printed or parsed, and take
 * 10.7 characters each instead of up to 24.
 */
export interface PackedMetrics {
  /** Rows in the batch. */
  length: number;
  /** By key index: base64 of `length` float64 (NaN where the row has no number), or null when no row has one. */
  numbers: Array<string | null>;
  /** Histogram cells: for a key index, the rows that hold one, each one's bin count, and all bins and all edges (count + 1 each) concatenated, base64 float64. */
  histograms: Array<{ key: number; rows: number[]; sizes: number[]; bins: string; edges: string }>;
}

export interface DashboardRun {
  /** Stable id within this dashboard (the folder name, made unique). */
  id: string;
  name: string;
  dir: string;
  config: RunConfigFile | null;
  status: RunStatus | null;
  summary: RunSummary | null;
  metrics: MetricsBatch;
  completionSteps: number[];
  generationLogSteps: number[];
  problems: string[];
}

export interface RunUpdateMessage {
  type: 'update';
  runId: string;
  metrics?: MetricsBatch;
  /** metrics.jsonl was cut back (a resume): drop the run's rows (and keys) before reading `metrics`. */
  metricsReset?: boolean;
  completionSteps?: number[];
  generationLogSteps?: number[];
  config?: RunConfigFile;
  status?: RunStatus;
  summary?: RunSummary;
  problems?: string[];
}

export type DashboardRequest =
  | { kind: 'completions'; runId: string; step: number }
  | { kind: 'generationLog'; runId: string; step: number }
  /** 2D drawings of SMILES (RDKit SVG, the run's SMARTS patterns highlighted), drawn by the host. */
  | { kind: 'molecules'; runId: string; smiles: string[] };

export interface DashboardResponses {
  completions: { rows: CompletionRow[]; problems: string[] };
  generationLog: GenerationLog | null;
  /** SVG text by SMILES; null when RDKit cannot parse it or it is too large to draw. */
  molecules: Record<string, string | null>;
}

export type HostMessage =
  | { type: 'init'; host: DashboardHostKind; live: boolean; runs: DashboardRun[]; focus?: string[] }
  | RunUpdateMessage
  | { type: 'response'; id: number; result?: DashboardResponses[DashboardRequest['kind']]; error?: string }
  | { type: 'theme' };

/**
 * What the 127.0.0.1 server's event stream carries: host messages, but the `init` as a link to
 * fetch once (`initAt`): Chromium's EventSource hands a megabyte event to the page in about 0.4 s
 * where a fetched JSON body takes a fraction of that. The page holds back the updates that arrive
 * before that init is applied, so it sees the same sequence as with the init on the stream.
 */
export type DashboardStreamEvent = HostMessage | { type: 'initAt'; url: string };

export type PageMessage =
  | { type: 'ready' }
  | { type: 'request'; id: number; request: DashboardRequest }
  /** Open text (a sample) in an editor tab. */
  | { type: 'openText'; text: string; language?: string }
  /** Save an export (CSV, PNG) where the user chooses. */
  | { type: 'saveFile'; name: string; mime: string; base64: string }
  | { type: 'log'; level: 'info' | 'error'; message: string };

/**
 * What the page script reads from `<script type="application/json" id="ume-boot">`. Molecules are
 * drawn by the host (RDKit.js's embind glue needs 'unsafe-eval', which no dashboard page allows),
 * so the page itself runs no wasm and no eval.
 */
export interface DashboardBoot {
  host: DashboardHostKind;
  /** The host answers `molecules` requests. */
  molecules: boolean;
  /** Static export: the id of the script element holding the `init` message and the responses. */
  dataElement?: string;
  title?: string;
}

/** Everything a static export inlines: the init message plus every answer the page may ask for. */
export interface StaticDashboardData {
  init: Extract<HostMessage, { type: 'init' }>;
  completions: Record<string, Record<number, DashboardResponses['completions']>>;
  generationLogs: Record<string, Record<number, GenerationLog | null>>;
  /** Drawings of the runs' SMILES completions, by run and SMILES. */
  molecules: Record<string, Record<string, string | null>>;
}
