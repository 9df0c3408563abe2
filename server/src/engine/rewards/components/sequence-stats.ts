// Sequence components (proteins, DNA/RNA; SMILES rows are measured as text where that means
// something, see each):
// - kmer_novelty: the fraction of the sequence's distinct k-mers that occur in no reference
//   sequence (1 = nothing borrowed, 0 = every k-mer seen before);
// - linguistic_complexity: sum_k V_k / sum_k Vmax_k over k = 1..max_k, V_k the distinct k-mers in
//   the sequence and Vmax_k = min(A^k, L - k + 1) the most it could hold (A = 20 for proteins,
//   4 for nucleotides); 1 for a maximally varied sequence, near 0 for "AAAAAAA" or "ATATATAT";
// - composition: the fraction of residues in a set (gc_content, hydrophobic_fraction,
//   charged_fraction, or any "residues"), scored 1 inside [min, max] when given.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Modality } from '../../seq/types';
import type { ParamSpec } from './params';
import { unreadable, type BuildContext, type Component, type ComponentRow, type Measurement } from './types';

/** Sequences of a FASTA file (records joined across lines) or of a one-per-line file. */
export function readSequenceList(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/);
  if (!lines.some((l) => l.startsWith('>'))) return lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const out: string[] = [];
  let cur: string[] | null = null;
  for (const l of lines) {
    if (l.startsWith('>')) {
      if (cur && cur.length) out.push(cur.join(''));
      cur = [];
    } else if (cur) cur.push(l.trim());
  }
  if (cur && cur.length) out.push(cur.join(''));
  return out;
}

function sequencesFrom(where: string, params: Record<string, unknown>, ctx: BuildContext): string[] {
  const seqs = [...((params['references'] as string[] | undefined) ?? [])];
  if (typeof params['references_file'] === 'string') {
    const file = resolve(ctx.baseDir, params['references_file']);
    try {
      seqs.push(...readSequenceList(file));
    } catch (e) {
      throw new Error(`${where}: cannot read references_file ${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  return seqs;
}

function norm(text: string, modality: Modality): string {
  return modality === 'SMILES' ? text : text.toUpperCase().replace(/U/g, modality === 'nucleotide' ? 'T' : 'U');
}

export const KMER_NOVELTY_PARAMS: ParamSpec = {
  references: { kind: 'string[]', doc: 'reference sequences' },
  references_file: { kind: 'string', doc: 'FASTA or one-per-line file of reference sequences (relative to the config file)' },
  k: { kind: 'integer', min: 1, max: 32, default: 5, doc: 'k-mer length' },
};

export function kmerNoveltyComponent(name: string, params: Record<string, unknown>, ctx: BuildContext): Component {
  const where = `component "${name}" (kmer_novelty)`;
  const k = params['k'] as number;
  const refs = sequencesFrom(where, params, ctx);
  if (refs.length === 0) throw new Error(`${where}: give "references" or "references_file"`);
  const seen = new Set<string>();
  for (const r of refs) {
    const s = r.toUpperCase().replace(/U/g, 'T');
    for (let i = 0; i + k <= s.length; i++) seen.add(s.slice(i, i + k));
  }
  const measure = (r: ComponentRow): Measurement => {
    if (!r.seq.ok) return unreadable(r.seq);
    const s = r.seq.modality === 'SMILES' ? r.seq.text : r.seq.text.toUpperCase().replace(/U/g, 'T');
    if (s.length < k) return { raw: null, error: `the sequence (${s.length}) is shorter than k = ${k}` };
    const mine = new Set<string>();
    for (let i = 0; i + k <= s.length; i++) mine.add(s.slice(i, i + k));
    let novel = 0;
    for (const m of mine) if (!seen.has(m)) novel++;
    return { raw: novel / mine.size };
  };
  return { name, type: 'kmer_novelty', measure: async (rows) => rows.map(measure) };
}

export const LC_PARAMS: ParamSpec = {
  max_k: { kind: 'integer', min: 1, max: 64, default: 8, doc: 'longest word length counted' },
};

const ALPHABET: Record<Modality, number> = { amino_acid: 20, nucleotide: 4, SMILES: 0 };

export function linguisticComplexity(seq: string, alphabet: number, maxK: number): number {
  let v = 0;
  let vmax = 0;
  for (let k = 1; k <= Math.min(maxK, seq.length); k++) {
    const words = new Set<string>();
    for (let i = 0; i + k <= seq.length; i++) words.add(seq.slice(i, i + k));
    v += words.size;
    vmax += Math.min(alphabet ** k, seq.length - k + 1);
  }
  return vmax === 0 ? 0 : v / vmax;
}

export function linguisticComplexityComponent(name: string, params: Record<string, unknown>): Component {
  const maxK = params['max_k'] as number;
  const measure = (r: ComponentRow): Measurement => {
    if (!r.seq.ok) return unreadable(r.seq);
    if (r.seq.modality === 'SMILES') return { raw: null, error: 'linguistic_complexity judges proteins and nucleotides; this is a SMILES' };
    return { raw: linguisticComplexity(norm(r.seq.text, r.seq.modality), ALPHABET[r.seq.modality], maxK) };
  };
  return { name, type: 'linguistic_complexity', measure: async (rows) => rows.map(measure) };
}

const PROPERTIES: Record<string, { residues: string; modality: Modality }> = {
  gc_content: { residues: 'GC', modality: 'nucleotide' },
  hydrophobic_fraction: { residues: 'AILMFVW', modality: 'amino_acid' },
  charged_fraction: { residues: 'DEKR', modality: 'amino_acid' },
};

export const COMPOSITION_PARAMS: ParamSpec = {
  property: { kind: 'string', values: [...Object.keys(PROPERTIES), 'residues'], default: 'residues', doc: 'gc_content (G+C of nucleotides), hydrophobic_fraction (A I L M F V W), charged_fraction (D E K R), or "residues"' },
  residues: { kind: 'string', doc: 'property "residues": the one-letter codes counted' },
  min: { kind: 'number', min: 0, max: 1, doc: 'lowest fraction scoring 1' },
  max: { kind: 'number', min: 0, max: 1, doc: 'highest fraction scoring 1' },
};

export function compositionComponent(name: string, params: Record<string, unknown>): Component {
  const where = `component "${name}" (composition)`;
  const prop = params['property'] as string;
  let set: Set<string>;
  let modality: Modality | null = null;
  if (prop === 'residues') {
    if (typeof params['residues'] !== 'string' || params['residues'] === '') throw new Error(`${where}: property "residues" needs "residues", e.g. "DE"`);
    set = new Set(params['residues'].toUpperCase());
  } else {
    set = new Set(PROPERTIES[prop]!.residues);
    modality = PROPERTIES[prop]!.modality;
  }
  const min = params['min'] as number | undefined;
  const max = params['max'] as number | undefined;
  if (min !== undefined && max !== undefined && min > max) throw new Error(`${where}: min ${min} is above max ${max}`);
  const ranged = min !== undefined || max !== undefined;
  const measure = (r: ComponentRow): Measurement => {
    if (!r.seq.ok) return unreadable(r.seq);
    if (r.seq.modality === 'SMILES') return { raw: null, error: 'composition judges proteins and nucleotides; this is a SMILES' };
    if (modality && r.seq.modality !== modality) return { raw: null, error: `${prop} is defined for ${modality} sequences; this is ${r.seq.modality}` };
    const s = norm(r.seq.text, r.seq.modality);
    let n = 0;
    for (const c of s) if (set.has(c)) n++;
    const f = n / s.length;
    return ranged ? { raw: f, value: (min === undefined || f >= min) && (max === undefined || f <= max) ? 1 : 0 } : { raw: f };
  };
  return { name, type: 'composition', measure: async (rows) => rows.map(measure) };
}
