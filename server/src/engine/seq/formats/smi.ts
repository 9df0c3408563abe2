// SMILES files (.smi, .smiles): one "SMILES [name ...]" per line, whitespace separated, '#'
// comment lines, blank lines, and an optional header line such as "smiles name" or "SMILES\tID".
import { MappedText } from './mapped-text';
import { LineScanner, isSpace, nextLineStart, trimSpan } from './lines';
import { nameStrength } from './sequence-names';
import type { Sink } from './sink';
import { findTagged } from './tags';

export function parseSmi(text: string, end: number, sink: Sink): void {
  const scanner = new LineScanner(text);
  let sawContent = false;
  let ls = 0;
  while (ls < end && !sink.full) {
    const le = scanner.lineEnd(ls, end);
    const [s, e] = trimSpan(text, ls, le);
    if (s < e && text[s] !== '#') {
      let te = s;
      while (te < e && !isSpace(text.charCodeAt(te))) te++;
      const token = text.slice(s, te);
      const [ns, ne] = trimSpan(text, te, e);
      const isHeader = !sawContent && nameStrength(token) === 'strong';
      sawContent = true;
      if (!isHeader) {
        const line = MappedText.verbatim(text.slice(s, e), s);
        if (token.includes('<') && findTagged(line, sink).length > 0) {
          // tagged text on the line
        } else {
          const hints = ne > ns ? { name: text.slice(ns, ne) } : {};
          sink.add(line.occurrence(0, te - s, sink.segments, 'smi', hints));
        }
      }
    }
    if (le >= end) break;
    ls = nextLineStart(text, le);
  }
}
