// policy-tiny's side of UME's vocabulary: which ids each modality may generate, how a prompt
// becomes ids, and how a completion becomes the tagged text lobster's reward reads.
//
// Prompt rule (tokenizePrompt):
//   1. The modality is the argument when one is given; otherwise the LAST opening tag in the prompt
//      text (<smiles>, <protein>, <amino_acid>, <peptide>, <dna>, <rna>, <nucleotide>, any case);
//      otherwise a keyword, when the text names exactly one modality (SMILES/molecule,
//      protein/amino acid/peptide, DNA/RNA/nucleotide); otherwise an error saying what to add.
//   2. If the prompt ends inside an opening tag of that modality (no closing tag after it), the text
//      after the tag is a prefix the completion continues: "Make a drug. <smiles>CC(" gives
//      <cls_smiles> C C ( . A prefix holding characters UME does not know (<unk>) is refused.
//   3. The ids are <cls_MODALITY> + prefix tokens. Chat messages are read as their contents joined.
// Completion rule (decodeCompletion): the prefix plus the generated tokens, between lobster's
// reward tags <smiles>..</smiles>, <protein>..</protein>, <dna>..</dna> (DNA in upper case). The
// closing tag is written only when the completion ended with <eos>: a completion cut at
// maxNewTokens keeps its tag open, so the reward sees the truncation (extractTagged reports it
// as unclosed) instead of scoring a fragment as a whole sequence.

import { TAG_MODALITY } from '../../seq/detect/hints';
import type { Modality } from '../../seq/types';
import { encode, SPECIAL, tokenString, VOCAB_SIZE } from '../../ume/tokenizer';
import type { PromptInput } from '../types';

/** Each modality's own ids in UME's shared space (ume/tokenizer.ts; checked by vocab.test.ts). */
export const MODALITY_RANGE: Readonly<Record<Modality, readonly [number, number]>> = {
  amino_acid: [25, 51],
  SMILES: [52, 1271],
  nucleotide: [1272, 1279],
};

export const CLS_ID: Readonly<Record<Modality, number>> = { amino_acid: SPECIAL.cls_amino_acid, SMILES: SPECIAL.cls_smiles, nucleotide: SPECIAL.cls_nucleotide };

/** The tags lobster's reward accepts. */
export const OUTPUT_TAG: Readonly<Record<Modality, string>> = { SMILES: 'smiles', amino_acid: 'protein', nucleotide: 'dna' };

export function modalityOfCls(id: number | undefined): Modality | undefined {
  if (id === SPECIAL.cls_smiles) return 'SMILES';
  if (id === SPECIAL.cls_amino_acid) return 'amino_acid';
  if (id === SPECIAL.cls_nucleotide) return 'nucleotide';
  return undefined;
}

/**
 * The restriction table: row r (r = the prompt's first id when it is 1, 2 or 3, else 0) says which
 * ids may be generated, 1 allowed / 0 not. Row 0 (no modality start token) allows everything;
 * rows 1-3 allow the modality's own ids and <eos>. Graph and host read this same table.
 */
export function allowedTable(): Uint8Array {
  const t = new Uint8Array(4 * VOCAB_SIZE);
  t.fill(1, 0, VOCAB_SIZE);
  for (const m of Object.keys(MODALITY_RANGE) as Modality[]) {
    const row = CLS_ID[m];
    const [lo, hi] = MODALITY_RANGE[m];
    t.fill(1, row * VOCAB_SIZE + lo, row * VOCAB_SIZE + hi + 1);
    t[row * VOCAB_SIZE + SPECIAL.eos] = 1;
  }
  return t;
}

/** The table row a prompt uses (see allowedTable). */
export function restrictionRow(firstId: number | undefined): number {
  return firstId !== undefined && firstId >= 1 && firstId <= 3 ? firstId : 0;
}

const TAG_RE = /<\/?([a-z_]+)>/gi;
const KEYWORDS: Array<[Modality, RegExp]> = [
  ['SMILES', /\bsmiles\b|\bmolecules?\b/i],
  ['amino_acid', /\bproteins?\b|\bamino[ _-]acids?\b|\bpeptides?\b/i],
  ['nucleotide', /\bdna\b|\brna\b|\bnucleotides?\b/i],
];

function promptText(prompt: PromptInput): string {
  if (typeof prompt === 'string') return prompt;
  if (!Array.isArray(prompt)) throw new TypeError(`a prompt must be a string or a list of chat messages, got ${typeof prompt}`);
  return prompt.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
}

interface TagAt {
  modality: Modality;
  end: number;
  closing: boolean;
}

function tagsIn(text: string): TagAt[] {
  const out: TagAt[] = [];
  TAG_RE.lastIndex = 0;
  for (let m = TAG_RE.exec(text); m; m = TAG_RE.exec(text)) {
    const modality = TAG_MODALITY[m[1]!.toLowerCase()];
    if (modality) out.push({ modality, end: m.index + m[0].length, closing: m[0].startsWith('</') });
  }
  return out;
}

/** The modality a prompt asks for and the prefix it ends with (see the rule above). */
export function readPrompt(prompt: PromptInput, modality?: Modality | null): { modality: Modality; prefix: string } {
  const text = promptText(prompt);
  const tags = tagsIn(text);
  const lastOpen = [...tags].reverse().find((t) => !t.closing);
  let m: Modality | undefined = modality ?? undefined;
  if (!m && lastOpen) m = lastOpen.modality;
  if (!m) {
    const named = KEYWORDS.filter(([, re]) => re.test(text)).map(([k]) => k);
    if (named.length === 1) m = named[0];
  }
  if (!m) {
    throw new Error(`cannot tell which modality the prompt asks for (${JSON.stringify(text.slice(0, 80))}): give the modality, or end the prompt with <smiles>, <protein> or <dna>`);
  }
  let prefix = '';
  const last = tags[tags.length - 1];
  if (last && !last.closing) {
    if (last.modality !== m) throw new Error(`the prompt ends inside a <${OUTPUT_TAG[last.modality]}>-type tag but the modality is ${m}; make them agree`);
    prefix = text.slice(last.end).trim();
  }
  return { modality: m, prefix };
}

/** <cls_MODALITY> + the prefix's tokens. */
export function promptIds(prompt: PromptInput, modality?: Modality | null): number[] {
  const { modality: m, prefix } = readPrompt(prompt, modality);
  const ids = [CLS_ID[m]];
  if (prefix) {
    const enc = encode(prefix, m);
    const body = enc.ids.slice(1, -1);
    const unk = body.indexOf(SPECIAL.unk);
    if (unk >= 0) {
      const [s, e] = enc.offsets[unk + 1]!;
      throw new Error(`the prompt's ${m} prefix "${prefix}" holds "${prefix.slice(s, e)}" at offset ${s}, which UME's tokenizer does not know; remove it or fix the prefix`);
    }
    ids.push(...body);
  }
  return ids;
}

/** Text of one content token as the reward expects it (DNA upper case). */
function tokenText(id: number, m: Modality): string {
  const s = tokenString(id);
  return m === 'nucleotide' && id >= MODALITY_RANGE.nucleotide[0] ? s.toUpperCase() : s;
}

/** Prefix + completion in lobster's tagged format; closed only when the completion ended with <eos>. */
export function completionText(prompt: readonly number[], completion: readonly number[]): string {
  const m = modalityOfCls(prompt[0]);
  if (!m) throw new Error(`policy-tiny prompts start with <cls_smiles>, <cls_amino_acid> or <cls_nucleotide> (ids 1-3), this one with id ${String(prompt[0])}`);
  const stopped = completion.length > 0 && completion[completion.length - 1] === SPECIAL.eos;
  const body = [...prompt.slice(1), ...(stopped ? completion.slice(0, -1) : completion)];
  const tag = OUTPUT_TAG[m];
  return `<${tag}>${body.map((id) => tokenText(id, m)).join('')}${stopped ? `</${tag}>` : ''}`;
}
