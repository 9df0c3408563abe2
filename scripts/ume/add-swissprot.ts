// Adds Swiss-Prot proteins (Debian metastudent-data: ~435k distinct GO-annotated Swiss-Prot
// sequences of January 2014, in BLAST databases) to the TRAINING split of a corpus built by
// build-corpus.ts. The held-out split is copied unchanged, so the quality gate is measured on the
// same held-out sequences as before; and any Swiss-Prot protein sharing an exact K-residue stretch
// (default 20) with a held-out protein is left out, so no held-out protein, nor a near-identical
// copy of one, reaches training through the new source.
//
//   apt-get install -y metastudent-data
//   node --max-old-space-size=8000 --import tsx scripts/ume/add-swissprot.ts [--from data/ume-corpus] [--out data/ume-corpus-sp] [--n 50000] [--k 20]
//
// Deterministic: a fixed seed picks the proteins and the crop of those longer than the model's
// max length, and shuffles the merged training rows.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeFs, writeFileAtomic } from '../../server/src/engine/checkpoint/atomic';
import { blastSequences } from './blast-db';
import { readCorpus, type CorpusRow } from './mlm-data';
import { mulberry32, shuffleInPlace } from './seeded-rng';

const METASTUDENT = '/usr/share/metastudent-data/dataset_201401';
/** The three GO ontologies' databases overlap; their union is the set of distinct sequences. */
const DATABASES = ['BPO', 'MFO', 'CCO'].map((o) => `${METASTUDENT}/${o}/goasp.fasta`);
const PROTEIN_MIN = 30;
const PROTEIN_MAX = 254; // as build-corpus.ts: + <cls> + <eos> = the model's 256
const SEED = 1234;

export const SWISSPROT_SOURCE = {
  id: 'metastudent-swissprot',
  modality: 'amino_acid',
  path: `${METASTUDENT}/{BPO,MFO,CCO}/goasp.fasta.{pin,psq}`,
  debianPackage: 'metastudent-data',
  licence: 'UniProtKB/Swiss-Prot CC-BY-4.0 (package GPL-2+)',
} as const;

export interface SwissProtPick {
  rows: CorpusRow[];
  distinct: number;
  excludedOverlap: number;
  rejected: number;
}

/** Picks n Swiss-Prot proteins for training, none sharing a k-residue stretch with a held-out protein. */
export function pickSwissProt(n: number, k: number, heldout: readonly CorpusRow[], known: Set<string>, rand: () => number): SwissProtPick {
  const heldKmers = new Set<string>();
  for (const r of heldout) if (r.modality === 'amino_acid') for (let i = 0; i + k <= r.text.length; i++) heldKmers.add(r.text.slice(i, i + k));
  const distinct = new Set<string>();
  for (const db of DATABASES) for (const s of blastSequences(db)) distinct.add(s);
  const all = [...distinct];
  shuffleInPlace(all, rand);
  const rows: CorpusRow[] = [];
  let excludedOverlap = 0;
  let rejected = 0;
  for (const full of all) {
    if (rows.length >= n) break;
    if (full.length < PROTEIN_MIN || !/^[ACDEFGHIKLMNPQRSTVWYXBZUO]+$/.test(full)) {
      rejected++;
      continue;
    }
    let overlaps = false;
    for (let i = 0; i + k <= full.length && !overlaps; i++) overlaps = heldKmers.has(full.slice(i, i + k));
    if (overlaps) {
      excludedOverlap++;
      continue;
    }
    let text = full;
    if (text.length > PROTEIN_MAX) {
      const start = Math.floor(rand() * (text.length - PROTEIN_MAX + 1));
      text = text.slice(start, start + PROTEIN_MAX);
    }
    if (known.has(text)) continue;
    known.add(text);
    rows.push({ modality: 'amino_acid', text, source: SWISSPROT_SOURCE.id });
  }
  return { rows, distinct: all.length, excludedOverlap, rejected };
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      from: { type: 'string', default: 'data/ume-corpus' },
      out: { type: 'string', default: 'data/ume-corpus-sp' },
      n: { type: 'string', default: '50000' },
      k: { type: 'string', default: '20' },
    },
  });
  const n = Number(args.n);
  const k = Number(args.k);
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k) || k < 5) throw new Error(`--n must be a whole number >= 0 and --k one >= 5; got --n ${args.n} --k ${args.k}`);
  const missing = DATABASES.filter((d) => !existsSync(`${d}.pin`));
  if (missing.length) throw new Error(`Swiss-Prot databases not found (${missing.join(', ')}); install them with: apt-get install -y metastudent-data`);
  const train = readCorpus(join(args.from, 'train.jsonl'));
  const heldout = readCorpus(join(args.from, 'heldout.jsonl'));
  const rand = mulberry32(SEED);
  const pick = pickSwissProt(n, k, heldout, new Set([...train, ...heldout].map((r) => r.text)), rand);
  const merged = [...train, ...pick.rows];
  shuffleInPlace(merged, rand);
  mkdirSync(args.out, { recursive: true });
  // Atomic (temp file, fsync, rename), with a disk-full error that says what to do.
  const write = (name: string, body: string): Promise<void> => writeFileAtomic(nodeFs, join(args.out, name), [Buffer.from(body)]);
  await write('train.jsonl', merged.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await write('heldout.jsonl', heldout.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const added = { ...SWISSPROT_SOURCE, n, k, seed: SEED, distinct: pick.distinct, kept: pick.rows.length, excludedOverlap: pick.excludedOverlap, rejected: pick.rejected, residues: pick.rows.reduce((s, r) => s + r.text.length, 0) };
  await write('swissprot.json', JSON.stringify({ from: args.from, ...added }, null, 2) + '\n');
  console.log(`${added.kept} Swiss-Prot proteins added to training (${added.residues} residues; ${added.excludedOverlap} left out for sharing a ${k}-residue stretch with a held-out protein, ${added.rejected} rejected); ${merged.length} training rows in ${args.out}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
