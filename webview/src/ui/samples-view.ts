// Every logged step's completions: a step slider over the steps that have a completions file,
// filters (modality, valid, reward range), a search, a sortable table with each reward function,
// advantage and length, SMILES drawn by RDKit, and a detail pane with the whole prompt and
// completion, why rewards abstained, and copy / open-in-editor. All text goes in as textContent;
// molecule drawings come from the host (molecule.ts) as images.

import type { CompletionRow } from '../../../server/src/protocol/run-format';
import type { DashboardBoot } from '../../../server/src/protocol/dashboard';
import { extractSequence, filterSamples, rewardNames, sortSamples, type SampleFilters } from '../state/samples';
import type { DashboardStore, ViewSettings } from '../state/store';
import type { Transport } from '../transport/transport';
import { append, clear, copyText, el, fmtNum } from './dom';
import { moleculeUrl } from './molecule';

const PAGE = 100;

export interface SamplesHost {
  store: DashboardStore;
  transport: Transport;
  boot: DashboardBoot;
  update(patch: Partial<ViewSettings>): void;
  toast(message: string): void;
}

export class SamplesView {
  readonly root: HTMLElement;
  private readonly cache = new Map<string, Promise<{ rows: CompletionRow[]; problems: string[] }>>();
  private rows: CompletionRow[] = [];
  private selected: number | null = null;
  private page = 0;
  private loadSeq = 0;
  private readonly runSelect = el('select', { 'aria-label': 'Run', 'data-role': 'samples-run' });
  private readonly slider = el('input', { type: 'range', min: 0, max: 0, value: 0, 'aria-label': 'Step', 'data-role': 'step-slider' });
  private readonly stepLabel = el('span', { class: 'step-label', 'aria-live': 'polite' });
  private readonly follow = el('input', { type: 'checkbox', 'data-role': 'follow-latest' });
  private readonly modality = el('select', { 'aria-label': 'Modality', 'data-role': 'filter-modality' }, ...[['all', 'all modalities'], ['SMILES', 'SMILES'], ['amino_acid', 'protein'], ['nucleotide', 'DNA/RNA'], ['none', 'no modality']].map(([v, t]) => el('option', { value: v! }, t!)));
  private readonly valid = el('select', { 'aria-label': 'Validity', 'data-role': 'filter-valid' }, el('option', { value: 'all' }, 'valid and invalid'), el('option', { value: 'valid' }, 'valid only'), el('option', { value: 'invalid' }, 'invalid only'));
  private readonly minReward = el('input', { type: 'number', step: 'any', placeholder: 'min reward', 'aria-label': 'Minimum reward', 'data-role': 'filter-min', class: 'num-input' });
  private readonly maxReward = el('input', { type: 'number', step: 'any', placeholder: 'max reward', 'aria-label': 'Maximum reward', 'data-role': 'filter-max', class: 'num-input' });
  private readonly search = el('input', { type: 'search', placeholder: 'Search prompts and completions', 'aria-label': 'Search', 'data-role': 'search', class: 'search' });
  private readonly count = el('span', { class: 'muted', 'data-role': 'sample-count' });
  private readonly table = el('table', { class: 'samples', 'data-role': 'samples-table' });
  private readonly detail = el('aside', { class: 'card sample-detail', 'aria-label': 'Selected sample', 'data-role': 'sample-detail', hidden: true });
  private readonly pager = el('div', { class: 'pager' });
  private readonly message = el('p', { class: 'muted', 'data-role': 'samples-message' });

  constructor(private readonly host: SamplesHost) {
    const s = host.store.settings;
    this.follow.checked = s.samplesStep === null;
    this.modality.value = s.filters.modality;
    this.valid.value = s.filters.valid;
    this.search.value = s.filters.search;
    if (s.filters.minReward !== null) this.minReward.value = String(s.filters.minReward);
    if (s.filters.maxReward !== null) this.maxReward.value = String(s.filters.maxReward);
    const prev = el('button', { type: 'button', class: 'btn', title: 'Previous logged step', 'aria-label': 'Previous step', onclick: () => this.stepBy(-1) }, '‹');
    const next = el('button', { type: 'button', class: 'btn', title: 'Next logged step', 'aria-label': 'Next step', onclick: () => this.stepBy(1) }, '›');
    this.root = el(
      'div',
      { class: 'samples-view' },
      el(
        'div',
        { class: 'toolbar' },
        this.runSelect,
        el('span', { class: 'step-ctl' }, prev, this.slider, next, this.stepLabel),
        el('label', { class: 'check' }, this.follow, 'follow latest'),
      ),
      el('div', { class: 'toolbar' }, this.search, this.modality, this.valid, this.minReward, this.maxReward, this.count),
      this.message,
      el('div', { class: 'samples-layout' }, el('div', { class: 'table-wrap' }, this.table, this.pager), this.detail),
    );
    this.runSelect.addEventListener('change', () => host.update({ samplesRun: this.runSelect.value, samplesStep: null }));
    this.slider.addEventListener('input', () => {
      const steps = this.steps();
      const step = steps[Number(this.slider.value)];
      if (step !== undefined) host.update({ samplesStep: step === steps.at(-1) && this.follow.checked ? null : step });
    });
    this.follow.addEventListener('change', () => host.update({ samplesStep: this.follow.checked ? null : (this.currentStep() ?? null) }));
    const filters = () => {
      const num = (x: HTMLInputElement) => (x.value.trim() === '' || !Number.isFinite(Number(x.value)) ? null : Number(x.value));
      const f: SampleFilters = { modality: this.modality.value, valid: this.valid.value as SampleFilters['valid'], minReward: num(this.minReward), maxReward: num(this.maxReward), search: this.search.value };
      this.page = 0;
      host.update({ filters: f });
    };
    for (const x of [this.modality, this.valid]) x.addEventListener('change', filters);
    for (const x of [this.minReward, this.maxReward, this.search]) x.addEventListener('input', filters);
  }

  private steps(): number[] {
    return this.host.store.run(this.host.store.settings.samplesRun)?.completionSteps ?? [];
  }

  private currentStep(): number | undefined {
    const steps = this.steps();
    const want = this.host.store.settings.samplesStep;
    return want !== null && steps.includes(want) ? want : steps.at(-1);
  }

  private stepBy(d: number): void {
    const steps = this.steps();
    const i = steps.indexOf(this.currentStep() ?? -1);
    const step = steps[Math.min(steps.length - 1, Math.max(0, i + d))];
    if (step !== undefined) {
      this.follow.checked = false;
      this.host.update({ samplesStep: step });
    }
  }

  /** Re-reads the settings and the run's steps; loads the step's rows when it changed. */
  render(): void {
    const st = this.host.store;
    clear(this.runSelect);
    for (const id of st.order) this.runSelect.append(el('option', { value: id }, st.runs.get(id)!.name));
    this.runSelect.value = st.settings.samplesRun ?? '';
    this.runSelect.hidden = st.order.length < 2;
    const steps = this.steps();
    const step = this.currentStep();
    this.slider.max = String(Math.max(0, steps.length - 1));
    this.slider.value = String(Math.max(0, steps.indexOf(step ?? -1)));
    this.slider.disabled = steps.length < 2;
    this.follow.checked = st.settings.samplesStep === null;
    this.stepLabel.textContent = step === undefined ? 'no completions logged' : `step ${step} (${steps.indexOf(step) + 1} of ${steps.length} logged)`;
    if (step === undefined) {
      this.rows = [];
      this.message.textContent = 'This run has no completions files yet (completions/step_N.jsonl).';
      this.draw();
      return;
    }
    const runId = st.settings.samplesRun!;
    const key = `${runId}:${step}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.host.transport.request({ kind: 'completions', runId, step });
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    const seq = ++this.loadSeq;
    p.then(
      (r) => {
        if (seq !== this.loadSeq) return;
        this.rows = r.rows;
        this.message.textContent = r.problems.length ? r.problems.join('; ') : '';
        this.draw();
      },
      (e: Error) => {
        if (seq !== this.loadSeq) return;
        this.rows = [];
        this.message.textContent = `Could not read step ${step}: ${e.message}`;
        this.draw();
      },
    );
  }

  /** Redraws the table from the loaded rows and the filters/sort. */
  draw(): void {
    const st = this.host.store.settings;
    const names = rewardNames(this.rows);
    const shown = sortSamples(filterSamples(this.rows, st.filters), st.sort);
    this.count.textContent = `${shown.length} of ${this.rows.length} completions`;
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    this.page = Math.min(this.page, pages - 1);
    const cols: Array<{ key: string; label: string; num?: boolean }> = [
      { key: 'index', label: '#', num: true },
      { key: 'group', label: 'group', num: true },
      { key: 'modality', label: 'modality' },
      { key: 'completion', label: 'completion' },
      { key: 'reward', label: 'reward', num: true },
      ...names.map((n) => ({ key: `rewards.${n}`, label: n, num: true })),
      { key: 'advantage', label: 'advantage', num: true },
      { key: 'length', label: 'length', num: true },
      { key: 'valid', label: 'valid' },
    ];
    clear(this.table);
    const head = el('tr');
    for (const c of cols) {
      const active = st.sort.key === c.key;
      const btn = el('button', { type: 'button', class: 'sort-btn', 'data-sort': c.key, onclick: () => this.host.update({ sort: { key: c.key, dir: active && st.sort.dir === 'asc' ? 'desc' : 'asc' } }) }, c.label, active ? (st.sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
      head.append(el('th', { scope: 'col', class: c.num ? 'num' : '', 'aria-sort': active ? (st.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none' }, btn));
    }
    const tbody = el('tbody');
    const runId = st.samplesRun ?? '';
    for (const r of shown.slice(this.page * PAGE, (this.page + 1) * PAGE)) {
      const seq = extractSequence(r.completion);
      const thumb = el('span', { class: 'thumb-slot' });
      if (r.modality === 'SMILES') {
        void moleculeUrl(this.host.boot, this.host.transport, runId, seq.sequence).then((url) => url && thumb.append(el('img', { class: 'mol-thumb', src: url, alt: `structure of ${seq.sequence}`, width: 96, height: 64 })));
      }
      const tr = el(
        'tr',
        { tabindex: 0, class: this.selected === r.index ? 'selected' : '', 'data-index': r.index, 'aria-selected': String(this.selected === r.index) },
        el('td', { class: 'num' }, r.index),
        el('td', { class: 'num' }, r.group),
        el('td', {}, r.modality ?? '–'),
        el('td', { class: 'completion-cell' }, thumb, el('code', { class: 'completion-text' }, r.completion)),
        el('td', { class: 'num' }, fmtNum(r.reward)),
        ...names.map((n) => el('td', { class: 'num' }, fmtNum(r.rewards[n] ?? null))),
        el('td', { class: `num ${r.advantage > 0 ? 'pos' : r.advantage < 0 ? 'neg' : ''}` }, fmtNum(r.advantage)),
        el('td', { class: 'num' }, r.length, r.truncated ? el('span', { class: 'badge warn', title: 'cut at max_completion_length' }, 'cut') : null),
        el('td', {}, r.valid ? el('span', { class: 'badge ok' }, 'valid') : el('span', { class: 'badge bad' }, 'invalid')),
      );
      const pick = () => {
        this.selected = r.index;
        for (const x of Array.from(tbody.querySelectorAll('tr.selected'))) {
          x.classList.remove('selected');
          x.setAttribute('aria-selected', 'false');
        }
        tr.classList.add('selected');
        tr.setAttribute('aria-selected', 'true');
        this.showDetail(r);
      };
      tr.addEventListener('click', pick);
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          pick();
        } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          (e.key === 'ArrowDown' ? (tr.nextElementSibling as HTMLElement | null) : (tr.previousElementSibling as HTMLElement | null))?.focus();
        }
      });
      tbody.append(tr);
    }
    this.table.append(el('thead', {}, head), tbody);
    clear(this.pager);
    if (pages > 1) {
      for (let i = 0; i < pages; i++) {
        this.pager.append(el('button', { type: 'button', class: `btn ${i === this.page ? 'active' : ''}`, onclick: () => ((this.page = i), this.draw()) }, i + 1));
      }
    }
    const sel = this.rows.find((r) => r.index === this.selected);
    if (sel) this.showDetail(sel);
    else this.detail.hidden = true;
  }

  private showDetail(r: CompletionRow): void {
    const d = this.detail;
    clear(d);
    d.hidden = false;
    const seq = extractSequence(r.completion);
    const mol = el('div', { class: 'mol-large' });
    if (r.modality === 'SMILES' && this.host.boot.molecules) {
      void moleculeUrl(this.host.boot, this.host.transport, this.host.store.settings.samplesRun ?? '', seq.sequence).then((url) =>
        mol.append(url ? el('img', { src: url, alt: `structure of ${seq.sequence}`, width: 300, height: 200 }) : el('p', { class: 'muted' }, 'RDKit cannot draw this SMILES (not valid, or too large).')),
      );
    }
    const components = Object.entries(r.components ?? {});
    const reasons = Object.entries(r.reasons ?? {});
    const json = JSON.stringify(r, null, 2);
    append(
      d,
      el('header', { class: 'card-head' }, el('h3', {}, `Completion ${r.index} · group ${r.group} · step ${r.step}`)),
      el(
        'div',
        { class: 'detail-actions' },
        el('button', { type: 'button', class: 'btn', 'data-action': 'copy', onclick: () => void copyText(r.completion).then((ok) => this.host.toast(ok ? 'Completion copied' : 'Copy failed')) }, 'Copy completion'),
        el('button', { type: 'button', class: 'btn', 'data-action': 'copy-json', onclick: () => void copyText(json).then((ok) => this.host.toast(ok ? 'Sample copied as JSON' : 'Copy failed')) }, 'Copy as JSON'),
        this.host.transport.openText ? el('button', { type: 'button', class: 'btn', 'data-action': 'open', onclick: () => this.host.transport.openText!(json, 'json') }, 'Open in editor') : null,
      ),
      mol,
      r.modality && r.modality !== 'SMILES' && seq.sequence ? residueStrip(seq.sequence, (r as { position_scores?: number[] }).position_scores) : null,
      el('h4', {}, 'Completion'),
      el('pre', { class: 'text-block', 'data-role': 'detail-completion' }, r.completion),
      el('h4', {}, 'Prompt'),
      el('pre', { class: 'text-block', 'data-role': 'detail-prompt' }, r.prompt),
      el('h4', {}, 'Rewards'),
      el(
        'table',
        { class: 'kv' },
        el('tbody', {}, el('tr', {}, el('th', {}, 'total'), el('td', {}, fmtNum(r.reward))), ...Object.entries(r.rewards).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v === null ? 'abstained' : fmtNum(v)), el('td', { class: 'muted' }, r.reasons?.[k] ?? '')))),
      ),
      components.length ? el('h4', {}, 'Components') : null,
      components.length ? el('table', { class: 'kv' }, el('tbody', {}, ...components.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, `raw ${fmtNum(v.raw)} → ${fmtNum(v.value)}`), el('td', { class: 'muted' }, v.error ?? ''))))) : null,
      reasons.length && !Object.keys(r.rewards).length ? el('p', { class: 'muted' }, reasons.map(([k, v]) => `${k}: ${v}`).join('; ')) : null,
    );
  }
}

/** Residues in a monospace strip, shaded by a per-position score when the run logged one. */
function residueStrip(seq: string, scores?: number[]): HTMLElement {
  const strip = el('div', { class: 'residues', 'aria-label': 'sequence' });
  const fin = (scores ?? []).filter(Number.isFinite);
  const lo = Math.min(...fin);
  const hi = Math.max(...fin);
  for (let i = 0; i < seq.length && i < 2000; i++) {
    const s = scores?.[i];
    const span = el('span', { title: s !== undefined ? `${i + 1}: ${seq[i]} ${fmtNum(s)}` : `${i + 1}: ${seq[i]}` }, seq[i]!);
    if (s !== undefined && Number.isFinite(s) && hi > lo) {
      span.classList.add('scored');
      span.style.setProperty('--heat', String((s - lo) / (hi - lo)));
    }
    strip.append(span);
  }
  if (!fin.length) strip.append(el('span', { class: 'muted residue-note' }, ' (no per-position scores in this run)'));
  return strip;
}
