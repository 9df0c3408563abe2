// JSON and JSON Lines with exact string ranges. JSON.parse gives no positions, so this is a small
// strict scanner that visits every string value with the key it sits under (array items inherit
// their array's key). Escaped strings are decoded with a piece map, so a sequence written as
// "F/C=C\\F" is reported as F/C=C\F with its segments on the escaped document text.
import { MappedText, type Piece } from './mapped-text';
import { LineScanner, nextLineStart, trimSpan } from './lines';
import { looksLikeSequenceValue } from './looks-like-sequence';
import { nameStrength } from './sequence-names';
import type { Sink } from './sink';
import { findTagged } from './tags';

const MAX_DEPTH = 512;
const MAX_LINE_PROBLEMS = 100;

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
    /** The input ended inside a value (what a size cap produces, so it is not reported then). */
    readonly atEnd = false,
  ) {
    super(message);
  }
}

type StringVisitor = (key: string | undefined, start: number, end: number, escaped: boolean) => void;

/** Strict JSON value scanner over text[pos, end). */
class JsonScanner {
  pos: number;

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
    private readonly visit: StringVisitor,
  ) {
    this.pos = start;
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < this.end) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(key: string | undefined, depth: number): void {
    this.skipSpace();
    if (this.pos >= this.end) throw new JsonSyntaxError(this.pos, 'unexpected end of input, expected a value', true);
    const c = this.text.charCodeAt(this.pos);
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(this.pos, `nesting deeper than ${MAX_DEPTH} levels`);
    if (c === 123) return this.object(key, depth);
    if (c === 91) return this.array(key, depth);
    if (c === 34) {
      const [s, e, escaped] = this.string();
      this.visit(key, s, e, escaped);
      return;
    }
    const rest = this.text.slice(this.pos, this.pos + 5);
    for (const lit of ['true', 'false', 'null']) {
      if (rest.startsWith(lit)) {
        this.pos += lit.length;
        return;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, Math.min(this.end, this.pos + 400)));
    if (m && m[0].length > 0) {
      this.pos += m[0].length;
      return;
    }
    throw new JsonSyntaxError(this.pos, `unexpected character ${describe(this.text, this.pos)}, expected a value`);
  }

  private object(parentKey: string | undefined, depth: number): void {
    this.pos++; // {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return;
    }
    void parentKey;
    while (true) {
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 34) throw new JsonSyntaxError(this.pos, `expected a quoted key, found ${describe(this.text, this.pos)}`);
      const [ks, ke, kEscaped] = this.string();
      const key = kEscaped ? decodeString(this.text, ks, ke).text : this.text.slice(ks, ke);
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 58) throw new JsonSyntaxError(this.pos, `expected ':' after key "${key.slice(0, 40)}", found ${describe(this.text, this.pos)}`);
      this.pos++;
      this.value(key, depth + 1);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 125) {
        this.pos++;
        return;
      }
      throw new JsonSyntaxError(this.pos, `expected ',' or '}' in object, found ${describe(this.text, this.pos)}`);
    }
  }

  private array(key: string | undefined, depth: number): void {
    this.pos++; // [
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return;
    }
    while (true) {
      this.value(key, depth + 1);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 93) {
        this.pos++;
        return;
      }
      throw new JsonSyntaxError(this.pos, `expected ',' or ']' in array, found ${describe(this.text, this.pos)}`);
    }
  }

  /** Scans a string at pos (on its opening quote); returns its content span and whether it has escapes. */
  private string(): [number, number, boolean] {
    const t = this.text;
    const open = this.pos;
    let i = open + 1;
    let escaped = false;
    while (i < this.end) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return [open + 1, i, escaped];
      }
      if (c === 92) {
        escaped = true;
        const n = t[i + 1];
        if (n === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) throw new JsonSyntaxError(i, 'invalid \\u escape in string (needs 4 hex digits)');
          i += 6;
        } else if (n !== undefined && '"\\/bfnrt'.includes(n) && i + 1 < this.end) {
          i += 2;
        } else {
          throw new JsonSyntaxError(i, `invalid escape ${describe(t, i + 1)} in string`);
        }
        continue;
      }
      if (c < 32) throw new JsonSyntaxError(i, 'unescaped line break or control character in string (write it as \\n, \\t or \\uXXXX)');
      i++;
    }
    throw new JsonSyntaxError(open, 'unterminated string: the opening quote is never closed', true);
  }
}

function describe(text: string, at: number): string {
  if (at >= text.length) return 'end of input';
  const ch = text[at] as string;
  return /[\r\n]/.test(ch) ? 'end of line' : `'${ch}'`;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Decodes a JSON string's content text[start, end) (already validated) with its piece map. */
export function decodeString(text: string, start: number, end: number): MappedText {
  const pieces: Piece[] = [];
  let out = '';
  let run = start;
  let i = start;
  const flush = (to: number): void => {
    if (to > run) {
      pieces.push({ textOffset: out.length, textLength: to - run, docOffset: run, docLength: to - run });
      out += text.slice(run, to);
    }
  };
  while (i < end) {
    if (text.charCodeAt(i) !== 92) {
      i++;
      continue;
    }
    flush(i);
    const n = text[i + 1] as string;
    const len = n === 'u' ? 6 : 2;
    const ch = n === 'u' ? String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)) : (SIMPLE_ESCAPES[n] ?? n);
    pieces.push({ textOffset: out.length, textLength: 1, docOffset: i, docLength: len });
    out += ch;
    i += len;
    run = i;
  }
  flush(end);
  return new MappedText(out, pieces);
}

function visitor(text: string, sink: Sink, format: 'json' | 'jsonl'): StringVisitor {
  return (key, start, end, escaped) => {
    if (sink.full) return;
    const strength = key === undefined ? 'none' : nameStrength(key);
    // Only decode what could be reported: strings under sequence-like keys, or containing a tag.
    const mayHaveTag = text.slice(start, end).includes('<');
    if (strength === 'none' && !mayHaveTag) return;
    const mapped = escaped ? decodeString(text, start, end) : MappedText.verbatim(text.slice(start, end), start);
    const hints = key === undefined ? {} : { column: key.toLowerCase() };
    if (mayHaveTag && findTagged(mapped, sink, hints).length > 0) return;
    if (strength === 'none') return;
    const [s, e] = trimSpan(mapped.text, 0, mapped.text.length);
    if (s === e) return;
    if (strength === 'weak' && !looksLikeSequenceValue(mapped.text.slice(s, e), sink.minPlainLength)) return;
    sink.add(mapped.occurrence(s, e, sink.segments, format, hints));
  };
}

/**
 * A .json file: one value (several whitespace-separated values are read too, as JSONL saved under
 * .json is common). On a syntax error, the error is reported (UME005) and the rest of the file is
 * still searched for tagged text.
 */
export function parseJson(text: string, end: number, sink: Sink, cut: boolean): number | undefined {
  const scanner = new JsonScanner(text, 0, end, visitor(text, sink, 'json'));
  try {
    scanner.skipSpace();
    while (scanner.pos < end && !sink.full) {
      scanner.value(undefined, 0);
      scanner.skipSpace();
    }
    return undefined;
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const at = Math.min(err.offset, end);
    if (cut && (err.atEnd || at >= end)) return undefined; // the size cap cut the value, nothing is wrong
    const pos = sink.lines.positionAt(at);
    sink.problem('UME005', 'error', `Malformed JSON at line ${pos.line + 1}, column ${pos.character + 1}: ${err.message}. Sequences after this point are found only inside tags.`, at, Math.min(at + 1, end));
    return at;
  }
}

/** A .jsonl file: one JSON value per line; a bad line is reported (UME005) and skipped. */
export function parseJsonl(text: string, end: number, sink: Sink): void {
  const lines = new LineScanner(text);
  const visit = visitor(text, sink, 'jsonl');
  let problems = 0;
  let ls = 0;
  while (ls < end && !sink.full) {
    const le = lines.lineEnd(ls, end);
    const [s, e] = trimSpan(text, ls, le);
    if (s < e) {
      const scanner = new JsonScanner(text, s, e, visit);
      const before = sink.occurrences.length;
      try {
        scanner.value(undefined, 0);
        scanner.skipSpace();
        if (scanner.pos < e) throw new JsonSyntaxError(scanner.pos, `unexpected ${describe(text, scanner.pos)} after the line's JSON value (JSON Lines holds one value per line)`);
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        sink.occurrences.length = before; // the line is skipped as a whole
        sink.full = false;
        if (problems < MAX_LINE_PROBLEMS) {
          const at = Math.min(err.offset, e);
          const pos = sink.lines.positionAt(at);
          const more = problems === MAX_LINE_PROBLEMS - 1 ? ' Further malformed lines are not reported.' : '';
          sink.problem('UME005', 'error', `Malformed JSON Lines record at line ${pos.line + 1}, column ${pos.character + 1}: ${err.message}. The line is skipped.${more}`, at, at < e ? at + 1 : at);
        }
        problems++;
      }
    }
    if (le >= end) break;
    ls = nextLineStart(text, le);
  }
}
