// Builds the pretraining corpus of our embedded default model (ume-tiny) from public data shipped
// in Debian packages (REFERENCE.md §4), reproducibly: fixed sources, fixed seed, a held-out split
// decided by a hash of each sequence (so the split does not depend on the order of sources).
//
//   apt-get install -y rdkit-data emboss-data mmseqs2-examples r-bioc-biostrings vsearch-examples bowtie-examples
//   node --import tsx scripts/ume/build-corpus.ts [--out data/ume-corpus] [--heldout 0.05]
//
// Output: train.jsonl and heldout.jsonl with one {"modality","text","source"} per line, plus
// sources.json (what was read, how many sequences each gave, licences).

import { createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { nodeFs, writeFileAtomic } from '../../server/src/engine/checkpoint/atomic';
import type { Modality } from '../../server/src/engine/seq/types';
import { mulberry32, shuffleInPlace } from './seeded-rng';

interface Source {
  id: string;
  modality: Modality;
  path: string;
  debianPackage: string;
  licence: string;
  read: (path: string) => AsyncIterable<string>;
}

interface Row {
  modality: Modality;
  text: string;
  source: string;
}

const SMILES_MAX = 120;
const PROTEIN_MIN = 30;
const PROTEIN_MAX = 254; // + <cls> + <eos> = 256, the model's max length
const DNA_WINDOW_MIN = 60;
const DNA_WINDOW_MAX = 254;

async function* lines(path: string): AsyncIterable<string> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  yield* createInterface({ input, crlfDelay: Infinity });
}

async function* fastaRecords(path: string): AsyncIterable<{ header: string; seq: string }> {
  let header: string | undefined;
  let seq: string[] = [];
  for await (const line of lines(path)) {
    if (line.startsWith('>')) {
      if (header !== undefined) yield { header, seq: seq.join('') };
      header = line.slice(1);
      seq = [];
    } else if (header !== undefined) seq.push(line.trim());
  }
  if (header !== undefined) yield { header, seq: seq.join('') };
}

/** FNV-1a 32-bit, for the held-out split. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Cuts DNA into random windows (one or more per record), lowercase, only a/c/g/t/n. */
function* dnaWindows(seq: string, rand: () => number, perRecord: number): Iterable<string> {
  const clean = seq.toLowerCase().replace(/[^acgtun]/g, 'n');
  for (let k = 0; k < perRecord; k++) {
    const len = Math.min(clean.length, DNA_WINDOW_MIN + Math.floor(rand() * (DNA_WINDOW_MAX - DNA_WINDOW_MIN + 1)));
    if (len < DNA_WINDOW_MIN) return;
    const start = Math.floor(rand() * (clean.length - len + 1));
    const w = clean.slice(start, start + len);
    if ((w.match(/n/g)?.length ?? 0) > len * 0.05) continue; // mostly unknown bases: skip
    yield w;
  }
}

const rand = mulberry32(42);

const SOURCES: Source[] = [
  {
    id: 'rdkit-nci-first5k',
    modality: 'SMILES',
    path: '/usr/share/RDKit/Data/NCI/first_5K.smi',
    debianPackage: 'rdkit-data',
    licence: 'BSD-3-Clause',
    read: async function* (p) {
      for await (const l of lines(p)) {
        const s = l.split(/\s+/)[0];
        if (s) yield s;
      }
    },
  },
  {
    id: 'rdkit-pains-wehi',
    modality: 'SMILES',
    path: '/usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv',
    debianPackage: 'rdkit-data',
    licence: 'BSD-3-Clause',
    read: async function* (p) {
      for await (const l of lines(p)) {
        const m = /^"([^"]+)"/.exec(l);
        if (m) yield m[1]!;
      }
    },
  },
  {
    id: 'emboss-chebi-obo',
    modality: 'SMILES',
    path: '/usr/share/EMBOSS/data/OBO/chebi.obo',
    debianPackage: 'emboss-data',
    licence: 'CC-BY-3.0 (ChEBI)',
    read: async function* (p) {
      for await (const l of lines(p)) {
        const m = /^synonym: "([^"]+)" RELATED SMILES/.exec(l);
        if (m && !m[1]!.includes('*')) yield m[1]!; // '*' marks R-groups/polymers, not molecules
      }
    },
  },
  {
    id: 'mmseqs2-uniprot-db',
    modality: 'amino_acid',
    path: '/usr/share/doc/mmseqs2/example-data/DB.fasta.gz',
    debianPackage: 'mmseqs2-examples',
    licence: 'UniProt CC-BY-4.0 (package GPL-3)',
    read: async function* (p) {
      for await (const r of fastaRecords(p)) {
        const s = r.seq.toUpperCase();
        if (s.length < PROTEIN_MIN || !/^[ACDEFGHIKLMNPQRSTVWYXBZUO]+$/.test(s)) continue;
        if (s.length <= PROTEIN_MAX) yield s;
        else {
          // A random crop keeps long proteins without padding the model past its max length.
          const start = Math.floor(rand() * (s.length - PROTEIN_MAX + 1));
          yield s.slice(start, start + PROTEIN_MAX);
        }
      }
    },
  },
  {
    id: 'biostrings-dm3-upstream2000',
    modality: 'nucleotide',
    path: '/usr/lib/R/site-library/Biostrings/extdata/dm3_upstream2000.fa.gz',
    debianPackage: 'r-bioc-biostrings',
    licence: 'Artistic-2.0',
    read: async function* (p) {
      let i = 0;
      for await (const r of fastaRecords(p)) if (i++ % 2 === 0) yield* dnaWindows(r.seq, rand, 1); // half the records: keeps DNA from dominating
    },
  },
  {
    id: 'vsearch-biomarks-18s',
    modality: 'nucleotide',
    path: '/usr/share/doc/vsearch-examples/BioMarKs50k.fsa.gz',
    debianPackage: 'vsearch-examples',
    licence: 'BSD-2-Clause',
    read: async function* (p) {
      let i = 0;
      for await (const r of fastaRecords(p)) if (i++ % 4 === 0 && r.seq.length >= DNA_WINDOW_MIN) yield* dnaWindows(r.seq, rand, 1);
    },
  },
  {
    id: 'bowtie-ecoli-nc008253',
    modality: 'nucleotide',
    path: '/usr/share/doc/bowtie/examples/genomes/NC_008253.fna.gz',
    debianPackage: 'bowtie-examples',
    licence: 'Artistic-2.0',
    read: async function* (p) {
      for await (const r of fastaRecords(p)) yield* dnaWindows(r.seq, rand, 6000);
    },
  },
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const out = arg('--out', 'data/ume-corpus');
  const heldoutFraction = Number(arg('--heldout', '0.05'));
  const missing = SOURCES.filter((s) => !existsSync(s.path));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((s) => s.debianPackage))].join(' ');
    throw new Error(`missing corpus sources:\n${missing.map((s) => `  ${s.path}`).join('\n')}\ninstall them with: apt-get install -y ${pkgs}`);
  }
  const initRDKit = require('@rdkit/rdkit') as () => Promise<{ get_mol(s: string): { is_valid(): boolean; get_smiles(): string; delete(): void } | null }>;
  const RDKit = await initRDKit();
  const seen = new Set<string>();
  const train: Row[] = [];
  const heldout: Row[] = [];
  const stats: Array<Record<string, unknown>> = [];
  for (const src of SOURCES) {
    let kept = 0;
    let rejected = 0;
    for await (const raw of src.read(src.path)) {
      let text = raw.trim();
      if (src.modality === 'SMILES') {
        if (text.length > SMILES_MAX * 2) {
          rejected++;
          continue;
        }
        const mol = RDKit.get_mol(text);
        if (!mol || !mol.is_valid()) {
          mol?.delete();
          rejected++;
          continue;
        }
        text = mol.get_smiles(); // canonical: one spelling per molecule, so held-out is truly unseen
        mol.delete();
        if (text.length < 3 || text.length > SMILES_MAX) {
          rejected++;
          continue;
        }
      }
      if (seen.has(text)) continue;
      seen.add(text);
      const row: Row = { modality: src.modality, text, source: src.id };
      (fnv1a(text) / 2 ** 32 < heldoutFraction ? heldout : train).push(row);
      kept++;
    }
    stats.push({ id: src.id, modality: src.modality, path: src.path, debianPackage: src.debianPackage, licence: src.licence, kept, rejected });
    console.log(`${src.id}: ${kept} sequences (${rejected} rejected)`);
  }
  // Shuffle training rows so batches mix modalities.
  shuffleInPlace(train, rand);
  mkdirSync(out, { recursive: true });
  // Atomic (temp file, fsync, rename), with a disk-full error that says what to do.
  const write = (name: string, body: string): Promise<void> => writeFileAtomic(nodeFs, join(out, name), [Buffer.from(body)]);
  await write('train.jsonl', train.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await write('heldout.jsonl', heldout.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await write('sources.json', JSON.stringify({ seed: 42, heldoutFraction, sources: stats }, null, 2) + '\n');
  const count = (rows: Row[], m: Modality) => rows.filter((r) => r.modality === m).length;
  for (const m of ['SMILES', 'amino_acid', 'nucleotide'] as Modality[]) console.log(`${m}: train ${count(train, m)}, heldout ${count(heldout, m)}`);
}

/** Reads a corpus split written by this script. */
export function readCorpus(path: string): Row[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
