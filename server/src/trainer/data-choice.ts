// The prompts of a run: "synthetic" (lobster-style, engine/data: train split for training, the
// validation split for evaluation) or a JSONL file (prompt, optional modality and columns; the last
// 5% held out for evaluation unless eval_dataset names another file). A conversational prompt keeps
// its messages (the policy tokenizes them: a Hugging Face folder through its chat template) and
// gives rewards and logs its contents joined by newlines as its text.

import { loadPromptDataset } from '../engine/data';
import type { PromptRow } from '../engine/training/generation';
import type { ResolvedGrpoConfig } from '../engine/training/config';

export interface TrainingData {
  train: PromptRow[];
  eval: PromptRow[];
  source: string;
}

type Loaded = Awaited<ReturnType<typeof loadPromptDataset>>;

function rowsOf(d: Loaded): PromptRow[] {
  return d.rows.map((r) => {
    const text = typeof r.prompt === 'string' ? r.prompt : r.prompt.map((m) => m.content).join('\n');
    return { prompt: text, ...(typeof r.prompt === 'string' ? {} : { messages: r.prompt }), modality: r.modality ?? null, ...(r.columns ? { columns: r.columns } : {}) };
  });
}

export async function loadTrainingData(c: Pick<ResolvedGrpoConfig, 'dataset' | 'eval_dataset' | 'max_samples'>): Promise<TrainingData> {
  const max = c.max_samples ?? undefined;
  if (c.dataset === 'synthetic') {
    const train = rowsOf(await loadPromptDataset({ kind: 'synthetic', split: 'train' }, max !== undefined ? { maxSamples: max } : {}));
    const evalRows = c.eval_dataset ? rowsOf(await loadPromptDataset({ kind: 'jsonl', path: c.eval_dataset }, {})) : rowsOf(await loadPromptDataset({ kind: 'synthetic', split: 'validation' }, {}));
    return { train, eval: evalRows, source: 'synthetic (lobster-style, seed 42)' };
  }
  const all = rowsOf(await loadPromptDataset({ kind: 'jsonl', path: c.dataset }, max !== undefined ? { maxSamples: max } : {}));
  if (c.eval_dataset) return { train: all, eval: rowsOf(await loadPromptDataset({ kind: 'jsonl', path: c.eval_dataset }, {})), source: c.dataset };
  const nEval = all.length >= 20 ? Math.max(1, Math.floor(all.length * 0.05)) : 0;
  return { train: all.slice(0, all.length - nEval), eval: nEval ? all.slice(all.length - nEval) : all.slice(0, Math.min(8, all.length)), source: c.dataset };
}
