// The hover text of a sequence, as Markdown. Everything that comes from the file (sequence text,
// tokens, reasons quoting the text) is escaped, so a sequence can never turn into links or HTML.

import type { Modality } from '../../engine/seq/types';
import type { ScoredSequenceRecord } from '../../protocol/score';
import { escapeMarkdown, fmt } from '../../protocol/markdown';

export { escapeMarkdown, fmt };

const TITLE = '**UME**';

function modalityLine(modality: Modality | null, confidence: number | null, length: number): string {
  const conf = confidence !== null && modality !== null ? ` (confidence ${Math.round(confidence * 100)}%)` : '';
  return `${modality ?? 'unknown modality'}${conf} · length ${length}`;
}

export function scoredHover(r: ScoredSequenceRecord): string {
  const least = r.least_likely.map((t) => `**${escapeMarkdown(t.token)}** at ${t.position} (${fmt(t.logprob, 3)})`).join(', ');
  const lines = [
    `${TITLE} · ${modalityLine(r.modality, r.confidence, r.length)}`,
    '',
    `- reward: **${fmt(r.reward, 3)}** (PLL / temperature ${r.temperature})`,
    `- PLL (mean log-prob): ${fmt(r.pll, 4)} · perplexity: ${fmt(r.perplexity, 3)}`,
    `- model: ${escapeMarkdown(r.model)} · mode: ${r.mode} · ${r.n_tokens} tokens${r.truncated ? ' (truncated: only the first tokens were scored)' : ''}`,
    `- least likely: ${least || 'none'}`,
  ];
  return lines.join('\n');
}

export function unscoredHover(modality: Modality | null, confidence: number | null, length: number, reason: string): string {
  return `${TITLE} · ${modalityLine(modality, confidence, length)}\n\n- not scored: ${escapeMarkdown(reason)}`;
}

export function failedHover(modality: Modality | null, confidence: number | null, length: number, error: string): string {
  return `${TITLE} · ${modalityLine(modality, confidence, length)}\n\n- scoring failed: ${escapeMarkdown(error)}`;
}

/** A hover whose score is not ready within its time budget: what is known, and what to do. */
export function busyHover(modality: Modality | null, confidence: number | null, length: number, note: string): string {
  return `${TITLE} · ${modalityLine(modality, confidence, length)}\n\n- not scored yet: ${escapeMarkdown(note)}`;
}
