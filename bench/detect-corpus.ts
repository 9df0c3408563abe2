// Inputs of the detect bench, built once from public data in Debian packages and cached in
// .bench-cache/detect/ (git-ignored). Every file is deterministic (seeded), so runs compare.
//
// Proteins: real UniProt sequences from mmseqs2-examples, repeated with 2% point substitutions
// (residues drawn from the same real sequences) so 100k records are all distinct. Without that
// package, a stated synthetic generator draws residues from UniProt background frequencies.
// SMILES: real molecules from rdkit-data (NCI first_5K, WEHI), written as in the file and then as
// RDKit non-canonical SMILES rooted at other atoms: the same real molecules as distinct strings.
// Distinct strings matter because our RDKit validator caches by string; lobster has no cache, so
// repeated strings would measure our cache, not detection.

import initRDKitModule from '@rdkit/rdkit';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const CACHE_DIR = join(__dirname, '..', '.bench-cache', 'detect');
const CORPUS_VERSION = 1;

export const SOURCES = {
  proteins: '/usr/share/doc/mmseqs2/example-data/DB.fasta.gz',
  nci: '/usr/share/RDKit/Data/NCI/first_5K.smi',
  wehi: '/usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv',
};

export interface Corpus {
  fasta: string; // 100k records (measured)
  fastaWarm: string; // 10k other records (JIT warm-up, disjoint strings)
  smi: string; // 50k SMILES (measured)
  smiWarm: string; // 10k other SMILES strings
  fasta50: string; // >= 50 MiB FASTA for time to first diagnostics
  proteinSource: string;
  smilesSource: string;
}

export interface CorpusSizes {
  fastaRecords: number;
  smilesRecords: number;
  bigMiB: number;
}

/** Builds (or reuses) the cached inputs and returns their paths. */
export async function ensureCorpus(sizes: CorpusSizes, log: (s: string) => void): Promise<Corpus> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const tag = `v${CORPUS_VERSION}`;
  const p = (name: string): string => join(CACHE_DIR, `${tag}-${name}`);
  const realProteins = existsSync(SOURCES.proteins);
  const proteinSource = realProteins
    ? `${SOURCES.proteins} (Debian mmseqs2-examples, UniProt), repeated with 2% substitutions`
    : 'SYNTHETIC: residues drawn from UniProt background frequencies (install Debian mmseqs2-examples for real proteins)';
  const kind = realProteins ? 'uniprot' : 'synthetic';
  const corpus: Corpus = {
    fasta: p(`${kind}-${sizes.fastaRecords}.fasta`),
    fastaWarm: p(`${kind}-warm-10000.fasta`),
    smi: p(`smiles-${sizes.smilesRecords}.smi`),
    smiWarm: p(`smiles-warm-10000.smi`),
    fasta50: p(`${kind}-${sizes.bigMiB}MiB.fasta`),
    proteinSource,
    smilesSource: `${SOURCES.nci} + ${SOURCES.wehi} (Debian rdkit-data), as written then rooted at other atoms`,
  };

  if (![corpus.fasta, corpus.fastaWarm, corpus.fasta50].every((f) => existsSync(f))) {
    log(`building FASTA inputs in ${CACHE_DIR} ...`);
    const pool = realProteins ? readRealProteins(SOURCES.proteins) : syntheticProteins(20_000, new Rng(3));
    writeFileSync(corpus.fasta, fastaText(pool, sizes.fastaRecords, new Rng(11), () => false));
    writeFileSync(corpus.fastaWarm, fastaText(pool, 10_000, new Rng(12), () => false));
    const bigBytes = sizes.bigMiB * 1024 * 1024;
    writeFileSync(corpus.fasta50, fastaText(pool, Infinity, new Rng(13), (bytes) => bytes >= bigBytes));
  }
  if (![corpus.smi, corpus.smiWarm].every((f) => existsSync(f))) {
    log(`building SMILES inputs in ${CACHE_DIR} ...`);
    const all = await distinctSmiles(sizes.smilesRecords + 10_000);
    writeFileSync(corpus.smi, smiText(all.slice(0, sizes.smilesRecords), 0));
    writeFileSync(corpus.smiWarm, smiText(all.slice(sizes.smilesRecords), sizes.smilesRecords));
  }
  return corpus;
}

export function fileMiB(path: string): number {
  return statSync(path).size / (1024 * 1024);
}

// ---- proteins ----

interface Protein {
  id: string;
  seq: string;
}

function readRealProteins(path: string): Protein[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const out: Protein[] = [];
  for (const block of text.split('\n>')) {
    const nl = block.indexOf('\n');
    if (nl < 0) continue;
    const header = block.slice(0, nl).replace(/^>/, '');
    const seq = block.slice(nl + 1).replace(/\s+/g, '');
    if (seq.length >= 3) out.push({ id: header.split(/\s/)[0] ?? 'protein', seq });
  }
  if (out.length === 0) throw new Error(`no protein records in ${path}; reinstall Debian mmseqs2-examples`);
  return out;
}

// UniProtKB/Swiss-Prot amino-acid composition (percent), release statistics.
const BACKGROUND: Array<[string, number]> = [
  ['A', 8.25], ['R', 5.53], ['N', 4.06], ['D', 5.45], ['C', 1.37], ['Q', 3.93], ['E', 6.75], ['G', 7.07], ['H', 2.27], ['I', 5.96],
  ['L', 9.66], ['K', 5.84], ['M', 2.42], ['F', 3.86], ['P', 4.70], ['S', 6.56], ['T', 5.34], ['W', 1.08], ['Y', 2.92], ['V', 6.87],
];

function syntheticProteins(n: number, rng: Rng): Protein[] {
  const total = BACKGROUND.reduce((s, [, w]) => s + w, 0);
  const pick = (): string => {
    let r = rng.next() * total;
    for (const [aa, w] of BACKGROUND) if ((r -= w) < 0) return aa;
    return 'L';
  };
  // Lengths roughly log-normal around UniProt's median (~300).
  return Array.from({ length: n }, (_, i) => {
    const len = Math.max(30, Math.round(Math.exp(5.7 + 0.6 * rng.normal())));
    let seq = 'M';
    while (seq.length < len) seq += pick();
    return { id: `synthetic_${i}`, seq };
  });
}

/** Records cycle through the pool; each copy gets 2% substitutions by residues from other real sequences. */
function fastaText(pool: Protein[], records: number, rng: Rng, full: (bytes: number) => boolean): string {
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; i < records && !full(bytes); i++) {
    const base = pool[i % pool.length]!;
    const chars = base.seq.split('');
    const donor = pool[rng.int(pool.length)]!.seq;
    for (let k = 0; k < chars.length; k++) if (rng.next() < 0.02) chars[k] = donor[rng.int(donor.length)]!;
    const seq = chars.join('');
    let rec = `>bench_${i} ${base.id} mutated copy ${Math.floor(i / pool.length)}\n`;
    for (let k = 0; k < seq.length; k += 60) rec += `${seq.slice(k, k + 60)}\n`;
    parts.push(rec);
    bytes += rec.length;
  }
  return parts.join('');
}

// ---- SMILES ----

async function distinctSmiles(needed: number): Promise<string[]> {
  const real: string[] = [];
  for (const line of readFileSync(SOURCES.nci, 'utf8').split('\n')) {
    const s = line.split(/\s+/)[0];
    if (s) real.push(s);
  }
  for (const line of readFileSync(SOURCES.wehi, 'utf8').split('\n')) {
    const m = /^"([^"]+)"/.exec(line);
    if (m) real.push(m[1]!);
  }
  const rd = await initRDKitModule();
  // Uniqueness by upper-case too: lobster's mode validates the upper-cased string.
  const seen = new Set<string>();
  const rounds: string[][] = [[]];
  const add = (round: number, s: string): void => {
    const key = s.toUpperCase();
    if (seen.has(s) || seen.has(key)) return;
    seen.add(s).add(key);
    (rounds[round] ??= []).push(s);
  };
  for (const s of real) add(0, s); // as written in the files (a few may be invalid: real data)
  const maxRoot = 24;
  for (const s of real) {
    const mol = rd.get_mol(s);
    if (!mol) continue;
    try {
      if (!mol.is_valid()) continue;
      const atoms = Math.min(mol.get_num_atoms(), maxRoot);
      for (let k = 1; k < atoms; k++) add(k, mol.get_smiles(JSON.stringify({ canonical: false, rootedAtAtom: k })));
    } finally {
      mol.delete();
    }
  }
  const out = rounds.flat();
  if (out.length < needed) throw new Error(`only ${out.length} distinct SMILES from rdkit-data; lower --smiles below ${needed - 10_000}`);
  return out.slice(0, needed);
}

function smiText(smiles: string[], firstId: number): string {
  return smiles.map((s, i) => `${s} mol_${firstId + i}\n`).join('');
}

// ---- seeded random numbers (mulberry32) ----

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
}
