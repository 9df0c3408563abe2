// retrieval (seed 004): embed the completion's sequence with UME (mean-pooled), rank the reference
// set by cosine similarity to it, and reward the rank of the row's target item(s): NDCG@K, Hit@K,
// MRR@K, or a weighted mix. Targets are ids from a dataset column (one id, or a list).

import { resolve } from 'node:path';
import { resolveModel } from '../../reward/index';
import { UmeScorer } from '../../ume/scorer';
import { hitAtK, mrrAtK, ndcgAtK, ranksOf } from '../retrieval/metrics';
import { embedNormalised, loadReferenceSet, type ReferenceSet } from '../retrieval/reference-set';
import type { ParamSpec } from './params';
import type { BuildContext, Component, ComponentRow, Measurement } from './types';

export const RETRIEVAL_PARAMS: ParamSpec = {
  references_file: { kind: 'string', required: true, doc: 'FASTA (id = header word), SMILES (SMILES then id per line) or JSONL file of reference items' },
  target_column: { kind: 'string', default: 'target', doc: 'dataset column holding the target item id (or a list of ids)' },
  k: { kind: 'integer', min: 1, default: 10, doc: 'cut-off K' },
  metric: { kind: 'string', values: ['ndcg', 'hit', 'mrr', 'mix'], default: 'ndcg', doc: 'what the raw value is' },
  mix: { kind: 'object', doc: 'metric "mix": weights, e.g. {"ndcg": 0.5, "hit": 0.3, "mrr": 0.2}' },
  id_field: { kind: 'string', default: 'id', doc: 'JSONL: the id field' },
  sequence_field: { kind: 'string', default: 'sequence', doc: 'JSONL: the sequence field' },
  modality_field: { kind: 'string', default: 'modality', doc: 'JSONL: the modality field (smiles, protein, dna)' },
  model: { kind: 'string', doc: 'UME weights (default: the embedded ume-tiny)' },
  device: { kind: 'string', values: ['auto', 'cpu', 'cuda', 'webgpu'], default: 'auto', doc: 'execution provider' },
  cache_dir: { kind: 'string', doc: 'where embeddings are cached (default: .ume-embeddings/ beside the reference file)' },
};

function targetsOf(v: unknown): string[] | undefined {
  if (typeof v === 'string' || typeof v === 'number') return [String(v)];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  return undefined;
}

export async function retrievalComponent(name: string, params: Record<string, unknown>, ctx: BuildContext): Promise<Component> {
  const where = `component "${name}" (retrieval)`;
  const p = params as { references_file: string; target_column: string; k: number; metric: 'ndcg' | 'hit' | 'mrr' | 'mix'; mix?: Record<string, unknown>; id_field: string; sequence_field: string; modality_field: string; model?: string; device: 'auto' | 'cpu' | 'cuda' | 'webgpu'; cache_dir?: string };
  let mix = { ndcg: 0, hit: 0, mrr: 0 };
  if (p.metric === 'mix') {
    const m = p.mix ?? {};
    for (const key of Object.keys(m)) if (!(key in mix)) throw new Error(`${where}: mix takes ndcg, hit, mrr; not "${key}"`);
    mix = { ndcg: Number(m['ndcg'] ?? 0), hit: Number(m['hit'] ?? 0), mrr: Number(m['mrr'] ?? 0) };
    if (![mix.ndcg, mix.hit, mix.mrr].every((x) => Number.isFinite(x) && x >= 0) || mix.ndcg + mix.hit + mix.mrr === 0) throw new Error(`${where}: mix weights must be non-negative numbers, not all 0`);
  }
  const model = resolveModel(p.model === undefined ? undefined : resolve(ctx.baseDir, p.model));
  const scorer = await UmeScorer.fromFile(model.path, { device: p.device });
  let refs: ReferenceSet;
  try {
    refs = await loadReferenceSet(resolve(ctx.baseDir, p.references_file), scorer, model.path, ctx.rdkit, { id: p.id_field, sequence: p.sequence_field, modality: p.modality_field }, p.cache_dir === undefined ? undefined : resolve(ctx.baseDir, p.cache_dir));
  } catch (e) {
    await scorer.release();
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
  const score = (ranks: number[]): number => {
    switch (p.metric) {
      case 'ndcg':
        return ndcgAtK(ranks, p.k);
      case 'hit':
        return hitAtK(ranks, p.k);
      case 'mrr':
        return mrrAtK(ranks, p.k);
      case 'mix': {
        const s = mix.ndcg + mix.hit + mix.mrr;
        return (mix.ndcg * ndcgAtK(ranks, p.k) + mix.hit * hitAtK(ranks, p.k) + mix.mrr * mrrAtK(ranks, p.k)) / s;
      }
    }
  };
  return {
    name,
    type: 'retrieval',
    get reference(): ReferenceSet {
      return refs;
    },
    async measure(rows: readonly ComponentRow[], options): Promise<Measurement[]> {
      const out: Measurement[] = rows.map(() => ({ raw: null }));
      const todo: Array<{ i: number; targets: number[] }> = [];
      rows.forEach((r, i) => {
        if (!r.seq.ok) return (out[i] = { raw: null, error: r.seq.reason, kind: r.seq.kind });
        const t = targetsOf(r.input.columns?.[p.target_column]);
        if (!t) return (out[i] = { raw: null, error: `no target: the row has no "${p.target_column}" column with an item id (set target_column)` });
        const idx = t.map((id) => refs.byId.get(id));
        const missing = t.filter((_, j) => idx[j] === undefined);
        if (missing.length) return (out[i] = { raw: null, error: `target ${missing.map((m) => `"${m}"`).join(', ')} is not in the reference set` });
        todo.push({ i, targets: idx as number[] });
      });
      if (todo.length === 0) return out;
      const embs = await embedNormalised(scorer, todo.map(({ i }) => ({ sequence: (rows[i]!.seq as { text: string }).text, modality: (rows[i]!.seq as { modality: 'SMILES' }).modality })), options?.signal);
      const n = refs.items.length;
      const sims = new Float64Array(n);
      todo.forEach(({ i, targets }, j) => {
        const e = embs[j]!;
        for (let r = 0; r < n; r++) {
          let dot = 0;
          const off = r * refs.dim;
          for (let d = 0; d < refs.dim; d++) dot += e[d]! * refs.embeddings[off + d]!;
          sims[r] = dot;
        }
        const ranks = ranksOf(sims, targets);
        out[i] = { raw: score(ranks) };
      });
      return out;
    },
    close: () => scorer.release(),
  } as Component;
}
