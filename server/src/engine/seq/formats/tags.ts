// Tagged text, as generative models write it: <smiles>CCO</smiles>, <protein>MKT..</protein>,
// <amino_acid>, <dna>, <rna>. Found in any file, inside decoded JSON strings and CSV fields too.
import { MappedText } from './mapped-text';
import type { Sink } from './sink';
import type { SequenceHints } from '../types';

const TAG_NAMES = 'smiles|protein|amino_acid|dna|rna|nucleotide|peptide';
// Content may not contain '<' (a nested or broken tag ends the match); line breaks are allowed and
// removed, the way multi-line FASTA records are.
const TAG_RE = new RegExp(`<(${TAG_NAMES})>([^<]*)</\\1>`, 'gi');

/** Regions [start, end) of text covered by tag pairs (the tags included). */
export type Regions = Array<[number, number]>;

/**
 * Reports the content of every tag pair in `mapped` and returns the regions they cover, so plain
 * token detection can stay out of them. Empty tags are skipped.
 */
export function findTagged(mapped: MappedText, sink: Sink, baseHints: SequenceHints = {}): Regions {
  const text = mapped.text;
  const regions: Regions = [];
  if (text.indexOf('<') < 0) return regions;
  TAG_RE.lastIndex = 0;
  for (let m = TAG_RE.exec(text); m !== null; m = TAG_RE.exec(text)) {
    if (sink.full) break;
    const tag = (m[1] as string).toLowerCase();
    const contentStart = m.index + (m[1] as string).length + 2;
    const contentEnd = contentStart + (m[2] as string).length;
    regions.push([m.index, m.index + m[0].length]);
    const lineRanges = trimmedLines(text, contentStart, contentEnd);
    if (lineRanges.length === 0) continue;
    const sub = lineRanges.length === 1 ? mapped : mapped.concat(lineRanges);
    const [s, e] = lineRanges.length === 1 ? (lineRanges[0] as [number, number]) : [0, sub.text.length];
    sink.add(sub.occurrence(s, e, sink.segments, 'tagged', { ...baseHints, tag }));
  }
  return regions;
}

/** Non-empty lines of text[start, end), each trimmed of surrounding whitespace. */
function trimmedLines(text: string, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let ls = start;
  while (ls <= end) {
    let le = ls;
    while (le < end && text[le] !== '\n' && text[le] !== '\r') le++;
    let s = ls;
    let e = le;
    while (s < e && /\s/.test(text[s] as string)) s++;
    while (e > s && /\s/.test(text[e - 1] as string)) e--;
    if (e > s) out.push([s, e]);
    ls = le + 1;
  }
  return out;
}
