// The "UME Runs" view: the run folders under the output folder (running / finished / failed /
// stopped / interrupted, steps, best reward), with their checkpoints as children. Refreshed on
// training events and by a file watcher on the runs' status and summary files.

import * as vscode from 'vscode';
import { listRunsRequest, type RunCheckpointInfo, type RunInfo } from '../../../server/src/protocol/training-requests';
import type { Ctx } from '../ctx';
import { CommandId } from '../command-ids';
import type { TrainingController } from './controller';
import { runDescription, runIcon, runTooltip } from './format';
import { outputDir } from './workspace';

export const RUNS_VIEW_ID = 'umeStudio.runs';

export type RunsNode = { kind: 'run'; run: RunInfo } | { kind: 'checkpoint'; run: RunInfo; checkpoint: RunCheckpointInfo } | { kind: 'message'; text: string };

export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watcher: vscode.FileSystemWatcher | undefined;
  private watchedDir = '';
  private runs: RunInfo[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly training: TrainingController,
  ) {
    this.disposables.push(
      // Steps change the description; starts and ends change the list.
      training.onDidChange(() => this.refreshSoon()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('umeStudio.training.outputDir')) this.refreshSoon();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refreshSoon()),
      ctx.onDidStartServer(() => this.refreshSoon()),
    );
  }

  /** The runs last listed (for pickers). */
  get listed(): readonly RunInfo[] {
    return this.runs;
  }

  /** Coalesces bursts (a step writes status, metrics and completions at once). */
  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(undefined), 300);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  private watch(dir: string): void {
    if (dir === this.watchedDir) return;
    this.watcher?.dispose();
    this.watchedDir = dir;
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*/{status,summary,config}.json'));
    const go = (): void => this.refreshSoon();
    w.onDidCreate(go);
    w.onDidChange(go);
    w.onDidDelete(go);
    this.watcher = w;
  }

  /** Lists the runs through the server (engine/runs/list.ts). */
  async list(): Promise<RunInfo[]> {
    const dir = outputDir();
    this.watch(dir);
    const { runs } = await this.ctx.request(listRunsRequest, { outputDir: dir });
    this.runs = runs;
    return runs;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (node?.kind === 'run') return [...node.run.checkpoints].reverse().map((checkpoint) => ({ kind: 'checkpoint', run: node.run, checkpoint }));
    if (node) return [];
    let runs: RunInfo[];
    try {
      runs = await this.list();
    } catch (e) {
      return [{ kind: 'message', text: (e as Error).message }];
    }
    return runs.map((run) => ({ kind: 'run', run }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
    if (node.kind === 'checkpoint') {
      const item = new vscode.TreeItem(`checkpoint step ${node.checkpoint.step}`, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon('save');
      item.contextValue = 'umeCheckpoint';
      item.tooltip = node.checkpoint.dir;
      item.resourceUri = vscode.Uri.file(node.checkpoint.dir);
      item.command = { title: 'Reveal Checkpoint', command: CommandId.revealCheckpoint, arguments: [node] };
      return item;
    }
    const r = node.run;
    const live = this.training.activeRun(r.dir);
    const state = live ? 'running' : r.state;
    const item = new vscode.TreeItem(r.name, r.checkpoints.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = r.dir;
    item.description = runDescription({ ...r, state }, live);
    item.tooltip = new vscode.MarkdownString(runTooltip({ ...r, state }));
    const icon = runIcon(state);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    // Context values drive the inline and context menus (package.json view/item/context).
    item.contextValue = `umeRun.${state}${r.checkpoints.length ? '.resumable' : ''}`;
    item.command = { title: 'Open Dashboard', command: CommandId.openDashboard, arguments: [r.dir] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
