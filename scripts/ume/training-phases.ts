// A run's history when it was resumed with other settings (a longer --steps, another --lr): each
// phase is a stretch of steps under one schedule. summary.json carries them so the model card can
// say exactly how the shipped weights were trained.

import { existsSync, readFileSync } from 'node:fs';

export interface TrainingPhase {
  fromStep: number;
  toStep: number;
  /** The schedule's length (--steps) in this phase; the cosine is computed over it. */
  plannedSteps: number;
  lr: number;
  stoppedEarly: boolean;
}

interface SummaryLike {
  steps: number;
  plannedSteps: number;
  stoppedEarly?: boolean;
  optimizer?: { lr: number };
  phases?: TrainingPhase[];
}

/**
 * The phases before a resume at `resumedStep`, from the run's previous summary.json (a summary
 * written before phases existed counts as one phase). Work after the checkpoint resumed from is
 * dropped: it is being redone.
 */
export function previousPhases(summaryPath: string, resumedStep: number): TrainingPhase[] {
  if (resumedStep === 0 || !existsSync(summaryPath)) return [];
  let s: SummaryLike;
  try {
    s = JSON.parse(readFileSync(summaryPath, 'utf8')) as SummaryLike;
  } catch (e) {
    throw new Error(`${summaryPath} is not readable JSON (${(e as Error).message}); move it aside to resume without the run's history`, { cause: e });
  }
  const phases = s.phases ?? [{ fromStep: 0, toStep: s.steps, plannedSteps: s.plannedSteps, lr: s.optimizer?.lr ?? NaN, stoppedEarly: s.stoppedEarly ?? false }];
  return phases
    .filter((p) => p.fromStep < resumedStep)
    .map((p) => (p.toStep > resumedStep ? { ...p, toStep: resumedStep, stoppedEarly: true } : p));
}

/** One line per phase for the model card, e.g. "steps 8385-26000: peak lr 0.0012, schedule over 26000 steps". */
export function describePhases(phases: TrainingPhase[]): string[] {
  return phases.map((p) => `steps ${p.fromStep + 1}-${p.toStep}: peak lr ${p.lr}, schedule over ${p.plannedSteps} steps${p.stoppedEarly && p.toStep < p.plannedSteps ? ` (stopped at ${p.toStep})` : ''}`);
}
