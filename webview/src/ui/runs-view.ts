// The runs of this dashboard: which are drawn on the charts (a colour each), their summary figures,
// and their configs side by side with the settings that differ marked.

import { diffConfigs } from '../state/config-diff';
import type { RunData } from '../state/run-data';
import type { DashboardStore, ViewSettings } from '../state/store';
import { clear, el, fmtDuration, fmtNum } from './dom';
import { figure } from './evals-view';

export interface RunsHost {
  store: DashboardStore;
  runColor(id: string): string;
  update(p: Partial<ViewSettings>): void;
}

export function runFigures(r: RunData): HTMLElement {
  const s = r.summary;
  const st = r.status;
  const last = (k: string) => {
    const c = r.column(k);
    for (let i = (c?.length ?? 0) - 1; i >= 0; i--) if (Number.isFinite(c![i]!)) return c![i]!;
    return null;
  };
  const wall = r.column('wall_time');
  const wallS = s?.wall_time_s ?? (wall && wall.length > 1 ? (wall[wall.length - 1]! - wall[0]!) / 1000 : null);
  const best = s?.best_reward ?? st?.best_reward ?? null;
  const ended = s != null || (st != null && st.state !== 'running');
  return el(
    'div',
    { class: 'figures' },
    // "final" only once the run has ended; while it trains these are its latest step's.
    figure(`${ended ? 'final' : 'latest'} mean reward`, fmtNum(s?.['train/final_mean_reward'] ?? last('train/mean_reward'))),
    figure(`${ended ? 'final' : 'latest'} min / max`, `${fmtNum(s?.['train/final_min_reward'] ?? last('train/min_reward'))} / ${fmtNum(s?.['train/final_max_reward'] ?? last('train/max_reward'))}`),
    figure('best mean reward', `${fmtNum(best)}${s?.best_step != null ? ` @ ${s.best_step}` : ''}`),
    figure('steps', `${s?.total_steps ?? st?.step ?? last('step') ?? '–'}${st?.total_steps ? ` / ${st.total_steps}` : ''}`),
    figure('samples', String(s?.['train/total_samples_processed'] ?? last('train/total_samples_processed') ?? '–')),
    figure('wall time', fmtDuration(wallS)),
    figure('last checkpoint', st?.last_checkpoint ? (st.last_checkpoint.split(/[\\/]/).pop() ?? '').replace(/^checkpoint_step_/, 'step ') : '–'),
    figure('state', st?.state ?? (s ? 'finished' : 'unknown')),
  );
}

export class RunsView {
  readonly root = el('div', { class: 'runs-view' });

  constructor(private readonly host: RunsHost) {}

  render(): void {
    const st = this.host.store;
    clear(this.root);
    const shown = new Set(st.shownRuns().map((r) => r.id));
    for (const id of st.order) {
      const r = st.runs.get(id)!;
      const box = el('input', { type: 'checkbox', 'data-run': id, 'aria-label': `Show ${r.name} on the charts` });
      box.checked = shown.has(id);
      box.addEventListener('change', () => {
        const next = st.order.filter((x) => (x === id ? box.checked : shown.has(x)));
        this.host.update({ shown: next.length ? next : [id] });
      });
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = this.host.runColor(id);
      this.root.append(
        el(
          'section',
          { class: 'card run-card', 'data-run-card': id },
          el('header', { class: 'card-head' }, el('label', { class: 'check' }, box, swatch, el('h3', {}, r.name)), el('span', { class: `badge state-${r.status?.state ?? 'unknown'}` }, r.status?.state ?? (r.summary ? 'finished' : 'unknown'))),
          el('p', { class: 'muted path' }, r.dir),
          runFigures(r),
          r.status?.message ? el('p', { class: 'muted' }, r.status.message) : null,
          r.problems.length ? el('details', { class: 'problems' }, el('summary', {}, `${r.problems.length} problem(s) reading this run`), el('ul', {}, ...r.problems.map((p) => el('li', {}, p)))) : null,
        ),
      );
    }
    this.root.append(this.configDiff());
  }

  private configDiff(): HTMLElement {
    const st = this.host.store;
    const runs = st.order.map((id) => st.runs.get(id)!);
    const rows = diffConfigs(runs.map((r) => r.config));
    const only = el('input', { type: 'checkbox', 'data-role': 'only-differences' });
    only.checked = st.settings.onlyDifferences && runs.length > 1;
    only.disabled = runs.length < 2;
    only.addEventListener('change', () => this.host.update({ onlyDifferences: only.checked }));
    const shownRows = only.checked ? rows.filter((r) => r.differs) : rows;
    const differ = rows.filter((r) => r.differs).length;
    return el(
      'section',
      { class: 'card config-card' },
      el('header', { class: 'card-head' }, el('h3', {}, runs.length > 1 ? `Configs: ${differ} of ${rows.length} settings differ` : 'Config'), el('label', { class: 'check' }, only, 'only differences')),
      el(
        'div',
        { class: 'table-wrap' },
        el(
          'table',
          { class: 'config-diff', 'data-role': 'config-diff' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'setting'), ...runs.map((r) => el('th', { scope: 'col' }, r.name)))),
          el('tbody', {}, ...shownRows.map((row) => el('tr', { class: row.differs ? 'differs' : '' }, el('th', { scope: 'row' }, row.key), ...row.values.map((v) => el('td', {}, v ?? '—'))))),
        ),
      ),
    );
  }
}
