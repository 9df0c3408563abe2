// What a reward function reads out of one completion: the tagged sequences it carries. TRL hands
// completions either as strings or, for conversational datasets, as message lists; both end up as
// one string here. Tag names follow the sequence engine's table (TAG_MODALITY), case-insensitive,
// so `<amino_acid>` (the tag lobster's own synthetic prompt asks for, which lobster's reward then
// rejected) is accepted alongside `<smiles>`, `<protein>`, `<dna>`, `<rna>`.

import { TAG_MODALITY } from '../seq/detect/hints';
import type { Modality } from '../seq/types';

/** A completion as TRL passes it: plain text or a list of chat messages. */
export type Completion = string | ReadonlyArray<{ role?: string; content?: unknown }>;

export interface TaggedSpan {
  /** Tag name as written, lowercased (e.g. "protein"). */
  tag: string;
  modality: Modality;
  /** Content between the tags, untouched. */
  content: string;
  /** Offset of the content in the completion text. */
  offset: number;
}

export interface Extraction {
  /** Every closed tag pair, in order of appearance (empty ones included). */
  spans: TaggedSpan[];
  /** Tag names opened but never closed (a completion cut at max_completion_length looks like this). */
  unclosed: string[];
}

const TAG_NAMES = Object.keys(TAG_MODALITY).join('|');
// Lazy content up to the matching closing tag (like lobster's `(.*?)` with DOTALL). Content may hold
// '<', so "<smiles>C<C</smiles>" is found and then fails validation with a reason, instead of
// silently counting as "no tag".
const PAIR_RE = new RegExp(`<(${TAG_NAMES})>([\\s\\S]*?)</\\1>`, 'gi');
const OPEN_RE = new RegExp(`<(${TAG_NAMES})>`, 'gi');

/** The text of a completion: a string as is; for messages, the assistant contents joined. */
export function completionText(c: Completion): string {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) throw new TypeError(`a completion must be a string or a list of chat messages, got ${typeof c}`);
  const messages = c as ReadonlyArray<{ role?: string; content?: unknown }>;
  const assistant = messages.filter((m) => m.role === undefined || m.role === 'assistant');
  return assistant.map((m) => contentText(m.content)).join('\n');
}

/** Chat content is a string or a list of parts ({type:"text", text}); other parts carry no text. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p: unknown) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  }
  return '';
}

export function extractTagged(text: string): Extraction {
  const spans: TaggedSpan[] = [];
  const covered: Array<[number, number]> = [];
  PAIR_RE.lastIndex = 0;
  for (let m = PAIR_RE.exec(text); m !== null; m = PAIR_RE.exec(text)) {
    const tag = m[1]!.toLowerCase();
    spans.push({ tag, modality: TAG_MODALITY[tag]!, content: m[2]!, offset: m.index + m[1]!.length + 2 });
    covered.push([m.index, m.index + m[0].length]);
  }
  const unclosed: string[] = [];
  OPEN_RE.lastIndex = 0;
  for (let m = OPEN_RE.exec(text); m !== null; m = OPEN_RE.exec(text)) {
    const at = m.index;
    if (!covered.some(([s, e]) => at >= s && at < e)) unclosed.push(m[1]!.toLowerCase());
  }
  return { spans, unclosed };
}
