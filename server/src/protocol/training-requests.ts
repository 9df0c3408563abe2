// Custom LSP messages for training runs started from the editor. The language server forks the
// training process (trainer/launch.ts) and stays responsive; the client shows progress, the status
// bar, the runs view and notifications from what these messages carry. Types only, no protocol
// library (see requests.ts).

import type { RequestDef, NotificationDef } from './requests';
import type { RunSummary } from './run-format';
import type { TrainingEvent } from './training-events';
import type { RunInfo } from '../engine/runs/list';

export type { RunInfo, RunCheckpointInfo, ListedRunState } from '../engine/runs/list';

/** Where a resume starts: a run folder and one of its checkpoints (a folder) or the newest. */
export interface ResumePoint {
  runDir: string;
  checkpoint: string | 'latest';
  /**
   * Settings to change on resume; only those a resume may change (RESUME_MUTABLE_KEYS: device,
   * max_steps, evaluation and checkpoint retention...) are accepted, others are refused by name.
   */
  overrides?: Record<string, unknown>;
}

export interface StartTrainingParams {
  /**
   * The client's word that the workspace is trusted (VS Code: workspace.isTrusted). A run executes
   * reward configurations and reads the files a workspace's settings name, so a request without
   * `trusted: true` is refused.
   */
  trusted: boolean;
  /** Folder that relative paths in the settings are resolved against (the workspace folder), or null. */
  baseDir: string | null;
  /**
   * Config layers, lowest first, TRL key names (engine/training/config.ts): e.g. a preset, the
   * user's umeStudio.training.* settings, then the quick-pick choices. Ignored for a resume, which
   * takes the run's own config.json.
   */
  layers: Array<Record<string, unknown>>;
  resume?: ResumePoint;
  /** Score the held-out prompts with the policy and write a generation log; no training. */
  evalOnly?: boolean;
  /** Client-initiated work-done progress token (LSP); the server reports steps on it. */
  workDoneToken?: string | number;
}

export type TrainingOutcome = 'finished' | 'stopped' | 'failed';

export interface StartTrainingResult {
  runDir: string;
  runName: string;
  outcome: TrainingOutcome;
  /** Steps done when the run ended. */
  step: number;
  totalSteps: number | null;
  /** Why it failed or stopped, in words. */
  message: string | null;
  summary: RunSummary | null;
  lastCheckpoint: string | null;
}

/**
 * Starts (or resumes) a run and answers when it ends: finished, stopped (with a checkpoint) or
 * failed. Reports each step as work-done progress; cancelling the request stops the run after the
 * current step with a checkpoint. Bad settings, an untrusted workspace or a run already training
 * fail the request at once with the reason. Every event also goes out as trainingEventNotification.
 */
export const startTrainingRequest: RequestDef<StartTrainingParams, StartTrainingResult> = { method: 'ume/training/start' };

export interface StopTrainingParams {
  /** The run to stop; absent: every active run. */
  runDir?: string;
  reason?: string;
}

/** Asks active runs for a checkpoint and a clean stop after the current step; answers with the runs asked. */
export const stopTrainingRequest: RequestDef<StopTrainingParams, { stopping: string[] }> = { method: 'ume/training/stop' };

/** A run this server is training now. */
export interface ActiveRun {
  runDir: string;
  runName: string;
  /** Unix ms. */
  startedAt: number;
  step: number;
  totalSteps: number | null;
  /** The last step's mean reward. */
  reward: number | null;
  etaS: number | null;
  tokensPerS: number | null;
  resumedFrom: string | null;
  evalOnly: boolean;
  /** A stop was asked for; the run ends after its current step. */
  stopping: boolean;
}

/** The runs training now (after a client restart, the status bar and the runs view start from it). */
export const trainingStatusRequest: RequestDef<Record<string, never>, { active: ActiveRun[] }> = { method: 'ume/training/status' };

export interface ListRunsParams {
  /** Absolute output folder. */
  outputDir: string;
}

/** The run folders under an output folder (engine/runs/list.ts), newest first; runs this server trains are "running". */
export const listRunsRequest: RequestDef<ListRunsParams, { runs: RunInfo[] }> = { method: 'ume/training/listRuns' };

export interface SyntheticDatasetParams {
  /** Absolute folder to write train/validation/test/full.jsonl and manifest.json into. */
  outDir: string;
  seed?: number;
  perModality?: number;
  /** Replace existing files whose contents differ. */
  overwrite?: boolean;
}

export interface SyntheticDatasetResult {
  outDir: string;
  files: Array<{ path: string; rows: number | null; changed: boolean }>;
}

/** Writes lobster's synthetic prompt dataset (made valid), as `ume-studio dataset synthetic` does. */
export const syntheticDatasetRequest: RequestDef<SyntheticDatasetParams, SyntheticDatasetResult> = { method: 'ume/training/syntheticDataset' };

/** Server -> client: every event of every run this server trains, as the training process sent it. */
export const trainingEventNotification: NotificationDef<TrainingEvent> = { method: 'ume/training/event' };
