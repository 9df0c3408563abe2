// One chart of the dashboard: a card with its title, note, CSV/PNG export and a Chart.js canvas.
// Lines are drawn from SeriesViews (min/max-bucket decimation, debiased EMA): the smoothed line
// solid, the raw line faint behind it, the bucket's min..max as a band when a bucket holds more
// than one step, plus the chart's own bands (min–max reward, ± std). Appends patch the tail of the
// points Chart.js holds and call chart.update('none'); nothing is rebuilt unless the runs, x mode
// or smoothing change.
// Heat strip and single-step histogram cards are drawn by heat-cards.ts on the same base.

import { Chart, type ChartConfiguration, type ChartDataset, type Plugin, type Scale } from 'chart.js';
import type { ChartSpec, SeriesSpec } from '../state/chart-specs';
import { seriesFor } from '../state/chart-specs';
import { SeriesView, HOUR_MS } from '../state/series-view';
import { SeriesPoints, type XY } from '../state/series-points';
import type { RunData } from '../state/run-data';
import type { DashboardStore, XAxisMode } from '../state/store';
import { toCsv } from '../state/csv';
import { withAlpha, type Palette } from './theme';
import { drawUnderlays, underlayExtent, type Underlay } from './line-underlay';
import { el, fmtNum } from './dom';

export interface ChartHost {
  store: DashboardStore;
  palette(): Palette;
  runColor(runId: string): string;
  setZoom(range: [number, number] | null): void;
  crosshair: { x: number | null };
  /** Redraw every chart (crosshair moved), throttled to a frame. */
  redrawAll(): void;
  /** The size every chart canvas is drawn at (cards sit in equal grid columns), measured once. */
  chartSize(body: HTMLElement): { width: number; height: number };
  save(name: string, mime: string, data: Blob): void;
  setHistStep(step: number): void;
}

interface Helper {
  umeHelper?: boolean;
}
type LineDs = ChartDataset<'line', XY[]> & Helper;

const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4]];
/**
 * Bucket budget of a line: 200..400 buckets (IncrementalBuckets halves at twice the budget), about
 * one per 2 px of a 460-700 px card, as many as a zoomed span gets (width / 2); spikes stay in the band.
 */
const MAX_BUCKETS = 200;

export function formatX(mode: XAxisMode, x: number, span: number): string {
  if (!Number.isFinite(x)) return '';
  if (mode === 'step') return Math.abs(x) >= 10_000 ? `${(x / 1000).toFixed(x % 1000 ? 1 : 0)}k` : String(Math.round(x));
  if (mode === 'relative') return span < 2 ? `${Math.round(x * 60)} min` : `${x.toFixed(span < 20 ? 1 : 0)} h`;
  const d = new Date(x);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return span > 20 * HOUR_MS ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}

const xTitle: Record<XAxisMode, string> = { step: 'step', relative: 'time since start', wall: 'wall time' };

/** Background, crosshair and drag-to-zoom box, drawn by every chart. */
export function overlayPlugin(card: BaseCard): Plugin {
  return {
    id: 'umeOverlay',
    beforeDraw(chart) {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.fillStyle = card.host.palette().bg;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
    beforeDatasetsDraw(chart) {
      card.drawUnder(chart);
    },
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: a } = chart;
      const xs = chart.scales['x'] as Scale | undefined;
      if (!xs) return;
      const p = card.host.palette();
      const x = card.host.crosshair.x;
      if (x !== null && card.usesSharedX && x >= xs.min && x <= xs.max) {
        const px = xs.getPixelForValue(x);
        ctx.save();
        ctx.strokeStyle = withAlpha(p.fg, 0.45);
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(px, a.top);
        ctx.lineTo(px, a.bottom);
        ctx.stroke();
        ctx.restore();
      }
      if (card.drag && Math.abs(card.drag.x1 - card.drag.x0) > 2) {
        ctx.save();
        ctx.fillStyle = withAlpha(p.series[0]!, 0.15);
        ctx.fillRect(Math.min(card.drag.x0, card.drag.x1), a.top, Math.abs(card.drag.x1 - card.drag.x0), a.bottom - a.top);
        ctx.restore();
      }
    },
  };
}

export abstract class BaseCard {
  readonly root: HTMLElement;
  protected readonly body: HTMLElement;
  protected readonly canvas: HTMLCanvasElement;
  protected readonly empty: HTMLElement;
  protected chart: Chart | null = null;
  protected readonly subtitle: HTMLElement;
  drag: { x0: number; x1: number } | null = null;
  /** Whether the x axis is the shared step/time axis (crosshair and zoom apply). */
  usesSharedX = true;

  constructor(
    readonly spec: ChartSpec,
    readonly host: ChartHost,
  ) {
    this.canvas = el('canvas', { role: 'img', 'aria-label': spec.title, tabindex: 0 });
    this.empty = el('p', { class: 'chart-empty', hidden: true });
    this.subtitle = el('span', { class: 'chart-sub' });
    const note = spec.note ? el('p', { class: 'chart-note' }, spec.note) : null;
    this.body = el('div', { class: 'chart-box' }, this.canvas);
    this.root = el(
      'section',
      { class: 'card chart-card', 'data-chart': spec.id, 'aria-label': spec.title },
      el(
        'header',
        { class: 'card-head' },
        el('h3', {}, spec.title, ' ', this.subtitle),
        el(
          'span',
          { class: 'card-actions' },
          el('button', { class: 'icon-btn', type: 'button', title: 'Download this chart’s data as CSV', 'data-action': 'csv', onclick: () => this.exportCsv() }, 'CSV'),
          el('button', { class: 'icon-btn', type: 'button', title: 'Download this chart as PNG', 'data-action': 'png', onclick: () => this.exportPng() }, 'PNG'),
        ),
      ),
      note,
      this.body,
      this.empty,
    );
    this.wireEvents();
  }

  abstract rebuild(): void;
  abstract refresh(): void;
  abstract csv(): string;
  drawUnder(_chart: Chart): void {}

  protected showEmpty(message: string | null): void {
    this.empty.hidden = message === null;
    this.empty.textContent = message ?? '';
    this.body.hidden = message !== null;
  }

  redraw(): void {
    this.chart?.draw();
  }

  /**
   * Sizes the canvas for a new chart, and the chart options that keep that size. Chart.js's
   * responsive mode reads the container's computed size for every chart it makes, a forced page
   * layout each (eighteen per load); the host measures one card and resizes the charts itself.
   */
  protected sized(): { responsive: false; devicePixelRatio: number } {
    const { width, height } = this.host.chartSize(this.body);
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    return { responsive: false, devicePixelRatio: window.devicePixelRatio || 1 };
  }

  /** The cards' width changed (window, panel): the chart follows. */
  resize(width: number, height: number): void {
    if (this.chart && (this.chart.width !== width || this.chart.height !== height)) this.chart.resize(width, height);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }

  /** Pixels the canvas is wide (bucket budget). */
  protected width(): number {
    // The chart knows its size; asking the DOM would force a layout in the middle of a frame.
    return Math.max(200, this.chart?.width || this.body.clientWidth || 500);
  }

  protected themeOptions() {
    const p = this.host.palette();
    return { color: p.fg, grid: withAlpha(p.grid, 0.6), muted: p.muted };
  }

  private exportCsv(): void {
    this.host.save(`${this.spec.id}.csv`, 'text/csv', new Blob([this.csv()], { type: 'text/csv' }));
  }

  private exportPng(): void {
    this.canvas.toBlob((b) => b && this.host.save(`${this.spec.id}.png`, 'image/png', b), 'image/png');
  }

  private xScale(): Scale | undefined {
    return this.chart?.scales['x'] as Scale | undefined;
  }

  private wireEvents(): void {
    const c = this.canvas;
    c.addEventListener('mousemove', (e) => {
      const xs = this.xScale();
      if (!xs || !this.usesSharedX) return;
      if (this.drag) this.drag.x1 = e.offsetX;
      this.host.crosshair.x = xs.getValueForPixel(e.offsetX) ?? null;
      this.host.redrawAll();
    });
    c.addEventListener('mouseleave', () => {
      this.host.crosshair.x = null;
      this.drag = null;
      this.host.redrawAll();
    });
    c.addEventListener('mousedown', (e) => {
      if (e.button === 0 && this.usesSharedX) this.drag = { x0: e.offsetX, x1: e.offsetX };
    });
    c.addEventListener('mouseup', () => {
      const xs = this.xScale();
      const d = this.drag;
      this.drag = null;
      if (!xs || !d) return;
      if (Math.abs(d.x1 - d.x0) > 5) {
        const a = xs.getValueForPixel(Math.min(d.x0, d.x1))!;
        const b = xs.getValueForPixel(Math.max(d.x0, d.x1))!;
        if (b > a) this.host.setZoom([a, b]);
      } else this.onClick(xs.getValueForPixel(d.x0) ?? null);
      this.host.redrawAll();
    });
    c.addEventListener('dblclick', () => this.host.setZoom(null));
    c.addEventListener('keydown', (e) => {
      const xs = this.xScale();
      if (!xs || !this.usesSharedX) return;
      const span = xs.max - xs.min;
      const x = this.host.crosshair.x ?? (xs.min + xs.max) / 2;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        this.host.crosshair.x = Math.min(xs.max, Math.max(xs.min, x + ((e.key === 'ArrowLeft' ? -1 : 1) * span) / 50));
        this.host.redrawAll();
      } else if (e.key === '+' || e.key === '=') this.host.setZoom([x - span / 4, x + span / 4]);
      else if (e.key === '-') this.host.setZoom(this.host.store.settings.zoom ? [x - span, x + span] : null);
      else if (e.key === '0' || e.key === 'Escape') this.host.setZoom(null);
      else if (e.key === 'Enter') this.onClick(x);
      else return;
      e.preventDefault();
    });
    c.addEventListener('blur', () => {
      this.host.crosshair.x = null;
      this.host.redrawAll();
    });
  }

  protected onClick(_x: number | null): void {}

  protected xAxisOptions(min?: number, max?: number) {
    const t = this.themeOptions();
    const mode = this.host.store.settings.xAxis;
    const zoom = this.host.store.settings.zoom;
    return {
      type: 'linear' as const,
      min: zoom ? zoom[0] : min,
      max: zoom ? zoom[1] : max,
      title: { display: false, text: xTitle[mode] },
      ticks: {
        color: t.muted,
        maxTicksLimit: 7,
        maxRotation: 0,
        callback: (v: string | number, _i: number, ticks: Array<{ value: number }>) => formatX(mode, Number(v), ticks.length > 1 ? ticks[ticks.length - 1]!.value - ticks[0]!.value : 0),
      },
      grid: { color: t.grid },
      border: { color: t.grid },
    };
  }
}

/** One series of one run on a line chart: its views (line, band ends, ± std) and their points. */
interface ViewSlot {
  run: RunData;
  series: SeriesSpec;
  index: number;
  main: SeriesPoints;
  lo?: SeriesPoints;
  hi?: SeriesPoints;
  stdLo?: SeriesPoints;
  stdHi?: SeriesPoints;
}

const slotPoints = (sl: ViewSlot): SeriesPoints[] => [sl.main, sl.lo, sl.hi, sl.stdLo, sl.stdHi].filter((p): p is SeriesPoints => !!p);

export class LineCard extends BaseCard {
  private slots: ViewSlot[] = [];
  private underlays: Underlay[] = [];

  rebuild(): void {
    const s = this.host.store.settings;
    const runs = this.host.store.shownRuns();
    this.slots = [];
    for (const run of runs) {
      const series = seriesFor(this.spec, run.numericKeys()).filter((x) => run.has(x.key));
      series.forEach((sp, index) => {
        const make = (key: string, weight: number, derive?: (r: RunData) => ((i: number) => number) | null) => new SeriesPoints(new SeriesView(run, key, s.xAxis, weight, MAX_BUCKETS, derive));
        const slot: ViewSlot = { run, series: sp, index, main: make(sp.key, s.smoothing) };
        if (sp.band && run.has(sp.band.lo) && run.has(sp.band.hi)) {
          slot.lo = make(sp.band.lo, 0);
          slot.hi = make(sp.band.hi, 0);
        }
        if (sp.std && run.has(sp.std)) {
          const stdKey = sp.std;
          const derive = (sign: number) => (r: RunData) => {
            const m = r.column(sp.key);
            const d = r.column(stdKey);
            return m && d ? (i: number) => m[i]! + sign * d[i]! : null;
          };
          slot.stdLo = make(`${sp.key}-std`, 0, derive(-1));
          slot.stdHi = make(`${sp.key}+std`, 0, derive(1));
        }
        this.slots.push(slot);
      });
    }
    const keys = this.spec.series.map((x) => x.key).join(', ') || 'its metrics';
    this.showEmpty(this.slots.length ? null : `Not logged by ${runs.length > 1 ? 'these runs' : 'this run'} (${keys}).`);
    this.subtitle.textContent = runs.length > 1 ? `· ${runs.length} runs` : '';
    this.chart?.destroy();
    this.chart = null;
    if (this.slots.length) this.refresh();
  }

  /**
   * Takes the runs' new rows: each view consumes only them, and its points are patched at the tail
   * (series-points.ts), so Chart.js re-parses a point or two per dataset; the datasets themselves
   * are rebuilt only when a line gains its min..max band (its buckets started holding several steps).
   */
  refresh(): void {
    if (!this.slots.length) return;
    for (const sl of this.slots) for (const p of slotPoints(sl)) if (!p.view.refresh()) return this.rebuild();
    const zoom = this.host.store.settings.zoom;
    const target = zoom ? Math.min(2 * MAX_BUCKETS, Math.round(this.width() / 2)) : 0;
    let changed = false;
    let layout = false;
    for (const sl of this.slots) {
      const banded = sl.main.decimated;
      for (const p of slotPoints(sl)) if (p.sync(zoom, target)) changed = true;
      if (sl.main.decimated !== banded) layout = true;
    }
    if (!this.chart) {
      const datasets = this.datasets();
      this.chart = new Chart(this.canvas, this.config(datasets));
    } else if (layout || changed) {
      if (layout) this.chart.data.datasets = this.datasets();
      this.fitUnderlays(this.chart.options.scales!['y'] as { suggestedMin?: number; suggestedMax?: number });
      if (!zoom) (this.chart.options.scales!['x'] as { max?: number }).max = this.lastX();
      this.chart.update('none');
    }
  }

  override drawUnder(chart: Chart): void {
    drawUnderlays(chart.ctx, chart.chartArea, chart.scales['x']!, chart.scales['y']!, this.underlays);
  }

  /**
   * The last step any shown series logged: the x axis ends there. A bucket is drawn at its mean x,
   * so without this the axis would stop short of the newest step until its bucket fills.
   */
  private lastX(): number | undefined {
    let last = -Infinity;
    for (const sl of this.slots) {
      const x = sl.main.view.xs.at(-1);
      if (x !== undefined && x > last) last = x;
    }
    return Number.isFinite(last) ? last : undefined;
  }

  /** The y axis reaches the bands and raw line too (they are not datasets, so Chart.js does not see them). */
  private fitUnderlays(y: { suggestedMin?: number; suggestedMax?: number }): void {
    const spec = this.spec.y ?? {};
    const ext = underlayExtent(this.underlays, !!spec.log);
    const lo = Math.min(spec.min ?? Infinity, ext?.[0] ?? Infinity);
    const hi = Math.max(spec.max ?? -Infinity, ext?.[1] ?? -Infinity);
    y.suggestedMin = Number.isFinite(lo) ? lo : undefined;
    y.suggestedMax = Number.isFinite(hi) ? hi : undefined;
  }

  /**
   * The datasets (the main lines, and stacked areas) and the underlays (bands, raw lines), drawing
   * straight from the slots' point arrays (the arrays are patched in place).
   */
  private datasets(): LineDs[] {
    const s = this.host.store.settings;
    const p = this.host.palette();
    const multi = this.host.store.shownRuns().length > 1;
    const out: LineDs[] = [];
    const under: Underlay[] = [];
    const stackedIdx = new Map<string, number>();
    for (const sl of this.slots) {
      const color = multi ? this.host.runColor(sl.run.id) : p.series[sl.index % p.series.length]!;
      const dash = multi ? DASHES[sl.index % DASHES.length]! : [];
      const label = multi ? `${sl.run.name} · ${sl.series.label}` : sl.series.label;
      const m = sl.main;
      const band = (lo: XY[], hi: XY[], alpha: number) => under.push({ kind: 'band', lo, hi, fill: withAlpha(color, alpha) });
      if (sl.series.stack) {
        const k = stackedIdx.get(sl.run.id) ?? 0;
        stackedIdx.set(sl.run.id, k + 1);
        out.push({ type: 'line', label, data: s.smoothing > 0 ? m.smooth : m.raw, borderColor: color, backgroundColor: withAlpha(color, 0.35), borderWidth: 1.2, pointRadius: 0, fill: k === 0 ? 'origin' : '-1', stack: sl.run.id, borderDash: dash } as LineDs);
        continue;
      }
      if (sl.lo && sl.hi) band(sl.lo.rawMin, sl.hi.rawMax, 0.1);
      if (sl.stdLo && sl.stdHi) band(sl.stdLo.raw, sl.stdHi.raw, 0.16);
      if (m.decimated) band(m.rawMin, m.rawMax, 0.14);
      if (s.smoothing > 0) {
        under.push({ kind: 'line', data: m.raw, stroke: withAlpha(color, 0.3), width: 1, dash });
        out.push({ type: 'line', label, data: m.smooth, borderColor: color, backgroundColor: color, borderWidth: 1.8, pointRadius: 0, fill: false, borderDash: dash, spanGaps: true });
      } else {
        out.push({ type: 'line', label, data: m.raw, borderColor: color, backgroundColor: color, borderWidth: 1.5, pointRadius: 0, fill: false, borderDash: dash, spanGaps: true });
      }
    }
    this.underlays = under;
    return out;
  }

  private config(datasets: LineDs[]): ChartConfiguration<'line', XY[]> {
    const t = this.themeOptions();
    const y = this.spec.y ?? {};
    const stacked = this.spec.series.some((x) => x.stack);
    const yRange: { suggestedMin?: number; suggestedMax?: number } = {};
    this.fitUnderlays(yRange);
    return {
      type: 'line',
      data: { datasets },
      plugins: [overlayPlugin(this)],
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        ...this.sized(),
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hitRadius: 6, hoverRadius: 3 }, line: { tension: 0 } },
        plugins: {
          legend: { position: 'bottom', labels: { color: t.color, boxWidth: 12, boxHeight: 2, font: { size: 11 }, filter: (item, data) => !(data.datasets[item.datasetIndex ?? -1] as Helper | undefined)?.umeHelper } },
          tooltip: {
            filter: (item) => !(item.dataset as Helper).umeHelper,
            callbacks: {
              title: (items) => (items[0] ? `${xTitle[this.host.store.settings.xAxis]} ${formatX(this.host.store.settings.xAxis, items[0].parsed.x ?? NaN, 100)}` : ''),
              label: (item) => `${item.dataset.label ?? ''}: ${y.percent ? `${fmtNum((item.parsed.y ?? NaN) * 100)} %` : fmtNum(item.parsed.y)}`,
            },
          },
          decimation: { enabled: false },
        },
        scales: {
          x: this.xAxisOptions(undefined, this.lastX()),
          y: {
            type: y.log ? 'logarithmic' : 'linear',
            stacked,
            ...yRange,
            ticks: { color: t.muted, maxTicksLimit: 6, callback: (v) => (y.percent ? `${Math.round(Number(v) * 100)}%` : fmtNum(Number(v), 2)) },
            grid: { color: t.grid },
            border: { color: t.grid },
          },
        },
      },
    };
  }

  csv(): string {
    const rows: Array<Array<string | number | null>> = [];
    for (const sl of this.slots) {
      const step = sl.run.column('step') ?? [];
      const wall = sl.run.column('wall_time') ?? [];
      const keys = [sl.series.key, sl.series.band?.lo, sl.series.band?.hi, sl.series.std].filter((k): k is string => !!k);
      for (const key of keys) {
        const col = sl.run.column(key);
        if (!col) continue;
        for (let i = 0; i < sl.run.length; i++) if (Number.isFinite(col[i]!)) rows.push([sl.run.name, key, step[i] ?? null, Number.isFinite(wall[i]!) ? new Date(wall[i]!).toISOString() : null, col[i]!]);
      }
    }
    return toCsv(['run', 'metric', 'step', 'wall_time', 'value'], rows);
  }
}
