// UME's tokenizer, reimplemented to give exactly the ids of lobster's three HuggingFace tokenizers
// (one 1280-id space). Each sequence becomes `<cls_MODALITY> tokens <eos>`.
// - amino acids: BPE without merges = one token per character, case-sensitive (lowercase -> <unk>);
// - SMILES: the regex split (Isolated: every match is a piece, and so is every unmatched gap)
//   then a WordLevel lookup, so an unmatched gap is ONE <unk>;
// - nucleotides: lowercased first, then one token per character.
// Special tokens written literally in the text (e.g. "<mask>") are split out first, as HF's
// added-token matching does. Offsets map every token back to the text for per-position reports.

import type { Modality } from '../modality';
import { UME_SMILES_PATTERN, UME_TOKENS } from '../vocab/vocab.generated';
import { SMILES_ID_RANGE } from '../vocab/smiles';

export const VOCAB_SIZE = 1280;
export const SPECIAL = {
  cls: 0,
  cls_amino_acid: 1,
  cls_smiles: 2,
  cls_nucleotide: 3,
  eos: 4,
  unk: 5,
  pad: 6,
  sep: 7,
  mask: 8,
} as const;

/** Ids 0..24 are special tokens; they never count as residues. */
export const FIRST_REGULAR_ID = 25;

const CLS_OF: Record<Modality, number> = {
  amino_acid: SPECIAL.cls_amino_acid,
  SMILES: SPECIAL.cls_smiles,
  nucleotide: SPECIAL.cls_nucleotide,
};

/** Id ranges of each modality's own tokens in the shared space. */
const RANGES: Record<Modality, [number, number]> = {
  amino_acid: [25, 51],
  SMILES: [...SMILES_ID_RANGE],
  nucleotide: [1272, 1279],
};

/** The added tokens HF matches inside text: each tokenizer lists its own cls plus these. */
const SHARED_ADDED_TOKENS = ['<eos>', '<unk>', '<pad>', '<sep>', '<mask>'];
const ADDED_TOKENS: Record<Modality, string[]> = {
  amino_acid: ['<cls_amino_acid>', ...SHARED_ADDED_TOKENS],
  SMILES: ['<cls_smiles>', ...SHARED_ADDED_TOKENS],
  nucleotide: ['<cls_nucleotide>', ...SHARED_ADDED_TOKENS],
};

function buildLookup(modality: Modality): Map<string, number> {
  const [lo, hi] = RANGES[modality];
  const m = new Map<string, number>();
  for (let id = lo; id <= hi; id++) m.set(UME_TOKENS[id]!, id);
  return m;
}

/**
 * The whole vocabulary of one of lobster's tokenizer.json files: shared specials, its own tokens,
 * and `<reserved_for_...>` names for the other modalities' ids. The amino-acid and nucleotide
 * tokenizers are BPE with `ignore_merges`, so a whole text piece equal to ANY entry becomes that
 * single token (e.g. "<cls_smiles>" between two added tokens in protein text).
 */
function fullVocab(modality: Modality): Map<string, number> {
  const m = new Map<string, number>();
  for (let id = 0; id < VOCAB_SIZE; id++) {
    let name = UME_TOKENS[id]!;
    if (id >= FIRST_REGULAR_ID) {
      const owner = (Object.keys(RANGES) as Modality[]).find((k) => id >= RANGES[k][0] && id <= RANGES[k][1])!;
      if (owner !== modality) {
        name = owner === 'amino_acid' ? `<reserved_for_amino_acids_${id - 25}>` : owner === 'SMILES' ? `<reserved_for_smiles_${id - 52}>` : name;
        // The amino-acid tokenizer's vocabulary ends at id 51; the nucleotide one spans all 1280.
        if (owner !== 'amino_acid' && modality === 'amino_acid') continue;
      }
    }
    m.set(name, id);
  }
  return m;
}

const wholePieceVocab: Record<'amino_acid' | 'nucleotide', Map<string, number>> = {
  amino_acid: fullVocab('amino_acid'),
  nucleotide: fullVocab('nucleotide'),
};

const lookups: Record<Modality, Map<string, number>> = {
  amino_acid: buildLookup('amino_acid'),
  SMILES: buildLookup('SMILES'),
  nucleotide: buildLookup('nucleotide'),
};

export interface Encoding {
  modality: Modality;
  /** Token ids including `<cls_MODALITY>` and `<eos>`. */
  ids: number[];
  /** [start, end) UTF-16 offsets into the input text per token; [0, 0] for cls/eos. */
  offsets: Array<[number, number]>;
  /** True when content was cut to fit maxLength. */
  truncated: boolean;
}

export interface EncodeOptions {
  /** Maximum total length including cls and eos (right truncation of the content). */
  maxLength?: number;
}

/** Splits the text around literal special tokens; yields [start, end, specialId | -1]. */
function splitAddedTokens(text: string, added: readonly string[]): Array<[number, number, number]> {
  const parts: Array<[number, number, number]> = [];
  let pos = 0;
  let from = 0;
  while (from < text.length) {
    const lt = text.indexOf('<', from);
    if (lt < 0) break;
    const hit = added.find((t) => text.startsWith(t, lt));
    if (!hit) {
      from = lt + 1;
      continue;
    }
    if (lt > pos) parts.push([pos, lt, -1]);
    parts.push([lt, lt + hit.length, UME_TOKENS.indexOf(hit)]);
    pos = from = lt + hit.length;
  }
  if (pos < text.length) parts.push([pos, text.length, -1]);
  return parts;
}

/** Where the tokenizer puts each token: [start, end) UTF-16 offsets into the text. */
export interface TokenSink {
  /** Tokens taken so far (the tokenizer stops at stopAt). */
  readonly count: number;
  push(id: number, start: number, end: number): void;
}

/**
 * Per modality, the id of every single UTF-16 unit (lower-cased first for nucleotides, as the
 * tokenizer does), unk when not in the vocabulary: one array read per character instead of a
 * slice, a toLowerCase and a Map lookup (a 5 MB line took ~3 s; measured 1.1 s for the whole hover
 * scoring after this and the early stop).
 */
const unitIds: Partial<Record<Modality, Int32Array>> = {};
function unitTable(modality: Modality, table: Map<string, number>, lower: boolean): Int32Array {
  let t = unitIds[modality];
  if (!t) {
    t = new Int32Array(0x10000);
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      t[c] = table.get(lower ? ch.toLowerCase() : ch) ?? SPECIAL.unk;
    }
    unitIds[modality] = t;
  }
  return t;
}

function pushCharTokens(text: string, start: number, end: number, modality: Modality, lower: boolean, sink: TokenSink, stopAt: number): void {
  const table = lookups[modality];
  const units = unitTable(modality, table, lower);
  for (let i = start; i < end && sink.count < stopAt; ) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one character (one token); a lone surrogate is one unit.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        let ch = text.slice(i, i + 2);
        if (lower) ch = ch.toLowerCase();
        sink.push(table.get(ch) ?? SPECIAL.unk, i, i + 2);
        i += 2;
        continue;
      }
    }
    sink.push(units[c]!, i, i + 1);
    i += 1;
  }
}

function pushSmilesTokens(text: string, start: number, end: number, sink: TokenSink, stopAt: number): void {
  const re = new RegExp(UME_SMILES_PATTERN, 'g');
  const table = lookups.SMILES;
  const piece = text.slice(start, end);
  let last = 0;
  for (let m = re.exec(piece); m; m = re.exec(piece)) {
    if (sink.count >= stopAt) return;
    if (m.index > last) sink.push(SPECIAL.unk, start + last, start + m.index); // an unmatched gap is one piece, unknown to the WordLevel vocab
    sink.push(table.get(m[0]) ?? SPECIAL.unk, start + m.index, start + m.index + m[0].length);
    last = m.index + m[0].length;
  }
  if (last < piece.length) sink.push(SPECIAL.unk, start + last, end);
}

/**
 * The tokens of one sequence of a known modality, <cls_MODALITY> first, into `sink`, stopping once
 * it holds `stopAt` tokens (no <eos>: encode adds it after truncating).
 */
export function tokenizeInto(text: string, modality: Modality, sink: TokenSink, stopAt = Infinity): void {
  sink.push(CLS_OF[modality], 0, 0);
  for (const [s, e, special] of splitAddedTokens(text, ADDED_TOKENS[modality])) {
    if (sink.count >= stopAt) break;
    if (special >= 0) {
      sink.push(special, s, e);
    } else if (modality === 'SMILES') {
      pushSmilesTokens(text, s, e, sink, stopAt);
    } else {
      const piece = modality === 'nucleotide' ? text.slice(s, e).toLowerCase() : text.slice(s, e);
      const whole = wholePieceVocab[modality].get(piece);
      if (whole !== undefined) sink.push(whole, s, e);
      else pushCharTokens(text, s, e, modality, modality === 'nucleotide', sink, stopAt);
    }
  }
}

/** Tokenizes one sequence of a known modality. */
export function encode(text: string, modality: Modality, options: EncodeOptions = {}): Encoding {
  const ids: number[] = [];
  const offsets: Array<[number, number]> = [];
  const sink: TokenSink = {
    get count() {
      return ids.length;
    },
    push(id, start, end) {
      ids.push(id);
      offsets.push([start, end]);
    },
  };
  // With maxLength, tokenizing stops one token past what fits (enough to know it was truncated):
  // a 5 MB line is cut to the model's length without tokenizing all of it.
  tokenizeInto(text, modality, sink, options.maxLength !== undefined ? options.maxLength : Infinity);
  let truncated = false;
  const max = options.maxLength;
  if (max !== undefined) {
    if (max < 2) throw new Error(`maxLength ${max} cannot hold <cls> and <eos>; use at least 2`);
    if (ids.length + 1 > max) {
      ids.length = max - 1;
      offsets.length = max - 1;
      truncated = true;
    }
  }
  ids.push(SPECIAL.eos);
  offsets.push([text.length, text.length]);
  return { modality, ids, offsets, truncated };
}

export interface Batch {
  /** [batch, length] row-major, right-padded with <pad>. */
  inputIds: BigInt64Array;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: BigInt64Array;
  batch: number;
  length: number;
}

/**
 * Pads encodings to the longest in the batch (or to `padTo`, for lobster-style fixed padding).
 * Dynamic padding is the default: compute grows with the real lengths, not the model's maximum.
 */
export function collate(encodings: Encoding[], padTo?: number): Batch {
  const longest = Math.max(0, ...encodings.map((e) => e.ids.length));
  const length = padTo ?? longest;
  if (length < longest) throw new Error(`padTo ${length} is shorter than the longest encoding (${longest}); truncate with maxLength first`);
  const batch = encodings.length;
  const inputIds = new BigInt64Array(batch * length).fill(BigInt(SPECIAL.pad));
  const attentionMask = new BigInt64Array(batch * length);
  encodings.forEach((e, b) => {
    for (let t = 0; t < e.ids.length; t++) {
      inputIds[b * length + t] = BigInt(e.ids[t]!);
      attentionMask[b * length + t] = 1n;
    }
  });
  return { inputIds, attentionMask, batch, length };
}

// The SMILES vocabulary and split live in engine/vocab (seq/ uses them too); re-exported here.
export { SMILES_VOCABULARY, SMILES_SPLIT } from '../vocab/smiles';

export function tokenString(id: number): string {
  const t = UME_TOKENS[id];
  if (t === undefined) throw new Error(`token id ${id} is outside UME's vocabulary (0..${VOCAB_SIZE - 1})`);
  return t;
}

export function isSpecial(id: number): boolean {
  return id < FIRST_REGULAR_ID;
}
