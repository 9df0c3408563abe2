// Standalone sequence tokens in free text (plain text, Markdown, unknown formats), outside tagged
// regions. Tokens are runs between whitespace, quotes and list punctuation; surrounding punctuation
// of prose ("...", "(", ")", "**") is peeled off before the conservative look test.
import type { MappedText } from './mapped-text';
import type { Sink } from './sink';
import type { Regions } from './tags';
import { looksLikeSequenceToken } from './looks-like-sequence';

const TOKEN_RE = /[^\s"'`,;|<>{}]+/g;

export function findPlainTokens(mapped: MappedText, sink: Sink, exclude: Regions): void {
  const text = mapped.text;
  const min = sink.minPlainLength;
  let r = 0;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    if (sink.full) return;
    if (m[0].length < min) continue;
    const start = m.index;
    const end = start + m[0].length;
    while (r < exclude.length && (exclude[r] as [number, number])[1] <= start) r++;
    const region = exclude[r];
    if (region && region[0] < end) continue; // overlaps a tag pair: tags take precedence
    const [s, e] = peel(text, start, end);
    if (e - s < min) continue;
    if (looksLikeSequenceToken(text.slice(s, e), min)) sink.add(mapped.occurrence(s, e, sink.segments, 'plain', {}));
  }
}

/** Strips prose punctuation around a token; returns the inner [start, end). */
export function peel(text: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  const trailing = (): void => {
    while (e > s && '.,:;!?'.includes(text[e - 1] as string)) e--;
  };
  trailing();
  // Markdown emphasis: equal runs of ** / __ / ~~ on both sides.
  for (const ch of ['*', '_', '~']) {
    let a = 0;
    while (s + a < e && text[s + a] === ch) a++;
    let b = 0;
    while (e - b - 1 > s + a && text[e - b - 1] === ch) b++;
    if (a >= 2 && a === b) {
      s += a;
      e -= b;
      trailing();
    }
  }
  // A SMILES never starts with '(' : peel wrapping parentheses and unmatched closers.
  // The balance is kept incrementally so a pathological 1 MB token stays linear.
  let b = balance(text, s, e);
  while (s < e && text[s] === '(') {
    s++;
    b--;
    if (b < 0 && text[e - 1] === ')') {
      e--;
      b++;
    }
    trailing();
  }
  while (e > s && text[e - 1] === ')' && b < 0) {
    e--;
    b++;
    trailing();
  }
  return [s, e];
}

function balance(text: string, s: number, e: number): number {
  let b = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) b++;
    else if (c === 41) b--;
  }
  return b;
}
