// The records `ume-studio score` prints: detect's record plus the UME score of the sequence. Kept
// apart from argument parsing so the shape is defined (and tested) in one place.

import type { DetectRecord } from '../../protocol/detect-record';
import { scoreEncodings, type PllScorer } from '../../engine/reward/index';
import { leastLikely, type PllMode } from '../../engine/ume/pll';
import { isSpecial, SPECIAL, tokenString, type Encoding } from '../../engine/ume/tokenizer';
import { foreignTokensReason } from '../../engine/ume/unknown-tokens';
import { MODALITIES } from '../../engine/seq/types';

export interface LeastLikelyToken {
  /** Offset and length in the sequence text ("text" field), UTF-16 code units. */
  offset: number;
  length: number;
  token: string;
  logprob: number;
}

export interface ScoreRecord extends DetectRecord {
  /** PLL / temperature; null when the sequence was not scored (see reason). */
  reward: number | null;
  /** Mean log-prob (see the mode); null when not scored. */
  pll: number | null;
  mode: PllMode;
  model: string;
  /** Tokens scored, <cls_*> and <eos> included; null when not scored. */
  n_tokens: number | null;
  /** True when the sequence was cut to the model's max length before scoring. */
  truncated: boolean;
  /** Tokens UME does not know (<unk>): their log-probs say little. */
  unknown_tokens: number;
  /** The least likely scored positions, least likely first. */
  least_likely: LeastLikelyToken[];
  /** Why a sequence has no reward; null when scored (and for file-level records, text null). */
  reason: string | null;
}

export interface ScoreSettings {
  mode: PllMode;
  temperature: number;
  batchSize: number;
  k?: number;
  leastLikely: number;
}

export interface Scoring {
  scorer: PllScorer & { encode(inputs: ReadonlyArray<{ text: string; modality: NonNullable<DetectRecord['modality']> }>): Encoding[] };
  model: string;
}

/** Why a detected sequence is not scored, or undefined when it can be. */
function notScorable(r: DetectRecord): string | undefined {
  if (r.modality === null) return 'modality undetermined, so there is no UME tokenizer to score it with';
  const error = r.diagnostics.find((d) => d.severity === 'error');
  if (error) return `not scored: ${error.code} ${error.message}`;
  // <unk> tokens would be scored as if they were residues, and easily predicted: no reward at all.
  const foreign = r.text === null ? undefined : foreignTokensReason(r.text, r.modality);
  if (foreign) return `not scored: ${foreign}`;
  return undefined;
}

/** Scores every scorable sequence record (one modality per scorer call) and returns score records in the same order. */
export async function scoreRecords(records: readonly DetectRecord[], s: Scoring, o: ScoreSettings): Promise<ScoreRecord[]> {
  const base = (r: DetectRecord, reason: string | null): ScoreRecord => ({
    ...r,
    reward: null,
    pll: null,
    mode: o.mode,
    model: s.model,
    n_tokens: null,
    truncated: false,
    unknown_tokens: 0,
    least_likely: [],
    reason,
  });
  const out = records.map((r) => base(r, r.text === null ? null : (notScorable(r) ?? null)));
  const todo = records.map((r, i) => ({ r, i })).filter(({ r, i }) => r.text !== null && out[i]!.reason === null);
  const encodings = s.scorer.encode(todo.map(({ r }) => ({ text: r.text!, modality: r.modality! })));
  const scores = await scoreEncodings(s.scorer, encodings, { mode: o.mode, batchSize: o.batchSize, ...(o.k !== undefined ? { k: o.k } : {}) });
  todo.forEach(({ i }, j) => {
    const rec = out[i]!;
    const enc = encodings[j]!;
    const sc = scores[j]!;
    rec.truncated = enc.truncated;
    rec.unknown_tokens = enc.ids.filter((id) => id === SPECIAL.unk).length;
    if (!sc.ok) {
      rec.reason = sc.reason;
      return;
    }
    rec.pll = sc.pll;
    rec.reward = sc.pll / o.temperature;
    rec.n_tokens = enc.ids.length;
    rec.least_likely = leastLikely(sc.result, o.leastLikely).map((t) => ({
      offset: t.offsets[0],
      length: t.offsets[1] - t.offsets[0],
      token: isSpecial(t.id) ? tokenString(t.id) : rec.text!.slice(t.offsets[0], t.offsets[1]),
      logprob: t.logprob,
    }));
  });
  return out;
}

const EXCERPT = 32;
const fmt = (x: number | null, digits: number) => (x === null ? '—' : x.toFixed(digits));

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > EXCERPT ? `${oneLine.slice(0, EXCERPT - 1)}…` : oneLine;
}

/**
 * A table: one line per sequence (FILE:LINE:COL first, so terminals link it), reasons underneath.
 * Every position in the table is 1-based (LINE, COL and the @POS of least likely tokens); --json
 * gives 0-based ranges and offsets instead (TABLE_POSITIONS says so under the table).
 */
export function formatScoreTable(records: readonly ScoreRecord[]): string {
  const rows = records.filter((r) => r.text !== null);
  const cells = rows.map((r) => [
    `${r.file}:${r.range.start.line + 1}:${r.range.start.character + 1}`,
    r.id ?? '',
    r.modality ?? 'undetermined',
    fmt(r.reward, 2),
    fmt(r.pll, 4),
    r.n_tokens === null ? '—' : String(r.n_tokens),
    r.least_likely.map((t) => `${t.token}@${t.offset + 1}`).join(' '),
    excerpt(r.text!) + (r.truncated ? ' (truncated)' : ''),
  ]);
  const head = ['LOCATION', 'ID', 'MODALITY', 'REWARD', 'PLL', 'TOKENS', 'LEAST LIKELY (TOKEN@POS)', 'SEQUENCE'];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const right = new Set([3, 4, 5]);
  const line = (row: string[]) => row.map((v, c) => (c === row.length - 1 ? v : right.has(c) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ');
  const lines = [line(head)];
  rows.forEach((r, i) => {
    lines.push(line(cells[i]!));
    if (r.reason) lines.push(`    warning: ${r.reason}`);
  });
  for (const r of records.filter((x) => x.text === null)) {
    for (const d of r.diagnostics) lines.push(`${r.file}:${r.range.start.line + 1}:${r.range.start.character + 1}  (file) ${d.severity} ${d.code}: ${d.message}`);
  }
  return lines.join('\n');
}

/** Under every table: which convention its positions follow. */
export const TABLE_POSITIONS = 'Positions are 1-based (LINE:COL, TOKEN@POS); --json gives 0-based ranges and offsets.';

/** Mean reward per modality: rewards of different modalities are not on one scale, so they are never averaged together. */
export function meanRewardByModality(records: readonly ScoreRecord[]): Array<{ modality: NonNullable<ScoreRecord['modality']>; n: number; mean: number }> {
  const out: Array<{ modality: NonNullable<ScoreRecord['modality']>; n: number; mean: number }> = [];
  for (const modality of MODALITIES) {
    const rewards = records.filter((r) => r.text !== null && r.modality === modality && r.reward !== null).map((r) => r.reward!);
    if (rewards.length > 0) out.push({ modality, n: rewards.length, mean: rewards.reduce((a, b) => a + b, 0) / rewards.length });
  }
  return out;
}

export function formatScoreSummary(files: number, records: readonly ScoreRecord[], o: { mode: PllMode; model: string; temperature: number }): string {
  const seqs = records.filter((r) => r.text !== null);
  const scored = seqs.filter((r) => r.reward !== null);
  const notScored = seqs.length - scored.length;
  const means = meanRewardByModality(records).map((m) => `${m.modality} ${m.mean.toFixed(2)} (${m.n})`);
  return (
    `${TABLE_POSITIONS}\n\n${files} file${files === 1 ? '' : 's'}, ${seqs.length} sequence${seqs.length === 1 ? '' : 's'}, ${scored.length} scored` +
    `${notScored ? `, ${notScored} not scored` : ''} (model ${o.model}, ${o.mode} PLL, temperature ${o.temperature})` +
    `${means.length ? `; mean reward by modality: ${means.join(', ')}` : ''}.`
  );
}
