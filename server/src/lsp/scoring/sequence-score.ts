// One detected sequence -> what UME says about it: whether it can be scored at all (and why not),
// the cached PLL result keyed by model/mode/modality/text, and the record the hover, `ume/score`,
// the CSV and the heat map are made from (token offsets mapped back onto the document).

import { createHash } from 'node:crypto';
import { defaultSeverity } from '../../engine/seq/codes';
import { DocumentEditor } from '../../engine/seq/fix-edits';
import type { Modality, SequenceReport } from '../../engine/seq/types';
import type { PllMode, PllResult } from '../../engine/ume/pll';
import { isSpecial, SPECIAL } from '../../engine/ume/tokenizer';
import { foreignTokensReason } from '../../engine/ume/unknown-tokens';
import type { ScoredSequenceRecord, TokenScore } from '../../protocol/score';

/** A PLL result reduced to what the editor shows; offsets are into the sequence text. */
export interface SequencePll {
  pll: number;
  nTokens: number;
  truncated: boolean;
  /** Scored residue tokens in order (cls/eos and unscored sampled positions left out). */
  tokens: Array<{ start: number; end: number; logprob: number }>;
}

export type Scorable = { ok: true; modality: Modality; text: string } | { ok: false; modality: Modality | null; reason: string };

/**
 * Whether UME can score a detected sequence, by the reward function's rules: a modality must be
 * known, no error-level problem (invalid SMILES, invalid residues, too short), and every character
 * must be in UME's vocabulary for the modality (an <unk> would be scored as if it were a residue).
 */
export function scorable(report: SequenceReport): Scorable {
  const { detection, occurrence } = report;
  const text = occurrence.text;
  if (detection.modality === null) {
    const why = detection.problems[0]?.message ?? 'it is not a SMILES, protein or nucleotide sequence';
    return { ok: false, modality: null, reason: `the modality could not be determined: ${why}` };
  }
  const modality = detection.modality;
  const error = detection.problems.find((p) => (p.severity ?? defaultSeverity(p.code)) === 'error');
  if (error) return { ok: false, modality, reason: `not a valid ${modality} sequence: ${error.message}` };
  const foreign = foreignTokensReason(text, modality);
  if (foreign) return { ok: false, modality, reason: `${foreign}; fix the sequence to score it` };
  return { ok: true, modality, text };
}

/** Cache key: everything the PLL depends on. Temperature is applied when reading (reward = pll / T). */
/** Texts longer than this are keyed by their SHA-256, so the cache never holds a 5 MB line as a key. */
const HASHED_KEY_FROM = 256;

export function pllKey(modelId: string, mode: PllMode, modality: Modality, text: string): string {
  const t = text.length > HASHED_KEY_FROM ? `sha256:${text.length}:${createHash('sha256').update(text).digest('hex')}` : text;
  return `${modelId}\u0000${mode}\u0000${modality}\u0000${t}`;
}

/** Bytes a cached score holds, roughly (V8 objects: ~40 bytes per token entry), for the cache's budget. */
export function pllBytes(key: string, r: SequencePll): number {
  return 2 * key.length + 64 + 40 * r.tokens.length;
}

/** Keeps what the editor needs of a PllResult; null when the model gave no finite mean. */
export function toSequencePll(r: PllResult): SequencePll | { error: string } {
  if (r.mean === null || !Number.isFinite(r.mean)) return { error: r.reason ?? `the model gave no finite PLL (${String(r.mean)})` };
  const tokens: SequencePll['tokens'] = [];
  for (let t = 0; t < r.ids.length; t++) {
    const lp = r.logprobs[t];
    const id = r.ids[t]!;
    if (lp === null || lp === undefined || (isSpecial(id) && id !== SPECIAL.unk)) continue;
    const [start, end] = r.offsets[t]!;
    tokens.push({ start, end, logprob: lp });
  }
  return { pll: r.mean, nTokens: r.ids.length, truncated: r.truncated, tokens };
}

// rangeOf only reads the occurrence's segments, not the document text.
const mapper = new DocumentEditor('', false);

export function tokenRecord(report: SequenceReport, tok: SequencePll['tokens'][number]): TokenScore {
  const occ = report.occurrence;
  return { range: mapper.rangeOf(occ, tok.start, tok.end - tok.start), token: occ.text.slice(tok.start, tok.end), position: tok.start + 1, logprob: tok.logprob };
}

/** The n least likely tokens, lowest log-prob first (ties: earlier first). */
export function leastLikelyTokens(p: SequencePll, n = 3): SequencePll['tokens'] {
  return p.tokens
    .map((t, i) => ({ t, i }))
    .sort((a, b) => a.t.logprob - b.t.logprob || a.i - b.i)
    .slice(0, n)
    .map((x) => x.t);
}

export function scoredRecord(
  report: SequenceReport,
  modality: Modality,
  p: SequencePll,
  meta: { mode: PllMode; model: string; temperature: number },
  withTokens: boolean,
): ScoredSequenceRecord {
  const occ = report.occurrence;
  return {
    range: occ.range,
    text: occ.text,
    modality,
    confidence: report.detection.confidence,
    length: occ.text.length,
    reward: p.pll / meta.temperature,
    pll: p.pll,
    perplexity: Math.exp(-p.pll),
    mode: meta.mode,
    model: meta.model,
    temperature: meta.temperature,
    n_tokens: p.nTokens,
    truncated: p.truncated,
    least_likely: leastLikelyTokens(p).map((t) => tokenRecord(report, t)),
    tokens: withTokens ? p.tokens.map((t) => tokenRecord(report, t)) : [],
  };
}
