// What the SMILES grammar (smiles-grammar.ts) needs to know about each atom token of UME's SMILES
// vocabulary: how many bond-order units it may carry (RDKit's own limits, probed per token into
// smiles-valence.generated.ts: charges and explicit H included, organic atoms with implicit H), and
// for aromatic atoms at which totals they need no double bond in the Kekulé form (c needs one unless
// it carries 4 units, pyridine-type n at 2 units does, pyrrole-type n at 3 and [nH] at 2 do not, ...),
// which is what decides kekulization.

import { tokenString, VOCAB_SIZE } from '../../ume/tokenizer';
import { MODALITY_RANGE } from './vocab';
import { SMILES_ATOM_BONDS } from './smiles-valence.generated';

export interface AtomInfo {
  readonly aromatic: boolean;
  /** Bit n set: RDKit accepts the atom carrying n bond-order units (single = 1, double = 2...). */
  readonly unitsMask: number;
  /** The largest such n. */
  readonly maxUnits: number;
  /** Aromatic atoms: unit totals at which the atom needs no ring double bond (sorted). */
  readonly noPi: readonly number[];
}

/** Totals at which an aromatic organic-subset atom needs no π bond (its element's valences). */
const ORGANIC_NO_PI: Record<string, number[]> = { c: [4], n: [3], o: [2], s: [2, 4, 6], p: [3, 5, 7], b: [3] };
/** Default valence of aromatic bracket atoms' elements (charge and H applied below). */
const BRACKET_VALENCE: Record<string, number> = { c: 4, n: 3, o: 2, s: 2, p: 3, se: 2, te: 2, b: 3, as: 3 };

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
    out[id] = { aromatic, unitsMask, maxUnits: unitsMask === 0 ? -1 : 31 - Math.clz32(unitsMask), noPi: aromatic ? noPiOf(tok) : [] };
  }
  return out;
})();

/** Whether an aromatic atom carrying `units` needs a ring double bond (undefined: no total works). */
export function needsPi(a: AtomInfo, units: number): boolean | undefined {
  if (a.noPi.includes(units)) return false;
  return units + 1 <= Math.max(-1, ...a.noPi) ? true : undefined;
}
