// The retrieval component's reference set: items (id + sequence) read from a FASTA, SMILES or
// JSONL file, embedded once with UME (mean-pooled, L2-normalised) and cached on disk beside the
// file, keyed by the file's content and the model, so a second run loads instead of embedding.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { nodeFs, writeFileAtomic } from '../../checkpoint/atomic';
import { detectWith } from '../../seq/detect/index';
import type { SmilesValidator } from '../../seq/rdkit';
import type { Modality } from '../../seq/types';
import type { UmeScorer } from '../../ume/scorer';

export interface ReferenceItem {
  id: string;
  sequence: string;
  modality: Modality;
}

export interface ReferenceSet {
  items: ReferenceItem[];
  /** Row-major [items x dim], each row L2-normalised. */
  embeddings: Float32Array;
  dim: number;
  byId: Map<string, number>;
  /** Where the embeddings were cached, and whether this load hit the cache. */
  cachePath: string;
  fromCache: boolean;
}

const MODALITY_NAMES: Record<string, Modality> = { smiles: 'SMILES', SMILES: 'SMILES', protein: 'amino_acid', amino_acid: 'amino_acid', dna: 'nucleotide', rna: 'nucleotide', nucleotide: 'nucleotide' };

export function readReferenceItems(path: string, rdkit: SmilesValidator, fields: { id: string; sequence: string; modality: string }): ReferenceItem[] {
  const text = readFileSync(path, 'utf8');
  const raw: Array<{ id: string; sequence: string; modality?: Modality }> = [];
  const lines = text.split(/\r?\n/);
  if (/\.jsonl?$/i.test(path)) {
    lines.forEach((l, i) => {
      if (l.trim() === '') return;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(l) as Record<string, unknown>;
      } catch (e) {
        throw new Error(`${path}:${i + 1}: not JSON (${(e as Error).message})`, { cause: e });
      }
      const seq = o[fields.sequence];
      if (typeof seq !== 'string') throw new Error(`${path}:${i + 1}: no string field "${fields.sequence}" (set sequence_field)`);
      const m = o[fields.modality];
      raw.push({ id: String(o[fields.id] ?? i), sequence: seq.trim(), ...(typeof m === 'string' && MODALITY_NAMES[m] ? { modality: MODALITY_NAMES[m] } : {}) });
    });
  } else if (lines.some((l) => l.startsWith('>'))) {
    let cur: { id: string; parts: string[] } | null = null;
    const flush = () => cur && cur.parts.length && raw.push({ id: cur.id, sequence: cur.parts.join('') });
    for (const l of lines) {
      if (l.startsWith('>')) {
        flush();
        cur = { id: l.slice(1).trim().split(/\s+/)[0] ?? '', parts: [] };
      } else if (cur && l.trim()) cur.parts.push(l.trim());
    }
    flush();
  } else {
    lines.forEach((l, i) => {
      const w = l.trim().split(/\s+/);
      if (!w[0] || w[0].startsWith('#')) return;
      raw.push({ id: w[1] ?? String(i + 1), sequence: w[0] });
    });
  }
  if (raw.length === 0) throw new Error(`the reference file ${path} holds no items`);
  return raw.map((r, i) => {
    if (r.modality) return { id: r.id, sequence: r.sequence, modality: r.modality };
    const d = detectWith(rdkit, r.sequence, { mode: 'default' });
    if (!d.modality) throw new Error(`${path}: item ${i + 1} ("${r.id}") is not a recognisable sequence; give its modality (JSONL "${fields.modality}" field)`);
    return { id: r.id, sequence: r.sequence, modality: d.modality };
  });
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < v.length; i++) v[i]! *= s;
  return v;
}

export async function embedNormalised(scorer: UmeScorer, items: ReadonlyArray<{ sequence: string; modality: Modality }>, signal?: AbortSignal): Promise<Float32Array[]> {
  const res = await scorer.embed(items.map((x) => ({ text: x.sequence, modality: x.modality })), signal ? { signal } : {});
  return res.map((r) => normalise(r.embedding));
}

export async function loadReferenceSet(path: string, scorer: UmeScorer, modelKey: string, rdkit: SmilesValidator, fields: { id: string; sequence: string; modality: string }, cacheDir?: string): Promise<ReferenceSet> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`reference file ${path} not found`);
  const items = readReferenceItems(path, rdkit, fields);
  const hash = createHash('sha256').update(readFileSync(path)).update(`\0${modelKey}\0${scorer.maxLength}\0${JSON.stringify(fields)}`).digest('hex').slice(0, 16);
  const dir = cacheDir ?? join(dirname(path), '.ume-embeddings');
  const cachePath = join(dir, `${basename(path)}.${hash}.f32`);
  const dim = scorer.config.hiddenSize;
  const byId = new Map(items.map((it, i) => [it.id, i]));
  if (existsSync(cachePath)) {
    const buf = readFileSync(cachePath);
    if (buf.byteLength === items.length * dim * 4) {
      const embeddings = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      return { items, embeddings, dim, byId, cachePath, fromCache: true };
    }
  }
  const rows = await embedNormalised(scorer, items);
  const embeddings = new Float32Array(items.length * dim);
  rows.forEach((r, i) => embeddings.set(r, i * dim));
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(nodeFs, cachePath, [new Uint8Array(embeddings.buffer)]);
  return { items, embeddings, dim, byId, cachePath, fromCache: false };
}
