// Line iteration shared by the line-oriented parsers (FASTA, SMILES, JSONL, CSV sniffing).

/**
 * Finds line ends moving forward through a text. The next "\n" and "\r" positions are cached, so
 * a whole pass is linear even when one of them is rare or absent (indexOf from every line start
 * would rescan the rest of the file each time).
 */
export class LineScanner {
  private nextLF = -2;
  private nextCR = -2;

  constructor(private readonly text: string) {}

  /** End of the line starting at `start` (index of its "\n"/"\r", or `end`). Calls must not go backwards. */
  lineEnd(start: number, end: number): number {
    if (this.nextLF !== -1 && this.nextLF < start) this.nextLF = this.text.indexOf('\n', start);
    if (this.nextCR !== -1 && this.nextCR < start) this.nextCR = this.text.indexOf('\r', start);
    let stop = end;
    if (this.nextLF >= 0 && this.nextLF < stop) stop = this.nextLF;
    if (this.nextCR >= 0 && this.nextCR < stop) stop = this.nextCR;
    return stop;
  }
}

/** Start of the next line after a line ending at `le`. */
export function nextLineStart(text: string, le: number): number {
  if (text.charCodeAt(le) === 13 && text.charCodeAt(le + 1) === 10) return le + 2;
  return le + 1;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
}

/** [s, e) of text[start, end) without surrounding spaces and tabs. */
export function trimSpan(text: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return [s, e];
}
