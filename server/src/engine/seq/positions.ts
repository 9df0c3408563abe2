// Offset <-> LSP position conversion for one document, built once and shared by every parser.
// Offsets are UTF-16 code-unit indexes into the JS string, which is exactly what LSP `character`
// counts (positionEncoding utf-16, the default), so no re-encoding is needed: only line starts.
import type { Position, Range } from './types';

export class LineIndex {
  /** Offset of the first character of each line; lineStarts[0] === 0. */
  private readonly lineStarts: number[];
  readonly length: number;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
    this.length = text.length;
    const starts = [0];
    // Line breaks as LSP defines them: "\r\n", "\n" and a lone "\r".
    // indexOf on "\n" is much faster than a charCode loop on long texts; "\r" is handled in a
    // second pass only when the text contains one.
    if (text.indexOf('\r') < 0) {
      let i = text.indexOf('\n');
      while (i >= 0) {
        starts.push(i + 1);
        i = text.indexOf('\n', i + 1);
      }
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Offset where `line` starts (clamped to the document). */
  lineStart(line: number): number {
    if (line <= 0) return 0;
    if (line >= this.lineStarts.length) return this.length;
    return this.lineStarts[line] as number;
  }

  /** Line containing `offset` (binary search, O(log lines)). */
  lineAt(offset: number): number {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.length));
    const line = this.lineAt(o);
    return { line, character: o - (this.lineStarts[line] as number) };
  }

  /** Offset of a position; a character past the end of its line is clamped to the line end. */
  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.length;
    const start = this.lineStarts[pos.line] as number;
    let end = pos.line + 1 < this.lineStarts.length ? (this.lineStarts[pos.line + 1] as number) : this.length;
    // Keep the result before the line break, as vscode-languageserver-textdocument does.
    if (end > start && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return Math.max(start, Math.min(start + Math.max(0, pos.character), end));
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}
