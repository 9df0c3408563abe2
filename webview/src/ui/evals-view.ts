// Generation logs (held-out prompts scored at each evaluation) browsable by eval step.

import type { GenerationLog } from '../../../server/src/protocol/run-format';
import type { DashboardStore, ViewSettings } from '../state/store';
import type { Transport } from '../transport/transport';
import { extractSequence } from '../state/samples';
import type { DashboardBoot } from '../../../server/src/protocol/dashboard';
import { clear, el, fmtNum } from './dom';
import { moleculeUrl } from './molecule';

export class EvalsView {
  readonly root: HTMLElement;
  private readonly runSelect = el('select', { 'aria-label': 'Run', 'data-role': 'eval-run' });
  private readonly stepSelect = el('select', { 'aria-label': 'Evaluation step', 'data-role': 'eval-step' });
  private readonly body = el('div', { class: 'evals-body' });
  private seq = 0;

  constructor(private readonly host: { store: DashboardStore; transport: Transport; boot: DashboardBoot; update(p: Partial<ViewSettings>): void }) {
    this.root = el('div', { class: 'evals-view' }, el('div', { class: 'toolbar' }, this.runSelect, el('label', {}, 'evaluation at ', this.stepSelect)), this.body);
    this.runSelect.addEventListener('change', () => host.update({ evalRun: this.runSelect.value, evalStep: null }));
    this.stepSelect.addEventListener('change', () => host.update({ evalStep: Number(this.stepSelect.value) }));
  }

  render(): void {
    const st = this.host.store;
    clear(this.runSelect);
    for (const id of st.order) this.runSelect.append(el('option', { value: id }, st.runs.get(id)!.name));
    this.runSelect.value = st.settings.evalRun ?? '';
    this.runSelect.hidden = st.order.length < 2;
    const run = st.run(st.settings.evalRun);
    const steps = run?.generationLogSteps ?? [];
    clear(this.stepSelect);
    for (const s of steps) this.stepSelect.append(el('option', { value: s }, `step ${s}`));
    const step = st.settings.evalStep !== null && steps.includes(st.settings.evalStep) ? st.settings.evalStep : steps.at(-1);
    clear(this.body);
    if (!run || step === undefined) {
      this.body.append(el('p', { class: 'muted' }, 'No generation logs in this run (written at each eval_steps when enable_generation_logging is on).'));
      return;
    }
    this.stepSelect.value = String(step);
    const seq = ++this.seq;
    this.host.transport.request({ kind: 'generationLog', runId: run.id, step }).then(
      (log) => seq === this.seq && this.show(log),
      (e: Error) => seq === this.seq && this.body.append(el('p', { class: 'error' }, `Could not read the generation log of step ${step}: ${e.message}`)),
    );
  }

  private show(log: GenerationLog | null): void {
    clear(this.body);
    if (!log) {
      this.body.append(el('p', { class: 'error' }, 'This generation log cannot be read (missing or not valid JSON).'));
      return;
    }
    const metrics = Object.entries(log.metrics ?? {});
    this.body.append(
      el('div', { class: 'figures' }, figure('mean reward', fmtNum(log.mean_reward)), figure('samples', String(log.num_samples)), figure('model', log.model), figure('written', log.timestamp), ...metrics.filter(([k]) => k !== 'eval/mean_reward').map(([k, v]) => figure(k.replace(/^eval\//, ''), fmtNum(v)))),
    );
    const runId = this.host.store.settings.evalRun ?? '';
    const tbody = el('tbody');
    for (const s of log.samples ?? []) {
      const thumb = el('span', { class: 'thumb-slot' });
      if (s.modality === 'SMILES') {
        void moleculeUrl(this.host.boot, this.host.transport, runId, extractSequence(s.generated_text).sequence).then((url) => url && thumb.append(el('img', { class: 'mol-thumb', src: url, alt: 'structure', width: 96, height: 64 })));
      }
      tbody.append(el('tr', {}, el('td', {}, s.modality ?? '–'), el('td', { class: 'completion-cell' }, thumb, el('code', { class: 'completion-text' }, s.generated_text)), el('td', { class: 'num' }, fmtNum(s.reward)), el('td', { class: 'num' }, s.length), el('td', {}, s.valid ? el('span', { class: 'badge ok' }, 'valid') : el('span', { class: 'badge bad' }, 'invalid')), el('td', { class: 'prompt-cell' }, s.prompt)));
    }
    this.body.append(el('table', { class: 'samples' }, el('thead', {}, el('tr', {}, ...['modality', 'generated', 'reward', 'length', 'valid', 'prompt'].map((h) => el('th', { scope: 'col' }, h)))), tbody));
  }
}

export function figure(label: string, value: string): HTMLElement {
  return el('div', { class: 'figure' }, el('div', { class: 'figure-value' }, value), el('div', { class: 'figure-label' }, label));
}
