// Reward scores as Markdown: the hover's reward section (one sequence) and the table of
// "UME: Score Document with Reward Config" (every sequence of a document). Names and reasons come
// from the user's config and file and are escaped. A null is written "null" with its reason, never
// as 0.

import { escapeMarkdown, fmt } from './markdown';
import type { RewardRecordReport, RewardScoreResult } from './reward-config';

function value(v: number | null): string {
  if (v === null) return 'null';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : fmt(v, 3);
}

/** raw → value when a transform changed it, else the value; "null" when the component could not score. */
function cell(c: RewardRecordReport['components'][string] | undefined): string {
  if (!c) return '—';
  if (c.value === null) return 'null';
  return c.raw !== null && c.raw !== c.value ? `${value(c.raw)} → ${value(c.value)}` : value(c.value);
}

/** The hover's reward section for one sequence: total, then one line per component. */
export function rewardHoverSection(configLabel: string, aggregation: string, names: readonly string[], r: RewardRecordReport): string {
  const lines = [`**Reward** · ${escapeMarkdown(configLabel)} (${aggregation}) · total: **${value(r.total)}**${r.total === null && r.reason ? ` (${escapeMarkdown(r.reason)})` : ''}`, ''];
  for (const n of names) {
    const c = r.components[n];
    lines.push(`- ${escapeMarkdown(n)}: ${cell(c)}${c?.error ? ` (${escapeMarkdown(c.error)})` : ''}`);
  }
  return lines.join('\n');
}

/** Why the hover has no reward numbers (untrusted workspace, missing or bad config). */
export function rewardHoverNote(configLabel: string, message: string): string {
  return `**Reward** · ${escapeMarkdown(configLabel)}: ${escapeMarkdown(message)}`;
}

/** The command's report: a table with a row per sequence, then the nulls with their reasons. */
export function rewardTableMarkdown(result: RewardScoreResult, documentLabel: string, configLabel: string): string {
  const names = result.components;
  const scored = result.records.filter((r) => r.total !== null).length;
  const out = [
    `# Reward scores: ${escapeMarkdown(documentLabel)}`,
    '',
    `Config ${escapeMarkdown(configLabel)} (${result.aggregation}): ${result.records.length} sequence${result.records.length === 1 ? '' : 's'}, ${scored} with a total.` +
      (result.truncated ? ' Only the first part of the file was analysed (umeStudio.maxFileSizeMB).' : ''),
    '',
  ];
  for (const n of result.notes) out.push(`- seed-003 config: ${escapeMarkdown(n)}`);
  if (result.notes.length) out.push('');
  if (result.records.length === 0) {
    out.push('No sequences found in this document.');
    return out.join('\n') + '\n';
  }
  out.push(`| line:col | modality | sequence | ${names.map(escapeMarkdown).join(' | ')} | total |`);
  out.push(`|---|---|---|${names.map(() => '---|').join('')}---|`);
  for (const r of result.records) {
    const seq = r.sequence.length > 40 ? `${r.sequence.slice(0, 39)}…` : r.sequence;
    const at = `${r.range.start.line + 1}:${r.range.start.character + 1}`;
    out.push(`| ${at} | ${r.modality ?? '—'} | ${escapeMarkdown(seq)} | ${names.map((n) => cell(r.components[n])).join(' | ')} | ${value(r.total)} |`);
  }
  const problems = result.records.flatMap((r) => {
    const at = `${r.range.start.line + 1}:${r.range.start.character + 1}`;
    const errs = Object.entries(r.components).filter(([, c]) => c.error).map(([n, c]) => `${escapeMarkdown(n)}: ${escapeMarkdown(c.error!)}`);
    if (r.total === null) return [`- ${at}: no total (${escapeMarkdown(r.reason ?? 'no component scored this sequence')})${errs.length ? `; ${errs.join('; ')}` : ''}`];
    return errs.length ? [`- ${at}: ${errs.join('; ')}`] : [];
  });
  if (problems.length) out.push('', '## Nulls and reasons', '', ...problems);
  return out.join('\n') + '\n';
}
