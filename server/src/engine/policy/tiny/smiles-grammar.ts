// policy-tiny's SMILES syntax constraint: which of UME's SMILES tokens may come next so that the
// string stays well-formed SMILES (OpenSMILES's chain/branch/ring-bond syntax). Sampling masks the
// other ids (decoder.ts) and the log-prob graph adds the same mask (logps.ts, through grammarFeeds),
// so the policy's distribution is the constrained one everywhere: sampled, recomputed and trained
// log-probs agree, as for the modality restriction.
//
// Why: most invalid SMILES a small model writes are syntax errors (unbalanced branches, ring bonds
// left open, a branch at the start), not chemistry; measured on policy-tiny, 173 of 195 invalid
// samples failed RDKit's parser before sanitization. Chemistry (valences, aromaticity) stays the
// model's job and the reward's.
//
// The rules, on the previous token's class:
//   start, '.'        an atom
//   '('               an atom or a bond
//   bond              an atom or a ring-bond label
//   atom, ring label  an atom, a bond, '(', a ring label (not one used at this atom, nor one that
//                     would close onto an atom this one is already bonded to: RDKit refuses both),
//                     ')' inside a branch, '.' and <eos> outside one (<eos> also needs no ring open)
//   ')'               as after an atom, without ring labels
// Tokens outside SMILES syntax (reaction '>>', SMARTS '~') are never allowed. A prefix (prompt)
// that breaks the rules leaves the row unconstrained from there on ('free').

import { SPECIAL, tokenString, VOCAB_SIZE } from '../../ume/tokenizer';
import { MODALITY_RANGE } from './vocab';

type Kind = 'atom' | 'bond' | 'open' | 'close' | 'ring' | 'dot' | 'none';
type Prev = 'start' | Exclude<Kind, 'none'>;

const BONDS = new Set(['-', '=', '#', '$', ':', '/', '\\']);
const ATOMS = new Set(['B', 'C', 'N', 'O', 'P', 'S', 'F', 'I', 'Cl', 'Br', 'b', 'c', 'n', 'o', 'p', 's', '*']);

function kindOf(s: string): { kind: Kind; label?: number } {
  if (s.startsWith('[') && s.endsWith(']')) return { kind: 'atom' };
  if (ATOMS.has(s)) return { kind: 'atom' };
  if (BONDS.has(s)) return { kind: 'bond' };
  if (s === '(') return { kind: 'open' };
  if (s === ')') return { kind: 'close' };
  if (s === '.') return { kind: 'dot' };
  if (/^[0-9]$/.test(s)) return { kind: 'ring', label: Number(s) };
  if (/^%[0-9]{2}$/.test(s)) return { kind: 'ring', label: Number(s.slice(1)) };
  return { kind: 'none' };
}

const [LO, HI] = MODALITY_RANGE.SMILES;
/** Per SMILES id: its kind and ring label (ids outside the SMILES range: 'none'). */
const KIND: Kind[] = [];
const LABEL = new Int16Array(VOCAB_SIZE).fill(-1);
for (let id = 0; id < VOCAB_SIZE; id++) {
  const k = id >= LO && id <= HI ? kindOf(tokenString(id)) : { kind: 'none' as Kind };
  KIND.push(k.kind);
  if (k.label !== undefined) LABEL[id] = k.label;
}
const IDS_OF = (kind: Kind): number[] => KIND.flatMap((k, id) => (k === kind ? [id] : []));
const ATOM_IDS = IDS_OF('atom');
const BOND_IDS = IDS_OF('bond');
const RING_IDS = IDS_OF('ring');
const OPEN_ID = IDS_OF('open')[0]!;
const CLOSE_ID = IDS_OF('close')[0]!;
const DOT_ID = IDS_OF('dot')[0]!;

export interface SmilesGrammarState {
  /** The row broke the rules (in its prompt): no constraint from here on. */
  readonly free: boolean;
  readonly prev: Prev;
  /** Open branches: the atom each one hangs from. */
  readonly stack: readonly number[];
  /** Ring-bond labels opened and not yet closed, with the atom that opened each, by label. */
  readonly open: ReadonlyArray<readonly [label: number, atom: number]>;
  /** Index of the current atom (-1 before the first). */
  readonly atom: number;
  /** Atoms seen so far. */
  readonly atoms: number;
  /** Atoms the current atom is already bonded to (chain and ring closures): closing a ring to one would duplicate a bond. */
  readonly bonded: readonly number[];
  /** Labels used at the current atom. */
  readonly here: readonly number[];
}

export const SMILES_START: SmilesGrammarState = Object.freeze({ free: false, prev: 'start', stack: [], open: [], atom: -1, atoms: 0, bonded: [], here: [] });
const FREE: SmilesGrammarState = Object.freeze({ ...SMILES_START, free: true });

/** Ring labels that may not come next: used at this atom, or closing onto an atom this one is bonded to. */
function bannedLabels(s: SmilesGrammarState): number[] {
  const out = new Set(s.here);
  for (const [label, at] of s.open) if (at === s.atom || s.bonded.includes(at)) out.add(label);
  return [...out].sort((a, b) => a - b);
}

const maskCache = new Map<string, Uint8Array>();

/** A key that two states with the same allowed set share (the mask cache's, and grammarFeeds' table rows). */
export function stateKey(s: SmilesGrammarState): string {
  if (s.free) return 'free';
  const ringsNext = s.prev === 'atom' || s.prev === 'ring' || s.prev === 'bond';
  return `${s.prev}|${s.stack.length > 0 ? 1 : 0}|${s.open.length > 0 ? 1 : 0}|${ringsNext ? bannedLabels(s).join(',') : ''}`;
}

/** 1 for every id that may come next (the whole vocabulary when free). Shared and cached: do not modify. */
export function allowedNext(s: SmilesGrammarState): Uint8Array {
  const key = stateKey(s);
  let m = maskCache.get(key);
  if (m) return m;
  m = new Uint8Array(VOCAB_SIZE);
  if (s.free) m.fill(1);
  else {
    const set = (ids: readonly number[]): void => ids.forEach((id) => (m![id] = 1));
    const rings = (): void => {
      const banned = bannedLabels(s);
      RING_IDS.forEach((id) => (m![id] = banned.includes(LABEL[id]!) ? 0 : 1));
    };
    switch (s.prev) {
      case 'start':
      case 'dot':
        set(ATOM_IDS);
        break;
      case 'open':
        set(ATOM_IDS);
        set(BOND_IDS);
        break;
      case 'bond':
        set(ATOM_IDS);
        rings();
        break;
      case 'atom':
      case 'ring':
      case 'close':
        set(ATOM_IDS);
        set(BOND_IDS);
        m[OPEN_ID] = 1;
        if (s.prev !== 'close') rings();
        if (s.stack.length > 0) m[CLOSE_ID] = 1;
        else {
          m[DOT_ID] = 1;
          if (s.open.length === 0) m[SPECIAL.eos] = 1;
        }
        break;
    }
  }
  maskCache.set(key, m);
  return m;
}

/** The state after `id`; a token the rules do not allow makes the row free. */
export function advance(s: SmilesGrammarState, id: number): SmilesGrammarState {
  if (s.free) return s;
  if (!allowedNext(s)[id]) return FREE;
  const kind = KIND[id]!;
  switch (kind) {
    case 'atom': {
      // Bonded to the atom before it in the chain (or the branch root), unless a new fragment starts.
      const chained = s.prev !== 'start' && s.prev !== 'dot';
      return { ...s, prev: 'atom', atom: s.atoms, atoms: s.atoms + 1, bonded: chained ? [s.atom] : [], here: [] };
    }
    case 'bond':
      return { ...s, prev: 'bond' };
    case 'open':
      return { ...s, prev: 'open', stack: [...s.stack, s.atom] };
    case 'close':
      // Back on the branch root; no ring label may follow a ')' anyway.
      return { ...s, prev: 'close', stack: s.stack.slice(0, -1), atom: s.stack[s.stack.length - 1]!, bonded: [], here: [] };
    case 'dot':
      return { ...s, prev: 'dot', bonded: [], here: [] };
    case 'ring': {
      const label = LABEL[id]!;
      const opened = s.open.find(([l]) => l === label);
      const open = opened ? s.open.filter(([l]) => l !== label) : [...s.open, [label, s.atom] as const].sort((a, b) => a[0] - b[0]);
      return { ...s, prev: 'ring', open, bonded: opened ? [...s.bonded, opened[1]] : s.bonded, here: [...s.here, label] };
    }
    default:
      return FREE; // <eos> or a non-SMILES id: nothing follows under the grammar
  }
}

/** The state after a sequence of SMILES ids (a prompt's prefix). */
export function stateAfter(ids: Iterable<number>, from: SmilesGrammarState = SMILES_START): SmilesGrammarState {
  let s = from;
  for (const id of ids) s = advance(s, id);
  return s;
}

/** The graph inputs the constraint adds to policy-tiny's log-prob graphs (see grammarFeeds). */
export const GRAMMAR_TABLE = 'grammar_table';
export const GRAMMAR_INDEX = 'grammar_index';

/**
 * The constraint as graph feeds for a log-prob batch (logprob-batch.ts's ids [B, L] and positions
 * [B, T]): `grammar_table` float32 [K, V] (0 where allowed, `restricted` elsewhere; row 0 allows
 * everything) and `grammar_index` int64 [B, T] (the table row for each prediction). Rows that do not
 * start with `smilesCls` use row 0. So do rows whose tokens break the rules somewhere (text the
 * sampler could not have written, e.g. a scored reference): their log-probs are the unconstrained
 * model's rather than -1e9.
 */
export function grammarFeeds(ids: BigInt64Array, L: number, positions: BigInt64Array, T: number, smilesCls: number, restricted: number): Record<string, { dtype: 'float32' | 'int64'; shape: number[]; data: Float32Array | BigInt64Array }> {
  const B = L > 0 ? ids.length / L : 0;
  const rows = new Map<string, number>([['free', 0]]);
  const masks: Uint8Array[] = [allowedNext(FREE)];
  const index = new BigInt64Array(B * T);
  for (let b = 0; b < B; b++) {
    if (Number(ids[b * L]) !== smilesCls) continue;
    const states: SmilesGrammarState[] = [SMILES_START];
    for (let p = 1; p < L; p++) states.push(advance(states[p - 1]!, Number(ids[b * L + p])));
    const rowIdx = new Array<number>(T);
    let broken = false;
    for (let t = 0; t < T && !broken; t++) {
      const p = Number(positions[b * T + t]);
      const s = states[p]!;
      const target = p + 1 < L ? Number(ids[b * L + p + 1]) : -1;
      const m = allowedNext(s);
      if (target < 0 || !m[target]) {
        // A padded slot repeats a real one, so a broken target here is a real token the rules refuse.
        broken = !s.free;
        break;
      }
      const key = stateKey(s);
      let r = rows.get(key);
      if (r === undefined) {
        r = masks.length;
        rows.set(key, r);
        masks.push(m);
      }
      rowIdx[t] = r;
    }
    if (!broken) for (let t = 0; t < T; t++) index[b * T + t] = BigInt(rowIdx[t] ?? 0);
  }
  const V = VOCAB_SIZE;
  const table = new Float32Array(masks.length * V);
  masks.forEach((m, k) => {
    for (let v = 0; v < V; v++) if (!m[v]) table[k * V + v] = restricted;
  });
  return { [GRAMMAR_TABLE]: { dtype: 'float32', shape: [masks.length, V], data: table }, [GRAMMAR_INDEX]: { dtype: 'int64', shape: [B, T], data: index } };
}
