// "UME: Toggle Likelihood Heat Map": colours each token of the sequences in view by its UME log-prob
// (from `ume/score` on the visible lines), with the log-prob in a hover on each token. Refreshed
// (debounced) when the document changes, the view scrolls or the scoring settings change; cleared
// when toggled off. One heat map per Ctx.

import * as vscode from 'vscode';
import { scoreRequest } from '../../server/src/protocol/requests';
import type { ScoreResult } from '../../server/src/protocol/score';
import type { Ctx } from './ctx';

/**
 * Buckets by natural-log probability: a uniform guess over the 20 amino acids is about -3.0, over
 * 4 bases -1.4. Translucent colours read on light and dark themes alike.
 */
const BUCKETS: ReadonlyArray<{ min: number; color: string; label: string }> = [
  { min: -1, color: 'rgba(46, 160, 67, 0.22)', label: 'likely' },
  { min: -2, color: 'rgba(190, 170, 0, 0.22)', label: 'plausible' },
  { min: -3, color: 'rgba(230, 130, 0, 0.28)', label: 'unlikely' },
  { min: -4.5, color: 'rgba(230, 70, 0, 0.36)', label: 'very unlikely' },
  { min: -Infinity, color: 'rgba(220, 20, 20, 0.46)', label: 'least likely' },
];

export function bucketOf(logprob: number): number {
  const i = BUCKETS.findIndex((b) => logprob >= b.min);
  return i < 0 ? BUCKETS.length - 1 : i;
}

const DEBOUNCE_MS = 400;
/** Lines scored above and below the visible ones, so short scrolls need no new request. */
const MARGIN_LINES = 40;

class HeatMap implements vscode.Disposable {
  private enabled = false;
  private readonly types = BUCKETS.map((b, i) =>
    vscode.window.createTextEditorDecorationType({
      backgroundColor: b.color,
      ...(i === BUCKETS.length - 1 ? { overviewRulerColor: b.color, overviewRulerLane: vscode.OverviewRulerLane.Right } : {}),
    }),
  );
  private readonly timers = new Map<vscode.TextEditor, NodeJS.Timeout>();
  private readonly requests = new Map<vscode.TextEditor, vscode.CancellationTokenSource>();
  private readonly listeners: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {}

  toggle(): boolean {
    this.enabled = !this.enabled;
    if (this.enabled) {
      this.listeners.push(
        vscode.window.onDidChangeVisibleTextEditors((eds) => eds.forEach((e) => this.schedule(e, 0))),
        vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.schedule(e.textEditor, DEBOUNCE_MS)),
        vscode.workspace.onDidChangeTextDocument((e) => {
          for (const ed of vscode.window.visibleTextEditors) if (ed.document === e.document) this.schedule(ed, DEBOUNCE_MS);
        }),
        vscode.workspace.onDidChangeConfiguration((e) => {
          if (e.affectsConfiguration('umeStudio')) vscode.window.visibleTextEditors.forEach((ed) => this.schedule(ed, DEBOUNCE_MS));
        }),
      );
      vscode.window.visibleTextEditors.forEach((e) => this.schedule(e, 0));
    } else {
      this.stopAll();
    }
    return this.enabled;
  }

  private schedule(editor: vscode.TextEditor, delay: number): void {
    if (!this.enabled) return;
    clearTimeout(this.timers.get(editor));
    this.timers.set(
      editor,
      setTimeout(() => {
        this.timers.delete(editor);
        void this.refresh(editor);
      }, delay),
    );
  }

  private async refresh(editor: vscode.TextEditor): Promise<void> {
    const doc = editor.document;
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return;
    this.requests.get(editor)?.cancel();
    const source = new vscode.CancellationTokenSource();
    this.requests.set(editor, source);
    const first = Math.min(...editor.visibleRanges.map((r) => r.start.line));
    const last = Math.max(...editor.visibleRanges.map((r) => r.end.line));
    const range = {
      start: { line: Math.max(0, (Number.isFinite(first) ? first : 0) - MARGIN_LINES), character: 0 },
      end: { line: (Number.isFinite(last) ? last : 0) + MARGIN_LINES, character: 0 },
    };
    const version = doc.version;
    let result: ScoreResult;
    try {
      result = await this.ctx.request(scoreRequest, { uri: doc.uri.toString(), range }, source.token);
    } catch (error) {
      if (!source.token.isCancellationRequested) this.ctx.output.warn(`Heat map for ${doc.uri.toString()}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    } finally {
      if (this.requests.get(editor) === source) this.requests.delete(editor);
    }
    // A result for an older text would colour the wrong characters; the newer edit schedules another.
    if (!this.enabled || source.token.isCancellationRequested || doc.version !== version || (result.version !== null && result.version !== version)) return;
    const perBucket: vscode.DecorationOptions[][] = BUCKETS.map(() => []);
    for (const s of result.sequences) {
      for (const t of s.tokens) {
        const b = bucketOf(t.logprob);
        const hover = new vscode.MarkdownString(`UME log-prob **${t.logprob.toFixed(3)}** (${BUCKETS[b]!.label}) · position ${t.position} · ${s.model}, ${s.mode}`);
        perBucket[b]!.push({ range: new vscode.Range(t.range.start.line, t.range.start.character, t.range.end.line, t.range.end.character), hoverMessage: hover });
      }
    }
    this.types.forEach((type, i) => editor.setDecorations(type, perBucket[i]!));
  }

  private stopAll(): void {
    for (const d of this.listeners.splice(0)) d.dispose();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.requests.values()) s.cancel();
    this.requests.clear();
    for (const ed of vscode.window.visibleTextEditors) for (const type of this.types) ed.setDecorations(type, []);
  }

  dispose(): void {
    this.stopAll();
    for (const t of this.types) t.dispose();
  }
}

const heatMaps = new WeakMap<Ctx, HeatMap>();

export function toggleHeatMap(ctx: Ctx): void {
  let h = heatMaps.get(ctx);
  if (!h) {
    h = new HeatMap(ctx);
    heatMaps.set(ctx, h);
    ctx.extension.subscriptions.push(h);
  }
  const on = h.toggle();
  void vscode.window.setStatusBarMessage(`UME likelihood heat map ${on ? 'on' : 'off'}`, 2500);
}
