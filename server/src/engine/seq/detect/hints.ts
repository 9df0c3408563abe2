// What the context of a sequence says about its modality: tag, column or key name, FASTA header,
// file extension. Each hint adds log-odds to a modality; a tag is nearly decisive, a header keyword
// or extension tips a short, ambiguous sequence but cannot outvote a long one's composition.
import type { Modality, SequenceHints } from '../types';

export type Priors = Record<Modality, number>;

export interface HintReading {
  prior: Priors;
  /** Modality a tag names, if the sequence is tagged (<smiles>, <protein>, <amino_acid>, <dna>, <rna>). */
  tagModality?: Modality;
  /** True where context rules SMILES out (a FASTA record): SMILES symbols are then bad residues. */
  smilesUnlikely?: boolean;
  /** Human-readable reasons, e.g. "FASTA header mentions mRNA", for messages. */
  reasons: string[];
}

const TAG_WEIGHT = 8;
const COLUMN_WEIGHT = 3;
const EXTENSION_WEIGHT = 3;
const HEADER_WEIGHT = 4;
/** FASTA holds biological sequences: a stray '#' or '@' in a protein must not make it a SMILES. */
const FASTA_NOT_SMILES_WEIGHT = 8;

export const TAG_MODALITY: Readonly<Record<string, Modality>> = {
  smiles: 'SMILES',
  protein: 'amino_acid',
  amino_acid: 'amino_acid',
  peptide: 'amino_acid',
  dna: 'nucleotide',
  rna: 'nucleotide',
  nucleotide: 'nucleotide',
};

/** The tag lobster's reward accepts for each modality (it knows only these three). */
export const REWARD_TAG: Readonly<Record<Modality, string>> = {
  SMILES: 'smiles',
  amino_acid: 'protein',
  nucleotide: 'dna',
};

// A .smi file holds SMILES by definition; FASTA extensions only say which kind of FASTA.
const EXTENSIONS: Readonly<Record<string, [Modality, number]>> = {
  '.faa': ['amino_acid', EXTENSION_WEIGHT],
  '.pep': ['amino_acid', EXTENSION_WEIGHT],
  '.fna': ['nucleotide', EXTENSION_WEIGHT],
  '.ffn': ['nucleotide', EXTENSION_WEIGHT],
  '.frn': ['nucleotide', EXTENSION_WEIGHT],
  '.smi': ['SMILES', 2 * EXTENSION_WEIGHT],
  '.smiles': ['SMILES', 2 * EXTENSION_WEIGHT],
};

const COLUMN_RULES: Array<[RegExp, Modality]> = [
  [/smiles|^mol$|molecule|ligand/, 'SMILES'],
  [/protein|peptide|amino|^aa$|^aa[_ ]|antibody|^heavy|^light|^cdr|^vh$|^vl$/, 'amino_acid'],
  [/dna|rna|nucleotide|^nt$|^na$|^gene|cdna|primer|oligo|^utr|promoter/, 'nucleotide'],
];

// Accessions and UniProt header fields are decisive; keywords only count when they agree.
const PROTEIN_ID = /^(sp|tr)\||\sOS=.*\s(OX|GN|PE)=|\b(NP|XP|WP|YP|AP)_\d/;
const NUCLEOTIDE_ID = /\b(NC|NM|NR|NG|NT|NW|NZ|XM|XR)_\d/;
const PROTEIN_WORDS = /\b(protein|polypeptide|peptide|enzyme|kinase|synthase|transporter|subunit|polyprotein|antibody)\b/i;
const NUCLEOTIDE_WORDS =
  /\b(mRNA|cDNA|rRNA|tRNA|ncRNA|miRNA|lncRNA|chromosome|chr[0-9XYMUn]+\w*|genomic|genome|contig|scaffold|plasmid|16S|18S|23S|28S|UTR|upstream|promoter|exon|intron|CDS|ORF)\b/i;

function headerModality(header: string): Modality | undefined {
  if (PROTEIN_ID.test(header)) return 'amino_acid';
  if (NUCLEOTIDE_ID.test(header)) return 'nucleotide';
  const p = PROTEIN_WORDS.test(header);
  const n = NUCLEOTIDE_WORDS.test(header);
  // A header naming both ("mRNA of protein kinase") says nothing either way.
  if (p === n) return undefined;
  return p ? 'amino_acid' : 'nucleotide';
}

export function readHints(h: SequenceHints | undefined): HintReading {
  const prior: Priors = { SMILES: 0, amino_acid: 0, nucleotide: 0 };
  const reasons: string[] = [];
  if (!h) return { prior, reasons };
  let tagModality: Modality | undefined;
  if (h.tag) {
    tagModality = TAG_MODALITY[h.tag.toLowerCase()];
    if (tagModality) {
      prior[tagModality] += TAG_WEIGHT;
      reasons.push(`tagged <${h.tag}>`);
    }
  }
  if (h.column) {
    const col = h.column.toLowerCase();
    const rule = COLUMN_RULES.find(([re]) => re.test(col));
    if (rule) {
      prior[rule[1]] += COLUMN_WEIGHT;
      reasons.push(`column "${h.column}"`);
    }
  }
  if (h.extension) {
    const e = EXTENSIONS[h.extension.toLowerCase()];
    if (e) {
      prior[e[0]] += e[1];
      reasons.push(`a ${h.extension} file`);
    }
  }
  const smilesUnlikely = h.fastaHeader !== undefined;
  if (smilesUnlikely) prior.SMILES -= FASTA_NOT_SMILES_WEIGHT;
  if (h.fastaHeader) {
    const m = headerModality(h.fastaHeader);
    if (m) {
      prior[m] += HEADER_WEIGHT;
      reasons.push(m === 'amino_acid' ? 'the FASTA header reads as a protein' : 'the FASTA header reads as DNA/RNA');
    }
  }
  const reading: HintReading = { prior, reasons, smilesUnlikely };
  if (tagModality) reading.tagModality = tagModality;
  return reading;
}
