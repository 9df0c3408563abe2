// The editor's side of training runs: sends the start request (which the server answers when the
// run ends) with a work-done progress token, shows that progress as a cancellable notification
// (cancel = stop with a checkpoint), follows the server's training events for the status bar and
// the runs view, and says how each run ended with buttons to its log and folder.

import * as vscode from 'vscode';
import { WorkDoneProgress, type WorkDoneProgressBegin, type WorkDoneProgressReport, type WorkDoneProgressEnd } from 'vscode-languageclient/node';
import type { TrainingEvent } from '../../../server/src/protocol/training-events';
import {
  startTrainingRequest,
  stopTrainingRequest,
  trainingEventNotification,
  trainingStatusRequest,
  type ActiveRun,
  type StartTrainingParams,
  type StartTrainingResult,
} from '../../../server/src/protocol/training-requests';
import type { Ctx } from '../ctx';
import { CommandId } from '../command-ids';
import { endMessage } from './format';

/** Context key true while a run trains (palette `when` clauses). */
export const RUNNING_CONTEXT = 'umeStudio.training.running';

export class TrainingController implements vscode.Disposable {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly changed = new vscode.EventEmitter<TrainingEvent | undefined>();
  /** Fires on every training event (and with undefined after a resync). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private progressCounter = 0;

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      ctx.onServerNotification(trainingEventNotification, (e) => this.onEvent(e)),
      ctx.onDidStartServer(() => void this.resync()),
    );
    // Known from the start, so that the palette's `when` clauses need not wait for the server.
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
  }

  /** Runs training now (as the server reported them). */
  get active(): ActiveRun[] {
    return [...this.runs.values()];
  }

  activeRun(runDir: string): ActiveRun | undefined {
    return this.runs.get(runDir);
  }

  /** Asks the server which runs it trains (after a start or restart of the server). */
  async resync(): Promise<void> {
    try {
      const { active } = await this.ctx.request(trainingStatusRequest, {});
      this.runs.clear();
      for (const r of active) this.runs.set(r.runDir, r);
    } catch (e) {
      this.ctx.output.warn(`Could not ask the server for its training runs: ${(e as Error).message}`);
      this.runs.clear();
    }
    this.update(undefined);
  }

  private update(e: TrainingEvent | undefined): void {
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, this.runs.size > 0);
    this.changed.fire(e);
  }

  private onEvent(e: TrainingEvent): void {
    let run = this.runs.get(e.run_dir);
    if (!run && e.type !== 'finished' && e.type !== 'failed') {
      run = { runDir: e.run_dir, runName: e.run_dir.split(/[\\/]/).pop() ?? e.run_dir, startedAt: e.time, step: 0, totalSteps: null, reward: null, etaS: null, tokensPerS: null, resumedFrom: null, evalOnly: false, stopping: false };
      this.runs.set(e.run_dir, run);
    }
    switch (e.type) {
      case 'started':
        run!.totalSteps = e.total_steps;
        run!.resumedFrom = e.resumed_from;
        break;
      case 'step':
        Object.assign(run!, { step: e.step, totalSteps: e.total_steps, reward: e.reward, etaS: e.eta_s, tokensPerS: Number.isFinite(e.tokens_per_s) ? e.tokens_per_s : null });
        break;
      case 'log':
        this.ctx.output.info(`[${run!.runName}] ${e.message}`);
        break;
      case 'finished':
      case 'failed':
        this.runs.delete(e.run_dir);
        break;
    }
    this.update(e);
  }

  /**
   * Starts a run and follows it to its end in the background. Resolves once the server has
   * accepted it (its first event) or refused it (then rejects with the server's reason).
   */
  start(params: Omit<StartTrainingParams, 'workDoneToken'>, title: string): Promise<void> {
    const client = this.ctx.client;
    if (!client?.isRunning()) return Promise.reject(new Error('The UME Studio language server is not running. Run "UME: Restart Server".'));
    const token = `ume-training-${Date.now()}-${++this.progressCounter}`;
    let wasAccepted = false;
    let accepted: () => void = () => undefined;
    let refused: (e: Error) => void = () => undefined;
    const acceptance = new Promise<void>((res, rej) => {
      accepted = () => {
        wasAccepted = true;
        res();
      };
      refused = rej;
    });
    const firstEvent = this.onDidChange((e) => {
      if (e) accepted();
    });
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, cancel) => {
      let reported = 0;
      const sub = client.onProgress(WorkDoneProgress.type, token, (v: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
        if (v.kind === 'end') return;
        const pct = v.percentage;
        const increment = pct !== undefined ? Math.max(0, pct - reported) : undefined;
        if (pct !== undefined) reported = Math.max(reported, pct);
        progress.report({ ...(v.message !== undefined ? { message: v.message } : {}), ...(increment !== undefined ? { increment } : {}) });
      });
      // Cancel = stop after the current step with a checkpoint; the request answers when the run has ended.
      const onCancel = cancel.onCancellationRequested(() => {
        progress.report({ message: 'stopping after this step (writing a checkpoint)…' });
        const run = this.active[0];
        if (run) run.stopping = true;
        this.update(undefined);
      });
      const source = new vscode.CancellationTokenSource();
      const forward = cancel.onCancellationRequested(() => source.cancel());
      try {
        const result = (await client.sendRequest(startTrainingRequest.method, { ...params, workDoneToken: token }, source.token)) as StartTrainingResult;
        accepted();
        void this.announce(result);
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        if (!wasAccepted) refused(err);
        else {
          // The run was going when the answer was lost (the language server stopped or restarted):
          // the server asked it for a checkpoint and a stop on its way out.
          const text = `UME: lost track of the training run (${err.message}). It stops after its current step with a checkpoint; resume it with "UME: Resume Training Run".`;
          this.ctx.output.warn(text);
          void vscode.window.showWarningMessage(text, 'Show Log').then((b) => b && this.ctx.output.show(true));
        }
      } finally {
        sub.dispose();
        onCancel.dispose();
        forward.dispose();
        source.dispose();
        firstEvent.dispose();
        void this.resync();
      }
    });
    return acceptance;
  }

  /** Asks the runs (or one) to stop after their current step with a checkpoint; returns the runs asked. */
  async stop(runDir?: string): Promise<string[]> {
    const { stopping } = await this.ctx.request(stopTrainingRequest, { ...(runDir ? { runDir } : {}), reason: 'stopped from the editor' });
    for (const d of stopping) {
      const r = this.runs.get(d);
      if (r) r.stopping = true;
    }
    this.update(undefined);
    return stopping;
  }

  private async announce(r: StartTrainingResult): Promise<void> {
    const text = endMessage(r);
    this.ctx.output[r.outcome === 'failed' ? 'error' : 'info'](text);
    const buttons = r.outcome === 'failed' ? ['Show Log', 'Open Run Folder'] : r.outcome === 'stopped' ? ['Resume', 'Open Dashboard'] : ['Open Dashboard', 'Open Run Folder'];
    const show = r.outcome === 'failed' ? vscode.window.showErrorMessage : r.outcome === 'stopped' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const pick = await show(text, ...buttons);
    if (pick === 'Show Log') this.ctx.output.show(true);
    if (pick === 'Open Run Folder') await vscode.commands.executeCommand(CommandId.openRunFolder, r.runDir);
    if (pick === 'Open Dashboard') await vscode.commands.executeCommand(CommandId.openDashboard, r.runDir);
    if (pick === 'Resume') await vscode.commands.executeCommand(CommandId.resumeTraining, r.runDir);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
