// Custom prompt datasets as JSON Lines: one object per line with `prompt` (text or chat messages),
// optional `completion`, `chosen`, `rejected` (text or messages) and `modality`; every other field
// is kept as a column for reward functions. Parsing never stops at the first bad line: every
// problem is collected with its 1-based line number (up to MAX_PROBLEMS listed, all counted), so a
// user fixes a file in one pass. Blank lines are skipped; a UTF-8 byte-order mark is ignored.

import { TAG_MODALITY } from '../seq/detect/hints';
import { MODALITIES, type Modality } from '../modality';
import { readPromptTags } from './infer-modality';
import type { ChatMessage, DatasetProblem, PromptRow, PromptText } from './types';

/** Problems listed in a result (all are counted). */
export const MAX_PROBLEMS = 100;

const KNOWN_FIELDS = new Set(['prompt', 'completion', 'chosen', 'rejected', 'modality']);
const TEXT_FIELDS = ['completion', 'chosen', 'rejected'] as const;

export interface JsonlParse {
  rows: PromptRow[];
  /** Errors and warnings in line order, at most MAX_PROBLEMS. */
  problems: DatasetProblem[];
  errorCount: number;
  warningCount: number;
  /** Lines read (up to the last one looked at; fewer than the file's when maxSamples stopped early). */
  linesRead: number;
  /** Rows whose modality came from the prompt's tags rather than a `modality` field. */
  inferredModality: number;
}

type Field<T> = { ok: true; value: T } | { ok: false; message: string };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function readText(name: string, v: unknown): Field<PromptText> {
  if (typeof v === 'string') {
    return v.trim() === '' ? { ok: false, message: `"${name}" is empty` } : { ok: true, value: v };
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return { ok: false, message: `"${name}" is an empty list of messages` };
    const messages: ChatMessage[] = [];
    for (let i = 0; i < v.length; i++) {
      const m = v[i] as Record<string, unknown> | null;
      if (m === null || typeof m !== 'object' || Array.isArray(m) || typeof m.role !== 'string' || typeof m.content !== 'string') {
        return { ok: false, message: `"${name}"[${i}] must be a chat message {"role": "...", "content": "..."}, got ${describe(m)}${m && typeof m === 'object' && !Array.isArray(m) ? ` with keys ${Object.keys(m).join(', ') || '(none)'}` : ''}` };
      }
      messages.push({ role: m.role, content: m.content });
    }
    return { ok: true, value: messages };
  }
  return { ok: false, message: `"${name}" must be a string or a list of chat messages, got ${describe(v)}` };
}

function readModality(v: unknown): Field<Modality | null> {
  if (v === undefined || v === null) return { ok: true, value: null };
  if (typeof v === 'string') {
    const m = (MODALITIES as readonly string[]).includes(v) ? (v as Modality) : TAG_MODALITY[v.trim().toLowerCase()];
    if (m) return { ok: true, value: m };
  }
  return { ok: false, message: `"modality" must be one of ${MODALITIES.join(', ')} (or smiles, protein, dna, rna), got ${JSON.stringify(v)}` };
}

class Collector {
  problems: DatasetProblem[] = [];
  errorCount = 0;
  warningCount = 0;
  add(line: number | null, severity: DatasetProblem['severity'], message: string): void {
    if (severity === 'error') this.errorCount++;
    else this.warningCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, severity, message });
  }
}

/** Parses one line's object into a row, reporting into `out`; null when the line is an error. */
function parseRow(obj: Record<string, unknown>, line: number, out: Collector): { row: PromptRow; inferred: boolean } | null {
  let bad = false;
  const fail = (message: string): void => {
    out.add(line, 'error', message);
    bad = true;
  };
  if (!('prompt' in obj)) fail(`no "prompt" field (fields: ${Object.keys(obj).join(', ') || 'none'}); each line needs {"prompt": "..."}`);
  const prompt = 'prompt' in obj ? readText('prompt', obj.prompt) : undefined;
  if (prompt && !prompt.ok) fail(prompt.message);
  const texts: Partial<Record<(typeof TEXT_FIELDS)[number], PromptText>> = {};
  for (const name of TEXT_FIELDS) {
    if (obj[name] === undefined || obj[name] === null) continue;
    const t = readText(name, obj[name]);
    if (t.ok) texts[name] = t.value;
    else fail(t.message);
  }
  const declared = readModality(obj.modality);
  if (!declared.ok) fail(declared.message);
  if (bad || !prompt?.ok || !declared.ok) return null;

  const tags = readPromptTags(prompt.value);
  const modality = declared.value ?? tags.modality;
  if (declared.value && tags.named.length > 0 && !tags.named.includes(declared.value)) {
    out.add(line, 'warning', `"modality" is ${declared.value} but the prompt asks for <${tags.tags.join('>, <')}> tags`);
  }
  if (!modality) {
    const why = tags.named.length > 1 ? `the prompt asks for tags of ${tags.named.join(' and ')}` : 'no "modality" field and the prompt asks for no <smiles>, <protein> or <dna> tags';
    out.add(line, 'warning', `modality unknown (${why}): add "modality": "SMILES" | "amino_acid" | "nucleotide"`);
  }
  if (tags.tags.includes('amino_acid')) {
    out.add(line, 'warning', 'the prompt asks for <amino_acid> tags, which the UME reward does not accept (completions would score as untagged): ask for <protein> and </protein>');
  }
  if ((texts.chosen === undefined) !== (texts.rejected === undefined)) {
    out.add(line, 'warning', `"${texts.chosen === undefined ? 'rejected' : 'chosen'}" without "${texts.chosen === undefined ? 'chosen' : 'rejected'}": a preference pair needs both`);
  }
  // fromEntries defines own properties, so a "__proto__" column stays a column.
  const columns: Record<string, unknown> = Object.fromEntries(Object.entries(obj).filter(([k]) => !KNOWN_FIELDS.has(k)));
  const row: PromptRow = { prompt: prompt.value, ...texts, modality, ...(Object.keys(columns).length ? { columns } : {}) };
  return { row, inferred: declared.value === null && modality !== null };
}

function looksLikeJsonArray(text: string): boolean {
  if (!text.trimStart().startsWith('[')) return false;
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

/**
 * Parses JSONL text. `source` names the file in messages. Stops after `maxSamples` good rows.
 * Never throws on bad content: see `problems` (loadPromptDataset turns errors into a DatasetError).
 */
export function parsePromptJsonl(text: string, options: { maxSamples?: number } = {}): JsonlParse {
  const out = new Collector();
  const rows: PromptRow[] = [];
  let inferredModality = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    out.add(null, 'error', 'the file is empty: expected JSON Lines, one object per line such as {"prompt": "...", "modality": "SMILES"}');
    return { rows, problems: out.problems, errorCount: out.errorCount, warningCount: 0, linesRead: 0, inferredModality };
  }
  if (looksLikeJsonArray(body)) {
    out.add(null, 'error', 'the file is one JSON array (like lobster\'s synthetic_molecular_dataset.json), not JSON Lines: write one object per line, e.g. jq -c \'.[]\' FILE > FILE.jsonl');
    return { rows, problems: out.problems, errorCount: out.errorCount, warningCount: 0, linesRead: 0, inferredModality };
  }
  const lines = body.split(/\r?\n/);
  let linesRead = 0;
  for (let i = 0; i < lines.length; i++) {
    if (options.maxSamples !== undefined && rows.length >= options.maxSamples) break;
    linesRead = i + 1;
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      out.add(i + 1, 'error', `not valid JSON: ${(e as Error).message}`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      out.add(i + 1, 'error', `expected a JSON object such as {"prompt": "..."}, got ${describe(value)}`);
      continue;
    }
    const parsed = parseRow(value as Record<string, unknown>, i + 1, out);
    if (!parsed) continue;
    rows.push(parsed.row);
    if (parsed.inferred) inferredModality++;
  }
  return { rows, problems: out.problems, errorCount: out.errorCount, warningCount: out.warningCount, linesRead, inferredModality };
}

/** "line 4: not valid JSON ..." lines for a message, at most `limit`, with a count of the rest. */
export function formatProblems(problems: readonly DatasetProblem[], total: number, limit = 20): string {
  const shown = problems.slice(0, limit).map((p) => `  ${p.line === null ? 'file' : `line ${p.line}`}: ${p.message}`);
  if (total > shown.length) shown.push(`  ... and ${total - shown.length} more`);
  return shown.join('\n');
}
