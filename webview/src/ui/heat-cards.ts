// The reward histogram over steps (a heat strip: x step or time, y reward, colour the share of the
// step's completions) and one step's histogram as bars. Both read `train/reward_histogram` of the
// first run shown; a click on the strip picks the step of the bar chart.

import { Chart, type Scale } from 'chart.js';
import { heatGrid, type HeatGrid } from '../state/heat';
import { xColumn } from '../state/series-view';
import { toCsv } from '../state/csv';
import type { RunData } from '../state/run-data';
import type { Histogram } from '../../../server/src/protocol/run-format';
import { BaseCard, overlayPlugin } from './chart-card';
import { fmtNum } from './dom';
import { withAlpha, type Palette } from './theme';

const HIST_KEY = 'train/reward_histogram';
/** Colour steps of the heat strip. */
const HEAT_LEVELS = 64;

export class HeatCard extends BaseCard {
  private grid: HeatGrid | null = null;
  private colours: { palette: Palette; styles: string[] } | null = null;
  private run: RunData | null = null;

  rebuild(): void {
    this.chart?.destroy();
    this.chart = null;
    this.refresh();
  }

  refresh(): void {
    const run = this.host.store.shownRuns()[0] ?? null;
    this.run = run;
    const hists = run?.histograms(HIST_KEY);
    if (!run || !hists) {
      this.showEmpty('No reward histograms logged (train/reward_histogram).');
      return;
    }
    const x = xColumn(run, this.host.store.settings.xAxis);
    const xs = Array.from({ length: run.length }, (_, i) => x(i));
    const zoom = this.host.store.settings.zoom;
    this.grid = heatGrid(xs, hists, Math.min(400, Math.round(this.width() / 3)), 24, zoom ?? undefined);
    if (!this.grid) {
      this.showEmpty('No reward histograms logged (train/reward_histogram).');
      return;
    }
    this.showEmpty(null);
    this.subtitle.textContent = this.host.store.shownRuns().length > 1 ? `· ${run.name}` : '';
    const g = this.grid;
    const t = this.themeOptions();
    const x0 = g.x0[0]!;
    const x1 = g.x1[g.x1.length - 1]!;
    if (!this.chart) {
      this.chart = new Chart(this.canvas, {
        type: 'scatter',
        data: { datasets: [{ data: [], pointRadius: 0 }] },
        plugins: [overlayPlugin(this)],
        options: {
          animation: false,
          ...this.sized(),
          maintainAspectRatio: false,
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
          scales: {
            x: this.xAxisOptions(x0, x1 > x0 ? x1 : x0 + 1),
            y: { type: 'linear', min: g.lo, max: g.hi, title: { display: true, text: 'reward', color: t.muted }, ticks: { color: t.muted, maxTicksLimit: 6 }, grid: { display: false }, border: { color: t.grid } },
          },
        },
      });
    } else {
      const sx = this.chart.options.scales!['x']!;
      const z = this.host.store.settings.zoom;
      sx.min = z ? z[0] : x0;
      sx.max = z ? z[1] : x1 > x0 ? x1 : x0 + 1;
      this.chart.options.scales!['y']!.min = g.lo;
      this.chart.options.scales!['y']!.max = g.hi;
      this.chart.update('none');
    }
  }

  override drawUnder(chart: Chart): void {
    const g = this.grid;
    if (!g) return;
    const xs = chart.scales['x'] as Scale;
    const ys = chart.scales['y'] as Scale;
    const { ctx, chartArea: a } = chart;
    const p = this.host.palette();
    ctx.save();
    ctx.beginPath();
    ctx.rect(a.left, a.top, a.right - a.left, a.bottom - a.top);
    ctx.clip();
    const dy = (g.hi - g.lo) / g.rows;
    const colours = this.colourTable(p);
    let last = '';
    for (let c = 0; c < g.cells.length; c++) {
      const left = xs.getPixelForValue(g.x0[c]!);
      const next = c + 1 < g.cells.length ? xs.getPixelForValue(g.x0[c + 1]!) : xs.getPixelForValue(g.x1[c]!) + Math.max(2, (xs.getPixelForValue(g.x1[c]!) - left) || 2);
      const w = Math.max(1, next - left);
      const col = g.cells[c]!;
      for (let r = 0; r < g.rows; r++) {
        const v = col[r]!;
        if (v <= 0) continue;
        const top = ys.getPixelForValue(g.lo + (r + 1) * dy);
        const bottom = ys.getPixelForValue(g.lo + r * dy);
        const style = colours[Math.round(Math.sqrt(v / g.max) * (HEAT_LEVELS - 1))]!;
        if (style !== last) ctx.fillStyle = last = style;
        ctx.fillRect(left, top, w + 0.5, bottom - top + 0.5);
      }
    }
    ctx.restore();
  }

  /**
   * The cell colours, with their opacity baked in, at HEAT_LEVELS steps of t = sqrt(share / max):
   * a few thousand cells are drawn per frame, and a colour string parsed per cell is what cost.
   */
  private colourTable(p: Palette): string[] {
    if (this.colours?.palette !== p) this.colours = { palette: p, styles: Array.from({ length: HEAT_LEVELS }, (_, k) => withAlpha(p.heat(k / (HEAT_LEVELS - 1)), 0.35 + (0.65 * k) / (HEAT_LEVELS - 1))) };
    return this.colours.styles;
  }

  protected override onClick(x: number | null): void {
    if (x === null || !this.run) return;
    const xcol = xColumn(this.run, this.host.store.settings.xAxis);
    const steps = this.run.column('step') ?? [];
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < this.run.length; i++) {
      const d = Math.abs(xcol(i) - x);
      if (d < bestD && this.run.histograms(HIST_KEY)?.[i]) [best, bestD] = [i, d];
    }
    if (best >= 0) this.host.setHistStep(steps[best]!);
  }

  csv(): string {
    return histogramCsv(this.host.store.shownRuns());
  }
}

function histogramCsv(runs: readonly RunData[]): string {
  const rows: Array<Array<string | number>> = [];
  for (const run of runs) {
    const h = run.histograms(HIST_KEY) ?? [];
    const step = run.column('step') ?? [];
    h.forEach((x, i) => x?.bins.forEach((c, b) => rows.push([run.name, step[i]!, x.edges[b]!, x.edges[b + 1]!, c])));
  }
  return toCsv(['run', 'step', 'bin_low', 'bin_high', 'count'], rows);
}

export class HistogramCard extends BaseCard {
  override usesSharedX = false;
  private current: Histogram | null = null;

  rebuild(): void {
    this.chart?.destroy();
    this.chart = null;
    this.refresh();
  }

  refresh(): void {
    const run = this.host.store.shownRuns()[0];
    const hists = run?.histograms(HIST_KEY);
    const steps = run?.column('step');
    if (!run || !hists || !steps) {
      this.showEmpty('No reward histograms logged (train/reward_histogram).');
      return;
    }
    const want = this.host.store.settings.histStep;
    let i = want !== null ? run.rowOfStep(want) : -1;
    if (i < 0 || !hists[i]) for (i = run.length - 1; i >= 0 && !hists[i]; i--);
    const h = i >= 0 ? hists[i] : null;
    if (!h) {
      this.showEmpty('No reward histograms logged (train/reward_histogram).');
      return;
    }
    this.showEmpty(null);
    this.current = h;
    this.subtitle.textContent = `· step ${steps[i]}${this.host.store.shownRuns().length > 1 ? ` of ${run.name}` : ''}${want === null ? ' (latest)' : ''}`;
    const labels = h.bins.map((_, b) => fmtNum((h.edges[b]! + h.edges[b + 1]!) / 2, 2));
    const color = this.host.palette().series[0]!;
    const t = this.themeOptions();
    if (!this.chart) {
      this.chart = new Chart(this.canvas, {
        type: 'bar',
        data: { labels, datasets: [{ label: 'completions', data: h.bins, backgroundColor: withAlpha(color, 0.7), borderColor: color, borderWidth: 1, barPercentage: 1, categoryPercentage: 0.95 }] },
        plugins: [overlayPlugin(this)],
        options: {
          animation: false,
          ...this.sized(),
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { title: (items) => { const b = items[0]?.dataIndex ?? 0; const e = this.current?.edges ?? []; return `reward ${fmtNum(e[b])} … ${fmtNum(e[b + 1])}`; } } },
          },
          scales: {
            x: { ticks: { color: t.muted, maxTicksLimit: 8, maxRotation: 0 }, grid: { display: false }, border: { color: t.grid }, title: { display: true, text: 'reward', color: t.muted } },
            y: { beginAtZero: true, ticks: { color: t.muted, precision: 0 }, grid: { color: t.grid }, border: { color: t.grid }, title: { display: true, text: 'completions', color: t.muted } },
          },
        },
      });
    } else if (this.chart.data.datasets[0]!.data !== h.bins) {
      // A live append moves "latest" to a new histogram; one step picked by the user stays as it is.
      this.chart.data.labels = labels;
      this.chart.data.datasets[0]!.data = h.bins;
      this.chart.update('none');
    }
  }

  csv(): string {
    return histogramCsv(this.host.store.shownRuns().slice(0, 1));
  }
}
