// A light lexical scan of SMILES: where each atom, ring-bond digit and parenthesis sits. RDKit says
// *what* is wrong ("atom # 3", "unclosed ring"); this scan says *where* in the text, so diagnostics
// can underline the offending atom instead of the whole string. It does not validate chemistry.

export interface SmilesAtomSpan {
  offset: number;
  length: number;
  /** The atom symbol as written ("C", "c", "Cl", "[NH4+]", "*"). */
  text: string;
}

export interface SmilesScan {
  /** Atoms in order of appearance: RDKit numbers atoms in this same order. */
  atoms: SmilesAtomSpan[];
  /** Ring-bond labels opened but never closed: offset of the label and the label ("1", "%12"). */
  unclosedRings: Array<{ offset: number; label: string }>;
  /** Offsets of '(' never closed and of ')' without an open partner. */
  unmatchedOpen: number[];
  unmatchedClose: number[];
}

const ORGANIC_TWO = new Set(['Cl', 'Br']);
const ORGANIC_ONE = new Set(['B', 'C', 'N', 'O', 'P', 'S', 'F', 'I', 'b', 'c', 'n', 'o', 's', 'p', '*']);

export function scanSmiles(s: string): SmilesScan {
  const atoms: SmilesAtomSpan[] = [];
  const openRings = new Map<string, number>();
  const parens: number[] = [];
  const unmatchedClose: number[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch === '[') {
      const close = s.indexOf(']', i + 1);
      const end = close < 0 ? s.length : close + 1;
      atoms.push({ offset: i, length: end - i, text: s.slice(i, end) });
      i = end;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (ORGANIC_TWO.has(two)) {
      atoms.push({ offset: i, length: 2, text: two });
      i += 2;
      continue;
    }
    if (ORGANIC_ONE.has(ch)) {
      atoms.push({ offset: i, length: 1, text: ch });
      i++;
      continue;
    }
    if (ch >= '0' && ch <= '9') {
      toggleRing(openRings, ch, i);
      i++;
      continue;
    }
    if (ch === '%') {
      // %nn, or RDKit's extension %(nnn).
      const m = /^%(\d\d|\(\d+\))/.exec(s.slice(i, i + 8));
      const label = m ? (m[0] as string) : '%';
      if (m) toggleRing(openRings, label.replace(/[()]/g, ''), i);
      i += label.length;
      continue;
    }
    if (ch === '(') parens.push(i);
    else if (ch === ')') {
      if (parens.length) parens.pop();
      else unmatchedClose.push(i);
    }
    i++;
  }
  return {
    atoms,
    unclosedRings: [...openRings].map(([label, offset]) => ({ label, offset })),
    unmatchedOpen: parens,
    unmatchedClose,
  };
}

function toggleRing(open: Map<string, number>, label: string, offset: number): void {
  if (open.has(label)) open.delete(label);
  else open.set(label, offset);
}
