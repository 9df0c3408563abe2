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
import { ATOM_INFO as ATOM_INFO_EXPORT, totalOk } from './smiles-atoms';
import { accumOk, countBond, EMPTY_GRAPH, viable, type MolGraph } from './smiles-chem';

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

/** Local bindings: hot paths read them without going through the modules' export accessors. */
const ATOM_INFO = ATOM_INFO_EXPORT;
const EOS = SPECIAL.eos;

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
/** The id of each ring label. */
const RING_ID_OF: number[] = [];
for (const id of RING_IDS) RING_ID_OF[LABEL[id]!] = id;
const BOND_ORDERS: Record<string, { order: number; aromatic: boolean }> = { '-': { order: 1, aromatic: false }, '/': { order: 1, aromatic: false }, '\\': { order: 1, aromatic: false }, '=': { order: 2, aromatic: false }, '#': { order: 3, aromatic: false }, $: { order: 4, aromatic: false }, ':': { order: 1, aromatic: true } };
const BOND_OF: Array<{ order: number; aromatic: boolean } | undefined> = [];
for (const id of BOND_IDS) BOND_OF[id] = BOND_ORDERS[tokenString(id)];
/** Atom ids grouped by what the rules see of them (aromaticity, valences). */
const ATOM_CLASSES: number[][] = (() => {
  const by = new Map<string, number[]>();
  for (const id of ATOM_IDS) {
    const a = ATOM_INFO[id];
    // Everything the rules read of an atom (smiles-atoms.ts AtomInfo): one class, one check.
    const key = a ? `${a.aromatic}|${a.unitsMask}|${a.noPi.join(',')}|${a.oxo.join('')}|${a.isO}|${a.accumLimit}` : 'none';
    by.set(key, [...(by.get(key) ?? []), id]);
  }
  return [...by.values()];
})();

export interface SmilesGrammarState {
  /** The row broke the rules (in its prompt): no constraint from here on. */
  readonly free: boolean;
  readonly prev: Prev;
  /** Open branches: the atom each one hangs from. */
  readonly stack: readonly number[];
  /** Ring-bond labels opened and not yet closed: label, the atom that opened it, the bond order written at the opening (0: none). */
  readonly open: ReadonlyArray<readonly [label: number, atom: number, order: number]>;
  /** Index of the current atom (-1 before the first). */
  readonly atom: number;
  /** Atoms seen so far. */
  readonly atoms: number;
  /** Atoms the current atom is already bonded to (chain and ring closures): closing a ring to one would duplicate a bond. */
  readonly bonded: readonly number[];
  /** Labels used at the current atom. */
  readonly here: readonly number[];
  /** After a bond token: its order (':' is 1) and whether it is aromatic (':'). */
  readonly bond: { readonly order: number; readonly aromatic: boolean } | null;
  /** The molecule so far (smiles-chem.ts). */
  readonly mol: MolGraph;
  /** Completion tokens left, the next one included (Infinity: no budget, as in a prompt). */
  readonly left: number;
}

export const SMILES_START: SmilesGrammarState = Object.freeze({ free: false, prev: 'start', stack: [], open: [], atom: -1, atoms: 0, bonded: [], here: [], bond: null, mol: EMPTY_GRAPH, left: Infinity });
const FREE: SmilesGrammarState = Object.freeze({ ...SMILES_START, free: true });

// States reached through withBudget and advance are interned by their prefix (the ids and where the
// budget started): the sampler, then every log-prob feed of the same completions (old, reference and
// train-step log-probs: grammarFeeds), meet the same state objects, so each mask is computed once
// (allowedNext and the closing plans memoize per state object). Bounded: an evicted prefix is just
// recomputed, to the same state.
const INTERNED_STATES = 16384;
const interned = new Map<string, SmilesGrammarState>();
const prefixKey = new WeakMap<SmilesGrammarState, string>([[SMILES_START, '']]);

function internedState(key: string | undefined, make: () => SmilesGrammarState): SmilesGrammarState {
  if (key === undefined) return make();
  const hit = interned.get(key);
  if (hit) {
    // Refresh its place: the oldest entry is the one evicted.
    interned.delete(key);
    interned.set(key, hit);
    return hit;
  }
  const s = make();
  prefixKey.set(s, key);
  interned.set(key, s);
  if (interned.size > INTERNED_STATES) interned.delete(interned.keys().next().value!);
  return s;
}

/** `s` with `tokens` completion tokens left (the budget the grammar closes branches and rings within). */
export function withBudget(s: SmilesGrammarState, tokens: number): SmilesGrammarState {
  if (s.free) return s;
  const key = prefixKey.get(s);
  return internedState(key === undefined ? undefined : `${key}|${tokens}`, () => ({ ...s, left: tokens }));
}

/** Ring labels that may not come next: used at this atom, or closing onto an atom this one is bonded to. */
function bannedLabels(s: SmilesGrammarState): number[] {
  const out = new Set(s.here);
  for (const [label, at] of s.open) if (at === s.atom || s.bonded.includes(at)) out.add(label);
  return [...out].sort((a, b) => a - b);
}

const syntaxCache = new Map<string, Uint8Array>();

/** A key that two states with the same syntax-allowed set share. */
function syntaxKey(s: SmilesGrammarState): string {
  if (s.free) return 'free';
  const ringsNext = s.prev === 'atom' || s.prev === 'ring' || s.prev === 'bond';
  return `${s.prev}|${s.stack.length > 0 ? 1 : 0}|${s.open.length > 0 ? 1 : 0}|${ringsNext ? bannedLabels(s).join(',') : ''}`;
}

/** The syntax rules alone (see the table at the top). Shared and cached: do not modify. */
const syntaxMemo = new WeakMap<SmilesGrammarState, Uint8Array>();

function syntaxNext(s: SmilesGrammarState): Uint8Array {
  let m = syntaxMemo.get(s);
  if (m) return m;
  m = syntaxOf(s);
  syntaxMemo.set(s, m);
  return m;
}

function syntaxOf(s: SmilesGrammarState): Uint8Array {
  const key = syntaxKey(s);
  let m = syntaxCache.get(key);
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
          if (s.open.length === 0) m[EOS] = 1;
        }
        break;
    }
  }
  syntaxCache.set(key, m);
  return m;
}

const infoAt = (s: SmilesGrammarState, atom: number) => ATOM_INFO[s.mol.tok[atom]!]!;
/** Bond-order units the atom may still take. */
const freeUnits = (s: SmilesGrammarState, atom: number): number => infoAt(s, atom).maxUnits - s.mol.units[atom]!;

/** Atoms later tokens can still bond to (smiles-chem.ts): the current one, branch roots, ring openers. */
function openAtoms(s: SmilesGrammarState): number[] {
  const out = new Set<number>(s.stack);
  if (s.atom >= 0 && s.prev !== 'dot') out.add(s.atom);
  for (const [, at] of s.open) out.add(at);
  return [...out];
}

/** The state after an allowed `id` (no rule check; the budget counts down). */
function step(s: SmilesGrammarState, id: number): SmilesGrammarState {
  const left = s.left - 1;
  switch (KIND[id]!) {
    case 'atom': {
      // Bonded to the atom before it in the chain (or the branch root), unless a new fragment starts.
      const chained = s.prev !== 'start' && s.prev !== 'dot';
      const n = s.mol.tok.length;
      // One copy of each array (this runs for every candidate of every closing plan).
      const m = s.mol;
      const tok = m.tok.slice();
      tok.push(id);
      const units = m.units.slice();
      units.push(0);
      const oxo = m.oxo.slice();
      oxo.push(0);
      const nonO = m.nonO.slice();
      nonO.push(0);
      const arom = m.arom.slice();
      arom.push(0);
      let bonds = m.bonds;
      if (chained) {
        const order = s.bond?.order ?? 1;
        const aromatic = s.bond ? s.bond.aromatic : infoAt(s, s.atom).aromatic && ATOM_INFO[id]!.aromatic;
        units[s.atom]! += order;
        units[n]! += order;
        bonds = bonds.slice();
        (bonds as Array<readonly [number, number, boolean]>).push([s.atom, n, aromatic]);
        countBond({ tok, oxo, nonO, arom }, s.atom, n, order, aromatic);
      }
      const mol: MolGraph = { tok, units, bonds, oxo, nonO, arom };
      return { ...s, prev: 'atom', atom: n, atoms: n + 1, bonded: chained ? [s.atom] : [], here: [], bond: null, mol, left };
    }
    case 'bond':
      return { ...s, prev: 'bond', bond: BOND_OF[id]!, left };
    case 'open':
      return { ...s, prev: 'open', stack: [...s.stack, s.atom], left };
    case 'close':
      // Back on the branch root; no ring label may follow a ')' anyway.
      return { ...s, prev: 'close', stack: s.stack.slice(0, -1), atom: s.stack[s.stack.length - 1]!, bonded: [], here: [], left };
    case 'dot':
      return { ...s, prev: 'dot', bonded: [], here: [], left };
    case 'ring': {
      const label = LABEL[id]!;
      const opened = s.open.find(([l]) => l === label);
      const written = s.bond?.order ?? 0;
      let mol: MolGraph;
      let open: SmilesGrammarState['open'];
      if (opened) {
        // The opener reserved its side of the bond when the label was opened.
        const order = opened[2] || written || 1;
        const aromatic = !opened[2] && !written && infoAt(s, opened[1]).aromatic && infoAt(s, s.atom).aromatic;
        const units = s.mol.units.slice();
        units[s.atom]! += order;
        const g = { tok: s.mol.tok, oxo: s.mol.oxo.slice(), nonO: s.mol.nonO.slice(), arom: s.mol.arom.slice() };
        countBond(g, opened[1], s.atom, order, aromatic);
        mol = { ...g, units, bonds: [...s.mol.bonds, [opened[1], s.atom, aromatic]] };
        open = s.open.filter(([l]) => l !== label);
      } else {
        const units = s.mol.units.slice();
        units[s.atom]! += written || 1;
        mol = { ...s.mol, units };
        open = [...s.open, [label, s.atom, written] as const].sort((a, b) => a[0] - b[0]);
      }
      return { ...s, prev: 'ring', open, bonded: opened ? [...s.bonded, opened[1]] : s.bonded, here: [...s.here, label], bond: null, mol, left };
    }
    default:
      return FREE; // <eos> or a non-SMILES id: nothing follows under the grammar
  }
}

/** Valence and aromatic-bond limits of `id` after `s` (syntax already allowed). */
function chemistryAllows(s: SmilesGrammarState, id: number): boolean {
  switch (KIND[id]!) {
    case 'atom': {
      const a = ATOM_INFO[id];
      if (!a || a.maxUnits < 0) return false;
      if (s.prev === 'start' || s.prev === 'dot') return true;
      const k = s.bond?.order ?? 1;
      if (freeUnits(s, s.atom) < k || a.maxUnits < k) return false;
      if (a.aromatic && k > 2) return false;
      const bothAromatic = infoAt(s, s.atom).aromatic && a.aromatic;
      // ':' only between aromatic atoms; no double or triple bond written between two (the Kekulé
      // form is the kekulizer's to choose, and smiles-chem.ts counts aromatic bonds as single).
      if (s.bond?.aromatic && !bothAromatic) return false;
      return !(s.bond && s.bond.order > 1 && bothAromatic);
    }
    case 'bond': {
      const b = BOND_OF[id]!;
      const aromatic = infoAt(s, s.atom).aromatic;
      // No triple or quadruple bond on an aromatic atom (RDKit's kekulizer refuses them).
      return freeUnits(s, s.atom) >= b.order && (!b.aromatic || aromatic) && !(aromatic && b.order > 2) && accumOk(s.mol, s.atom, b.order);
    }
    case 'open':
      return freeUnits(s, s.atom) >= 1 && accumOk(s.mol, s.atom, 1);
    case 'ring': {
      if (s.bond?.aromatic) return false;
      const written = s.bond?.order ?? 0;
      const opened = s.open.find(([l]) => l === LABEL[id]);
      if (!opened) return freeUnits(s, s.atom) >= (written || 1) && accumOk(s.mol, s.atom, written || 1);
      const o = opened[2];
      if ((o && written && o !== written) || (!o && written > 1)) return false;
      const order = o || written || 1;
      if (order > 1 && infoAt(s, s.atom).aromatic && infoAt(s, opened[1]).aromatic) return false;
      return freeUnits(s, s.atom) >= order;
    }
    default:
      return true;
  }
}

/** Whether the molecule after `next` (= step(s, id)) can still sanitize; <eos>: whether it sanitizes. */
function stillViable(s: SmilesGrammarState, id: number, next: SmilesGrammarState): boolean {
  if (id === EOS) return viable(s.mol, []);
  const kind = KIND[id]!;
  // Bonds, '(' and ring openings freeze no atom and pair none: only atoms, closures, ')' and '.' can lose a molecule.
  if (kind === 'bond' || kind === 'open' || (kind === 'ring' && next.open.length > s.open.length)) return true;
  return viable(next.mol, openAtoms(next));
}

/** Syntax, chemistry and viability of one token, without the budget. */
function tokenOk(s: SmilesGrammarState, id: number): SmilesGrammarState | null {
  if (!syntaxNext(s)[id] || !chemistryAllows(s, id)) return null;
  const next = id === EOS ? FREE : step(s, id);
  return stillViable(s, id, next) ? next : null;
}

/**
 * Whether a state may be stuck: something is left to close and the current atom has at most one
 * free unit, or aromatic atoms are still open (their rings must close in a way that kekulizes). Such
 * states need a closing plan to be allowed; others can always add an aliphatic atom and go on.
 */
function mayBeStuck(s: SmilesGrammarState): boolean {
  if (openAtoms(s).some((a) => infoAt(s, a).aromatic)) return true;
  // The next atom would leave the current one on a total RDKit refuses (N at 4, or 5 without =O):
  // only a plan can tell whether some other way on exists.
  if (s.atom >= 0 && s.prev !== 'dot' && s.prev !== 'start') {
    const add = s.prev === 'bond' ? s.bond!.order : 1;
    if (!totalOk(infoAt(s, s.atom), s.mol.units[s.atom]! + add, s.mol.oxo[s.atom]!, s.mol.nonO[s.atom]! + 1)) return true;
  }
  if (s.open.length === 0 && s.stack.length === 0) return false;
  if (s.prev === 'dot' || s.prev === 'start') return true;
  return freeUnits(s, s.atom) <= 1;
}

/** Above this many spare tokens the budget needs no closing plan. */
const BUDGET_SLACK = 6;
/**
 * Most tokens a closing plan looks ahead (fewer when the budget is smaller). The same for a state
 * and the one after its plan's first token (one less budget, one less to look at), so a plan found
 * from one is found again from the next: a row the mask let in always has a way out.
 */
const PLAN_CAP = 24;
/** Filler atoms a closing plan tries, in order. */
const FILLERS = ['C', 'c', 'N', 'n', 'O'].map((t) => ATOM_IDS.find((id) => tokenString(id) === t)!);
const AROMATIC_FIRST = [FILLERS[1]!, FILLERS[3]!, FILLERS[0]!, FILLERS[2]!, FILLERS[4]!];
const planMemo = new WeakMap<SmilesGrammarState, number>();

/**
 * Tokens a greedy plan needs to end `s` (its <eos> included): close the lowest open ring that may
 * close here, else put an atom where one is due, else leave the branch, else add a filler atom.
 * The plan from the state after its first token is the rest of it, so a budget that admits the plan
 * admits its first token again: a row can always finish.
 */
function closingCost(s: SmilesGrammarState): number {
  const bound = 1 + s.open.length + s.stack.length + (s.prev === 'bond' || s.prev === 'open' || s.prev === 'start' || s.prev === 'dot' ? 1 : 0);
  if (s.left - bound >= BUDGET_SLACK && !mayBeStuck(s)) return bound;
  const memo = planMemo.get(s);
  if (memo !== undefined) return memo;
  let cost = Infinity;
  let cur = s;
  const cap = Math.min(s.left, PLAN_CAP);
  for (let n = 0; n < cap; n++) {
    if (tokenOk(cur, EOS)) {
      cost = n + 1;
      break;
    }
    let next: SmilesGrammarState | null = null;
    for (const [label] of cur.open) if ((next = tokenOk(cur, RING_ID_OF[label]!))) break;
    const atomDue = cur.prev === 'bond' || cur.prev === 'open' || cur.prev === 'start' || cur.prev === 'dot';
    // In an aromatic ring, aromatic fillers first (an aliphatic atom there rarely kekulizes).
    const fillers = cur.atom >= 0 && cur.prev !== 'dot' && infoAt(cur, cur.atom).aromatic ? AROMATIC_FIRST : FILLERS;
    if (!next && atomDue) for (const f of fillers) if ((next = tokenOk(cur, f))) break;
    // An aromatic atom outside any ring: open one at it.
    if (!next && fillers === AROMATIC_FIRST && cur.open.length === 0 && cur.prev !== 'close') next = tokenOk(cur, RING_ID_OF[1]!);
    if (!next && cur.stack.length > 0) next = tokenOk(cur, CLOSE_ID);
    // (When an atom was due the fillers were just tried, to the same end.)
    if (!next && !atomDue) for (const f of fillers) if ((next = tokenOk(cur, f))) break;
    if (!next) break;
    cur = next;
  }
  planMemo.set(s, cost);
  return cost;
}

/** Whether `id` is allowed after `s`, budget included. */
function allows(s: SmilesGrammarState, id: number): boolean {
  const next = tokenOk(s, id);
  if (!next) return false;
  if (id === EOS) return true;
  // A token after which no plan closes the molecule would leave the row stuck: refused too.
  return closingCost(next) <= next.left;
}

const maskMemo = new WeakMap<SmilesGrammarState, Uint8Array>();

/**
 * 1 for every id that may come next (the whole vocabulary when free): the syntax rules, valence
 * and aromaticity (see chemistryAllows, smiles-chem.ts), and the budget. When nothing else is
 * left, <eos>. A deterministic function of the state, hence of the prefix and the budget. Cached
 * per state: do not modify.
 */
export function allowedNext(s: SmilesGrammarState): Uint8Array {
  if (s.free) return syntaxNext(s);
  let m = maskMemo.get(s);
  if (m) return m;
  m = new Uint8Array(VOCAB_SIZE);
  const syn = syntaxNext(s);
  // Atoms of one class behave alike; ring labels not open alike: one check each.
  if (syn[ATOM_IDS[0]!]) for (const ids of ATOM_CLASSES) if (allows(s, ids[0]!)) for (const id of ids) m[id] = 1;
  let fresh: boolean | undefined;
  for (const id of RING_IDS) {
    if (!syn[id]) continue;
    const isOpen = s.open.some(([l]) => l === LABEL[id]);
    if (isOpen) m[id] = allows(s, id) ? 1 : 0;
    else {
      fresh ??= allows(s, id);
      m[id] = fresh ? 1 : 0;
    }
  }
  for (const id of [...BOND_IDS, OPEN_ID, CLOSE_ID, DOT_ID, EOS]) if (syn[id] && allows(s, id)) m[id] = 1;
  if (!m.includes(1)) m[EOS] = 1;
  maskMemo.set(s, m);
  return m;
}

/** The state after `id`; a token the rules do not allow makes the row free. */
export function advance(s: SmilesGrammarState, id: number): SmilesGrammarState {
  if (s.free) return s;
  if (!allowedNext(s)[id]) return FREE;
  const key = prefixKey.get(s);
  return internedState(key === undefined ? undefined : `${key},${id}`, () => step(s, id));
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
 * model's rather than -1e9. `budget` is the sampler's (the completion tokens the grammar closes
 * within: policy-tiny's smilesGrammarBudget), so the rows are the masks it sampled under.
 */
export function grammarFeeds(ids: BigInt64Array, L: number, positions: BigInt64Array, T: number, smilesCls: number, restricted: number, budget = Infinity): Record<string, { dtype: 'float32' | 'int64'; shape: number[]; data: Float32Array | BigInt64Array }> {
  const B = L > 0 ? ids.length / L : 0;
  const rows = new Map<string, number>([['free', 0]]);
  const masks: Uint8Array[] = [allowedNext(FREE)];
  const index = new BigInt64Array(B * T);
  const rowOfMask = new Map<Uint8Array, number>();
  for (let b = 0; b < B; b++) {
    if (Number(ids[b * L]) !== smilesCls) continue;
    // The completion's first prediction is at its prompt's last position: the budget starts there.
    const first = T > 0 ? Number(positions[b * T]) : 0;
    const budgeted = (s: SmilesGrammarState, p: number): SmilesGrammarState => (p === first ? withBudget(s, budget) : s);
    const states: SmilesGrammarState[] = [budgeted(SMILES_START, 0)];
    for (let p = 1; p < L; p++) states.push(budgeted(advance(states[p - 1]!, Number(ids[b * L + p])), p));
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
      // Interned states share mask objects: look the object up before its content.
      let r = rowOfMask.get(m);
      if (r === undefined) {
        const key = s.free ? 'free' : Buffer.from(m.buffer, m.byteOffset, m.byteLength).toString('latin1');
        r = rows.get(key);
        if (r === undefined) {
          r = masks.length;
          rows.set(key, r);
          masks.push(m);
        }
        rowOfMask.set(m, r);
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
