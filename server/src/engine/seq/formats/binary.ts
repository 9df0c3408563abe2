// Binary bytes in a text document (NUL and other C0 controls; ESC, tab, line breaks and form feed
// are text). Lines holding them are blanked with spaces (offsets unchanged) so parsers skip them;
// a file that is mostly binary is not analysed at all.

// eslint-disable-next-line no-control-regex
const BINARY = /[\x00-\x08\x0E-\x1A\x1C-\x1F]/;
// eslint-disable-next-line no-control-regex
const BINARY_G = /[\x00-\x08\x0E-\x1A\x1C-\x1F]/g;

export interface BinaryScan {
  /** The text with binary lines blanked (same length), or the input when none were found. */
  text: string;
  /** Number of lines blanked. */
  lines: number;
  /** [start, end) of the first blanked line. */
  first?: [number, number];
  /** More than 30% of the analysed characters are control bytes: treat the whole file as binary. */
  mostlyBinary: boolean;
}

export function blankBinaryLines(text: string, end: number): BinaryScan {
  const head = end < text.length ? text.slice(0, end) : text;
  if (!BINARY.test(head)) return { text, lines: 0, mostlyBinary: false };
  let controls = 0;
  BINARY_G.lastIndex = 0;
  while (BINARY_G.exec(head) !== null) controls++;
  const parts: string[] = [];
  let at = 0;
  let lines = 0;
  let first: [number, number] | undefined;
  BINARY_G.lastIndex = 0;
  for (let m = BINARY_G.exec(head); m !== null; m = BINARY_G.exec(head)) {
    const ls = Math.max(head.lastIndexOf('\n', m.index) + 1, head.lastIndexOf('\r', m.index) + 1);
    let le = m.index;
    while (le < head.length && head[le] !== '\n' && head[le] !== '\r') le++;
    parts.push(head.slice(at, ls), ' '.repeat(le - ls));
    at = le;
    lines++;
    first ??= [ls, le];
    BINARY_G.lastIndex = le;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), lines, first, mostlyBinary: controls > head.length * 0.3 };
}
