// What the SMILES grammar (smiles-grammar.ts) needs to know about each atom token of UME's SMILES
// vocabulary: how many bond-order units it may carry (RDKit's own limits, probed per token into
// smiles-valence.generated.ts: charges and explicit H included, organic atoms with implicit H), and
// for aromatic atoms at which totals they need no double bond in the Kekulé form (c needs one unless
// it carries 4 units, pyridine-type n at 2 units does, pyrrole-type n at 3 and [nH] at 2 do not, ...),
// which is what decides kekulization.

import { tokenString, VOCAB_SIZE } from '../../ume/tokenizer';
import { MODALITY_RANGE } from './vocab';
import { SMILES_ATOM_BONDS, SMILES_ATOM_OXO } from './smiles-valence.generated';

export interface AtomInfo {
  readonly aromatic: boolean;
  /** Bit n set: RDKit accepts the atom carrying n bond-order units (single = 1, double = 2...). */
  readonly unitsMask: number;
  /** The largest such n. */
  readonly maxUnits: number;
  /** Aromatic atoms: unit totals at which the atom needs no ring double bond (sorted). */
  readonly noPi: readonly number[];
  /** Per unit total: 0 any neighbours, 1 needs a double bond to O, 2 also oxygen neighbours only (SMILES_ATOM_OXO). */
  readonly oxo: readonly number[];
  /** The aliphatic oxygen 'O' (what a double bond to O means above). */
  readonly isO: boolean;
  /**
   * Aromatic C, N, O, B: the most RDKit accepts of units + 0.5 x aromatic bonds (its valence
   * before kekulization counts an aromatic bond 1.5, and refuses more than 1.5 over the element's
   * valence: c with four aromatic bonds, [nH] or Cn with three). Infinity for other atoms.
   */
  readonly accumLimit: number;
}

/** Totals at which an aromatic organic-subset atom needs no π bond (its element's valences). */
const ORGANIC_NO_PI: Record<string, number[]> = { c: [4], n: [3], o: [2], s: [2, 4, 6], p: [3, 5, 7], b: [3] };
/** Default valence of aromatic bracket atoms' elements (charge and H applied below). */
const BRACKET_VALENCE: Record<string, number> = { c: 4, n: 3, o: 2, s: 2, p: 3, se: 2, te: 2, b: 3, as: 3 };

/** Aromatic elements with one valence, where RDKit's pre-kekulization valence check bites (see accumLimit). */
const SINGLE_VALENCE = new Set(['c', 'n', 'o', 'b']);

/** The element's valence after charge, and the explicit H count, of an aromatic token (null: not parsed). */
function aromaticValence(tok: string): { el: string; v: number; h: number } | null {
  if (!tok.startsWith('[')) return BRACKET_VALENCE[tok] !== undefined ? { el: tok, v: BRACKET_VALENCE[tok]!, h: 0 } : null;
  const m = /^\[\d*([a-z]{1,2})@*(H\d?)?([+-]\d*)?\]$/.exec(tok);
  if (!m) return null;
  const el = m[1]!;
  const base = BRACKET_VALENCE[el];
  if (base === undefined) return null;
  const h = m[2] ? (m[2].length > 1 ? Number(m[2].slice(1)) : 1) : 0;
  const q = m[3] ? (m[3].length > 1 ? Number(m[3].slice(1)) : 1) * (m[3][0] === '-' ? -1 : 1) : 0;
  // Isoelectronic valences, as RDKit: N+ and O+ gain one, N- and O- lose one; C+ and C- are 3, B- 4.
  return { el, v: el === 'c' ? 4 - Math.abs(q) : el === 'b' ? 3 - q : base + q, h };
}

function accumLimitOf(tok: string): number {
  const a = aromaticValence(tok);
  return a && SINGLE_VALENCE.has(a.el) ? a.v + 1.5 - a.h : Infinity;
}

function noPiOf(tok: string): number[] {
  if (!tok.startsWith('[')) return ORGANIC_NO_PI[tok] ?? [];
  const m = /^\[\d*([a-z]{1,2})@*(H\d?)?([+-]\d*)?\]$/.exec(tok);
  if (!m) return [];
  const el = m[1]!;
  const base = BRACKET_VALENCE[el];
  if (base === undefined) return [];
  const h = m[2] ? (m[2].length > 1 ? Number(m[2].slice(1)) : 1) : 0;
  const q = m[3] ? (m[3].length > 1 ? Number(m[3].slice(1)) : 1) * (m[3][0] === '-' ? -1 : 1) : 0;
  // Isoelectronic valences, as RDKit: N+ and O+ gain one, N- and O- lose one; C+ and C- are 3, B- 4.
  const v = el === 'c' ? 4 - Math.abs(q) : el === 'b' ? 3 - q : base + q;
  return v - h >= 0 ? [v - h] : [];
}

/** Per token id: its AtomInfo, or undefined when it is not an atom. */
export const ATOM_INFO: ReadonlyArray<AtomInfo | undefined> = (() => {
  const out: Array<AtomInfo | undefined> = new Array(VOCAB_SIZE).fill(undefined);
  const [lo, hi] = MODALITY_RANGE.SMILES;
  for (let id = lo; id <= hi; id++) {
    const tok = tokenString(id);
    const unitsMask = SMILES_ATOM_BONDS[tok];
    if (unitsMask === undefined) continue;
    const el = tok.startsWith('[') ? (/^\[\d*([A-Za-z][a-z]?)/.exec(tok)?.[1] ?? '') : tok;
    const aromatic = /^[a-z]/.test(el);
    const oxo = Array.from(SMILES_ATOM_OXO[tok] ?? '', Number);
    out[id] = { aromatic, unitsMask, maxUnits: unitsMask === 0 ? -1 : 31 - Math.clz32(unitsMask), noPi: aromatic ? noPiOf(tok) : [], oxo, isO: tok === 'O', accumLimit: aromatic ? accumLimitOf(tok) : Infinity };
  }
  return out;
})();

/** Whether an aromatic atom carrying `units` needs a ring double bond (undefined: no total works). */
export function needsPi(a: AtomInfo, units: number): boolean | undefined {
  if (a.noPi.includes(units)) return false;
  return units + 1 <= Math.max(-1, ...a.noPi) ? true : undefined;
}

/**
 * Whether RDKit accepts the atom carrying `units` with `oxo` double bonds to O and `nonO` bonds to
 * atoms other than O: its valences, and the clean-up that makes N(=O)=O and OCl(=O)(=O)=O legal.
 */
export function totalOk(a: AtomInfo, units: number, oxo: number, nonO: number): boolean {
  if (!((a.unitsMask >> units) & 1)) return false;
  const rule = a.oxo[units] ?? 0;
  return rule === 0 || (oxo > 0 && (rule === 1 || nonO === 0));
}
