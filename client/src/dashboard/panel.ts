// The training dashboard in VS Code: one WebviewPanel showing the page of webview/ for a set of run
// folders. The run data comes from server/src/dashboard/source.ts (the same reader the 127.0.0.1
// server uses): an `init` when the page says it is ready (again after every reload of the page),
// then only what is new. Opening it for more runs adds them to the panel and puts them on the
// charts. The run folders are kept in workspaceState so the serializer can bring the panel back
// after a window reload; the page keeps its own view settings with getState/setState. The page is
// kept while its tab is hidden (retainContextWhenHidden): rebuilding it costs ~4 s for a 10k-step
// run (docs/benchmarks.md, dashboard), too much for switching between a file and the charts, and
// it keeps receiving live updates meanwhile.

import * as vscode from 'vscode';
import { basename, resolve } from 'node:path';
import { DashboardSource } from '../../../server/src/dashboard/source';
import { answerDashboardRequest } from '../../../server/src/dashboard/answer';
import { findDashboardAssets } from '../../../server/src/dashboard/assets';
import type { HostMessage, PageMessage } from '../../../server/src/protocol/dashboard';
import type { Ctx } from '../ctx';
import { dashboardWebviewHtml } from './webview-html';
import { parsePageMessage, safeFileName } from './page-messages';
import { DASHBOARD_VIEW_TYPE } from './view-type';

/** workspaceState key of the panel's run folders (restored after a reload). */
const RUNS_KEY = 'umeStudio.dashboard.runDirs';
/** Most runs one panel holds; the ones opened longest ago go first. */
export const MAX_PANEL_RUNS = 16;

/** Where the panel shows: where the user is ('active'), or next to their editor with the focus kept ('beside'). */
export type DashboardPlacement = 'active' | 'beside';

/** What the panel has done, for the extension-host tests (extension exports). */
export interface DashboardPanelStatus {
  open: boolean;
  /** `ready` messages received from the page (one per page load). */
  ready: number;
  /** `init` messages sent, and the runs the last one carried (names and metric rows each). */
  inits: number;
  runs: Array<{ name: string; dir: string; rows: number }>;
  focus: string[];
  updates: number;
  problems: string[];
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;

  private source: DashboardSource | null = null;
  private connection: { close(): void } | null = null;
  private opening: Promise<void> = Promise.resolve();
  private dirs: string[] = [];
  private focus: string[] = [];
  private pageReady = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stats: Omit<DashboardPanelStatus, 'open'> = { ready: 0, inits: 0, runs: [], focus: [], updates: 0, problems: [] };

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
  ) {
    const assets = assetsRoot(ctx);
    panel.webview.options = webviewOptions(assets);
    panel.webview.html = dashboardWebviewHtml(panel.webview, assets, 'UME Studio dashboard');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onPageMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.window.onDidChangeActiveColorTheme(() => this.post({ type: 'theme' })),
    );
  }

  /**
   * Opens the panel (or brings it forward) with these runs added and put on the charts. `beside`
   * (a run that just started or resumed) puts it next to the editor without taking the focus, so
   * the user keeps typing in the file they were in; asked for by name it opens where they are.
   */
  static async show(ctx: Ctx, runDirs: readonly string[], placement: DashboardPlacement = 'active'): Promise<DashboardPanel> {
    const asked = unique(runDirs.map((d) => resolve(d)));
    const preserveFocus = placement === 'beside';
    let p = DashboardPanel.current;
    if (p) {
      p.panel.reveal(p.panel.viewColumn ?? vscode.ViewColumn.Active, preserveFocus);
    } else {
      findDashboardAssets(assetsRoot(ctx).fsPath); // a clear error when the page was never built
      const column = preserveFocus ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'UME Dashboard', { viewColumn: column, preserveFocus }, { ...webviewOptions(assetsRoot(ctx)), enableFindWidget: true, retainContextWhenHidden: true });
      p = DashboardPanel.current = new DashboardPanel(ctx, panel);
    }
    await p.setRuns(unique([...p.dirs.filter((d) => !asked.includes(d)), ...asked]).slice(-MAX_PANEL_RUNS), asked);
    return p;
  }

  /** The serializer's side: a panel VS Code restored after a reload gets its runs back. */
  static revive(ctx: Ctx, panel: vscode.WebviewPanel): Promise<void> {
    DashboardPanel.current?.panel.dispose();
    const p = (DashboardPanel.current = new DashboardPanel(ctx, panel));
    const saved = ctx.extension.workspaceState.get<unknown>(RUNS_KEY);
    const dirs = Array.isArray(saved) ? saved.filter((d): d is string => typeof d === 'string').slice(-MAX_PANEL_RUNS) : [];
    return p.setRuns(dirs, []);
  }

  static status(): DashboardPanelStatus {
    const p = DashboardPanel.current;
    return p ? { open: true, ...p.stats, runs: [...p.stats.runs], focus: [...p.stats.focus], problems: [...p.stats.problems] } : { open: false, ready: 0, inits: 0, runs: [], focus: [], updates: 0, problems: [] };
  }

  /** Replaces the panel's runs (re-reading them once) and tells the page when it listens. */
  private setRuns(dirs: string[], focus: string[]): Promise<void> {
    this.opening = this.opening.then(async () => {
      this.dirs = dirs;
      this.focus = focus;
      this.panel.title = dirs.length === 1 ? `UME Dashboard: ${basename(dirs[0]!)}` : dirs.length ? `UME Dashboard: ${dirs.length} runs` : 'UME Dashboard';
      void this.ctx.extension.workspaceState.update(RUNS_KEY, dirs);
      const next = await DashboardSource.open(dirs);
      next.follow();
      this.connection?.close();
      this.connection = null;
      this.source?.stop();
      this.source = next;
      if (this.pageReady) this.connect();
    });
    return this.opening;
  }

  /** init now, updates after: what a page that just (re)loaded needs. */
  private connect(): void {
    if (!this.source) return;
    this.connection?.close();
    const conn = this.source.connect('vscode', (m) => {
      this.stats.updates++;
      this.post(m);
    });
    this.connection = conn;
    const focus = conn.init.runs.filter((r) => this.focus.includes(resolve(r.dir))).map((r) => r.id);
    this.stats.inits++;
    this.stats.runs = conn.init.runs.map((r) => ({ name: r.name, dir: r.dir, rows: r.metrics.rows.length }));
    this.stats.focus = focus;
    this.stats.problems = conn.init.runs.flatMap((r) => r.problems.map((x) => `${r.name}: ${x}`));
    this.post({ ...conn.init, focus });
  }

  private post(m: HostMessage): void {
    void this.panel.webview.postMessage(m).then(undefined, () => undefined);
  }

  private async onPageMessage(raw: unknown): Promise<void> {
    const m = parsePageMessage(raw);
    if (!m) return;
    try {
      await this.handle(m);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.ctx.output.error(`dashboard: ${m.type}: ${message}`);
      void vscode.window.showErrorMessage(`UME dashboard: ${message}`);
    }
  }

  private async handle(m: PageMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.stats.ready++;
        this.pageReady = true;
        await this.opening;
        this.connect();
        return;
      case 'request': {
        await this.opening;
        const a = this.source ? await answerDashboardRequest(this.source, m.request) : { error: 'the dashboard has no runs open', bad: false };
        this.post('result' in a ? { type: 'response', id: m.id, result: a.result } : { type: 'response', id: m.id, error: a.error });
        return;
      }
      case 'openText': {
        const known = await vscode.languages.getLanguages();
        const language = m.language && known.includes(m.language) ? m.language : 'plaintext';
        const doc = await vscode.workspace.openTextDocument({ content: m.text, language });
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return;
      }
      case 'saveFile': {
        const name = safeFileName(m.name);
        const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? (this.dirs[0] ? vscode.Uri.file(this.dirs[0]) : undefined);
        const ext = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1];
        const uri = await vscode.window.showSaveDialog({ title: 'Save dashboard export', ...(base ? { defaultUri: vscode.Uri.joinPath(base, name) } : {}), ...(ext ? { filters: { [ext.toUpperCase()]: [ext] } } : {}) });
        if (!uri) return;
        await vscode.workspace.fs.writeFile(uri, Buffer.from(m.base64, 'base64'));
        this.ctx.output.info(`dashboard: saved ${uri.fsPath}`);
        return;
      }
      case 'log':
        if (m.level === 'error') this.ctx.output.error(`dashboard page: ${m.message}`);
        else this.ctx.output.info(`dashboard page: ${m.message}`);
        return;
    }
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.connection?.close();
    this.source?.stop();
    this.source = null;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function assetsRoot(ctx: Ctx): vscode.Uri {
  return vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview');
}

/** Scripts on (the page is our bundle, by nonce), nothing but dist/webview readable, no command links or forms. */
function webviewOptions(root: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, enableForms: false, localResourceRoots: [root] };
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
