// The dashboard page: header (runs, live state), toolbar (smoothing, x axis, zoom, theme), tabs
// (charts, samples, evaluations, runs). Host messages go through the store; each change redraws
// only what it touched, once per animation frame. View settings are saved with the transport
// (VS Code's setState, or localStorage) so a reload comes back where it was.

import type { DashboardBoot, HostMessage } from '../../../server/src/protocol/dashboard';
import { CHARTS } from '../state/chart-specs';
import { DashboardStore, type Change, type TabId, type ViewSettings } from '../state/store';
import type { Transport } from '../transport/transport';
import { BaseCard, LineCard, type ChartHost } from './chart-card';
import { HeatCard, HistogramCard } from './heat-cards';
import { CardScheduler } from './card-scheduler';
import { SamplesView } from './samples-view';
import { EvalsView } from './evals-view';
import { RunsView, runFigures } from './runs-view';
import { clear, el, fmtNum } from './dom';
import { onThemeChange, readPalette, type Palette } from './theme';

const TABS: Array<{ id: TabId; label: string }> = [
  { id: 'charts', label: 'Charts' },
  { id: 'samples', label: 'Samples' },
  { id: 'evals', label: 'Evaluations' },
  { id: 'runs', label: 'Runs' },
];

const SAMPLE_KEYS: Array<keyof ViewSettings> = ['samplesRun', 'samplesStep', 'filters', 'sort'];

export class App implements ChartHost {
  readonly store: DashboardStore;
  crosshair: { x: number | null } = { x: null };
  private pal: Palette = readPalette();
  private cards: BaseCard[] = [];
  private chartsBuilt = false;
  /** What chartSize() measured; null until a card is measured, and after the panel resized. */
  private cardSize: { width: number; height: number } | null = null;
  /** Which cards draw when: those in view now, the rest in idle time or when scrolled to. */
  private readonly scheduler = new CardScheduler<BaseCard>(
    () => this.store.settings.tab === 'charts',
    () => this.schedule('cards'),
  );
  private readonly samples: SamplesView;
  private readonly evals: EvalsView;
  private readonly runsView: RunsView;
  private readonly panels = new Map<TabId, HTMLElement>();
  private readonly tabButtons = new Map<TabId, HTMLButtonElement>();
  private readonly chartsPanel = el('div', { class: 'charts' });
  private readonly summary = el('div', { class: 'summary' });
  private readonly runChips = el('div', { class: 'run-chips', 'aria-label': 'Runs on the charts' });
  private readonly liveBadge = el('span', { class: 'live', 'data-role': 'live', 'aria-live': 'polite' });
  private readonly zoomBtn = el('button', { type: 'button', class: 'btn', 'data-action': 'reset-zoom', title: 'Show all steps (double-click a chart, or press 0)' }, 'Reset zoom');
  private readonly toastBox = el('div', { class: 'toast', role: 'status', 'aria-live': 'polite' });
  private readonly banner = el('div', { class: 'banner', role: 'alert', hidden: true });
  private frame = 0;
  private pending = { redraw: false, refresh: false, rebuild: false, cards: false, samples: false, samplesLoad: false, evals: false, runs: false, header: false };
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private ready = false;

  constructor(
    private readonly root: HTMLElement,
    readonly transport: Transport,
    readonly boot: DashboardBoot,
  ) {
    const saved = transport.getState() as { settings?: Partial<ViewSettings> } | null;
    this.store = new DashboardStore(saved?.settings ?? null);
    this.samples = new SamplesView({ store: this.store, transport, boot, update: (p) => this.update(p), toast: (m) => this.toast(m) });
    this.evals = new EvalsView({ store: this.store, transport, boot, update: (p) => this.update(p) });
    this.runsView = new RunsView({ store: this.store, runColor: (id) => this.runColor(id), update: (p) => this.update(p) });
    this.applyTheme();
    this.layout();
    onThemeChange(() => {
      this.pal = readPalette();
      this.schedule('rebuild');
    });
    setInterval(() => this.renderLive(), 1000);
  }

  start(): void {
    this.transport.connect(
      (m) => this.onMessage(m),
      (s) => {
        if (s === 'closed' && this.ready) this.liveBadge.textContent = 'disconnected: reconnecting…';
      },
    );
  }

  // ---- ChartHost
  palette(): Palette {
    return this.pal;
  }

  runColor(id: string): string {
    const i = Math.max(0, this.store.order.indexOf(id));
    return this.pal.series[i % this.pal.series.length]!;
  }

  setZoom(range: [number, number] | null): void {
    this.update({ zoom: range });
  }

  setHistStep(step: number): void {
    this.update({ histStep: step });
  }

  redrawAll(): void {
    this.schedule('redraw');
  }

  chartSize(body: HTMLElement): { width: number; height: number } {
    if (!this.cardSize) {
      const width = body.clientWidth;
      const height = body.clientHeight;
      // A hidden card measures 0: use a guess for now, measure again with the next card.
      if (!(width > 0 && height > 0)) return { width: 500, height: 220 };
      this.cardSize = { width, height };
    }
    return this.cardSize;
  }

  /** The charts panel changed width: measure one card again and resize the built charts. */
  private panelResized(): void {
    const first = this.cards.find((c) => c.root.querySelector('.chart-box') && !(c.root.querySelector('.chart-box') as HTMLElement).hidden);
    const box = first?.root.querySelector('.chart-box') as HTMLElement | undefined;
    if (!box || !(box.clientWidth > 0)) return;
    const size = { width: box.clientWidth, height: box.clientHeight };
    if (this.cardSize && size.width === this.cardSize.width && size.height === this.cardSize.height) return;
    this.cardSize = size;
    for (const c of this.cards) c.resize(size.width, size.height);
  }

  save(name: string, mime: string, data: Blob): void {
    void this.transport.saveFile(name, mime, data).then(
      () => this.toast(`Saved ${name}`),
      (e: Error) => this.toast(`Could not save ${name}: ${e.message}`),
    );
  }

  // ---- state
  update(patch: Partial<ViewSettings>): void {
    const ch = this.store.update(patch);
    this.changed([ch]);
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.transport.setState({ settings: this.store.settings }), 200);
  }

  private onMessage(m: HostMessage): void {
    if (m.type === 'theme') {
      this.pal = readPalette();
      this.schedule('rebuild');
      return;
    }
    this.changed(this.store.apply(m));
  }

  private changed(changes: Change[]): void {
    const s = this.store.settings;
    for (const c of changes) {
      switch (c.kind) {
        case 'init':
          this.ready = true;
          this.schedule('rebuild', 'samplesLoad', 'evals', 'runs', 'header');
          break;
        case 'append': {
          const shown = this.store.shownRuns().some((r) => r.id === c.runId);
          if (shown) this.schedule('refresh');
          this.schedule('header');
          if (this.store.settings.tab === 'runs') this.schedule('runs');
          break;
        }
        case 'reset':
          this.schedule('rebuild', 'header');
          break;
        case 'steps':
          if (c.runId === s.samplesRun) this.schedule(s.samplesStep === null ? 'samplesLoad' : 'samples');
          if (c.runId === s.evalRun) this.schedule('evals');
          break;
        case 'meta':
          this.schedule('header', 'runs');
          break;
        case 'settings': {
          const k = new Set(c.keys);
          if (k.has('tab')) this.showTab();
          if (k.has('smoothing') || k.has('xAxis') || k.has('shown') || k.has('zoom') || k.has('theme')) this.schedule('rebuild', 'header');
          if (k.has('shown')) this.schedule('runs');
          if (k.has('histStep')) this.schedule('refresh');
          if (k.has('samplesRun') || k.has('samplesStep')) this.schedule('samplesLoad');
          else if (SAMPLE_KEYS.some((x) => k.has(x))) this.schedule('samples');
          if (k.has('evalRun') || k.has('evalStep')) this.schedule('evals');
          if (k.has('onlyDifferences')) this.schedule('runs');
          if (k.has('theme')) this.applyTheme();
          break;
        }
      }
    }
  }

  private schedule(...what: Array<keyof App['pending']>): void {
    for (const w of what) this.pending[w] = true;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = 0;
    const p = this.pending;
    this.pending = { redraw: false, refresh: false, rebuild: false, cards: false, samples: false, samplesLoad: false, evals: false, runs: false, header: false };
    if (!this.ready) return;
    const tab = this.store.settings.tab;
    if (p.header) this.renderHeader();
    if (!this.chartsBuilt && tab === 'charts') this.buildCharts();
    else if (p.rebuild) this.scheduler.mark('rebuild');
    else if (p.refresh) this.scheduler.mark('refresh');
    // Cards in view do their work now; the others when shown (the charts tab, or scrolled to).
    this.scheduler.run();
    if (p.redraw) this.scheduler.redraw();
    if (p.samplesLoad && tab === 'samples') this.samples.render();
    else if (p.samples && tab === 'samples') this.samples.draw();
    else if (p.samplesLoad || p.samples) this.staleSamples = true;
    if (p.evals) {
      if (tab === 'evals') this.evals.render();
      else this.staleEvals = true;
    }
    if (p.runs && tab === 'runs') this.runsView.render();
  }

  private staleSamples = false;
  private staleEvals = false;

  // ---- layout
  private applyTheme(): void {
    if (this.boot.host === 'vscode') return;
    document.body.classList.add('ume-standalone');
    const t = this.store.settings.theme;
    const dark = t === 'auto' ? (window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? true) : t === 'dark';
    document.body.dataset['theme'] = dark ? 'dark' : 'light';
    this.pal = readPalette();
  }

  private layout(): void {
    clear(this.root);
    const smoothing = el('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: this.store.settings.smoothing, 'aria-label': 'Smoothing weight', 'data-role': 'smoothing' });
    const smoothingValue = el('output', { class: 'mono' }, this.store.settings.smoothing.toFixed(2));
    smoothing.addEventListener('input', () => {
      smoothingValue.textContent = Number(smoothing.value).toFixed(2);
      this.update({ smoothing: Number(smoothing.value) });
    });
    const xAxis = el('select', { 'aria-label': 'X axis', 'data-role': 'x-axis' }, el('option', { value: 'step' }, 'step'), el('option', { value: 'relative' }, 'relative time'), el('option', { value: 'wall' }, 'wall time'));
    xAxis.value = this.store.settings.xAxis;
    xAxis.addEventListener('change', () => this.update({ xAxis: xAxis.value as ViewSettings['xAxis'], zoom: null }));
    this.zoomBtn.addEventListener('click', () => this.setZoom(null));
    let theme: HTMLElement | null = null;
    if (this.boot.host !== 'vscode') {
      const sel = el('select', { 'aria-label': 'Theme', 'data-role': 'theme' }, el('option', { value: 'auto' }, 'theme: system'), el('option', { value: 'dark' }, 'theme: dark'), el('option', { value: 'light' }, 'theme: light'));
      sel.value = this.store.settings.theme;
      sel.addEventListener('change', () => this.update({ theme: sel.value as ViewSettings['theme'] }));
      theme = sel;
    }
    const tablist = el('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Dashboard sections' });
    TABS.forEach((t, i) => {
      const b = el('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `panel-${t.id}`, 'data-tab': t.id }, t.label);
      b.addEventListener('click', () => this.update({ tab: t.id }));
      b.addEventListener('keydown', (e) => {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
        this.update({ tab: next.id });
        this.tabButtons.get(next.id)?.focus();
      });
      this.tabButtons.set(t.id, b);
      tablist.append(b);
    });
    const panel = (id: TabId, ...children: Node[]) => {
      const p = el('div', { role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, class: 'panel' }, ...children);
      this.panels.set(id, p);
      return p;
    };
    this.root.append(
      el('header', { class: 'app-head' }, el('h1', {}, this.boot.title ?? 'UME Studio'), this.runChips, this.liveBadge),
      this.banner,
      el('div', { class: 'toolbar main-toolbar' }, el('label', { class: 'ctl' }, 'Smoothing ', smoothing, smoothingValue), el('label', { class: 'ctl' }, 'X axis ', xAxis), this.zoomBtn, el('span', { class: 'muted hint' }, 'Drag on a chart to zoom · double-click to reset'), theme),
      tablist,
      panel('charts', this.summary, this.chartsPanel),
      panel('samples', this.samples.root),
      panel('evals', this.evals.root),
      panel('runs', this.runsView.root),
      this.toastBox,
    );
    this.showTab();
    window.addEventListener('error', (e) => this.showError(e.message));
    window.addEventListener('unhandledrejection', (e) => this.showError(String((e.reason as Error)?.message ?? e.reason)));
  }

  private showError(message: string): void {
    this.banner.hidden = false;
    this.banner.textContent = `Something went wrong in the dashboard: ${message}`;
  }

  private showTab(): void {
    const tab = this.store.settings.tab;
    for (const [id, p] of this.panels) p.hidden = id !== tab;
    for (const [id, b] of this.tabButtons) {
      b.setAttribute('aria-selected', String(id === tab));
      b.tabIndex = id === tab ? 0 : -1;
    }
    if (!this.ready) return;
    if (tab === 'charts') this.schedule('cards');
    if (tab === 'samples' && (this.staleSamples || !this.samples.root.querySelector('tbody'))) {
      this.staleSamples = false;
      this.schedule('samplesLoad');
    }
    if (tab === 'evals' && this.staleEvals) {
      this.staleEvals = false;
      this.schedule('evals');
    }
    if (tab === 'runs') this.schedule('runs');
  }

  private buildCharts(): void {
    this.chartsBuilt = true;
    clear(this.chartsPanel);
    const sections = new Map<string, HTMLElement>();
    for (const spec of CHARTS) {
      let grid = sections.get(spec.section);
      if (!grid) {
        grid = el('div', { class: 'chart-grid' });
        sections.set(spec.section, grid);
        this.chartsPanel.append(el('h2', { class: 'section-title' }, spec.section), grid);
      }
      const card = spec.kind === 'heat' ? new HeatCard(spec, this) : spec.kind === 'histogram' ? new HistogramCard(spec, this) : new LineCard(spec, this);
      this.cards.push(card);
      grid.append(card.root);
    }
    this.scheduler.attach(this.cards);
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.panelResized()).observe(this.chartsPanel);
  }

  private renderHeader(): void {
    clear(this.runChips);
    const shown = this.store.shownRuns();
    for (const r of shown) {
      const sw = el('span', { class: 'swatch' });
      sw.style.background = this.runColor(r.id);
      this.runChips.append(el('span', { class: 'chip', title: r.dir }, sw, r.name, r.status?.state === 'running' ? el('span', { class: 'badge state-running' }, 'running') : null));
    }
    if (this.store.order.length > shown.length) this.runChips.append(el('button', { type: 'button', class: 'btn link', onclick: () => this.update({ tab: 'runs' }) }, `+${this.store.order.length - shown.length} more`));
    clear(this.summary);
    if (shown.length === 1) this.summary.append(runFigures(shown[0]!));
    this.zoomBtn.disabled = this.store.settings.zoom === null;
    this.renderLive();
  }

  private renderLive(): void {
    if (!this.ready) return;
    const running = this.store.order.map((id) => this.store.runs.get(id)!).filter((r) => r.status?.state === 'running');
    if (this.store.host === 'static') {
      this.liveBadge.textContent = 'report (static)';
      return;
    }
    const ago = Math.round((Date.now() - this.store.lastUpdate) / 1000);
    const r = running[0];
    const step = r?.column('step');
    const last = step?.[step.length - 1];
    this.liveBadge.textContent = !this.store.live ? 'not live' : r ? `● live · ${r.name} step ${fmtNum(last ?? null)}${r.status?.total_steps ? ` / ${r.status.total_steps}` : ''} · updated ${ago} s ago` : `watching ${this.store.order.length} run(s) · updated ${ago} s ago`;
    this.liveBadge.classList.toggle('on', !!r && this.store.live);
  }

  toast(message: string): void {
    this.toastBox.textContent = message;
    this.toastBox.classList.add('show');
    setTimeout(() => this.toastBox.classList.remove('show'), 2500);
  }
}
