// The chemistry half of policy-tiny's SMILES grammar (smiles-grammar.ts): the molecule a SMILES
// prefix has built so far, and whether it can still become one RDKit sanitizes. Two ways a prefix is
// lost for good, found here so the grammar refuses the token that would cause them:
// - an aromatic atom that can no longer join a ring (RDKit: "non-ring atom marked aromatic");
// - aromatic atoms that need a ring double bond (smiles-atoms.ts needsPi) with no way to pair them
//   up along aromatic ring bonds (RDKit: "Can't kekulize mol").
// "No longer" is judged on frozen atoms: atoms no later token can bond to. Atoms that can still gain
// bonds (the current atom, open branch roots, atoms with an open ring bond) are joined to one
// virtual atom standing for everything still to come, which may ring and pair them optimistically.
// At <eos> nothing is open and the check is exact. Valence limits are enforced token by token in
// the grammar; here a frozen atom whose total RDKit refuses is lost (a gap in its valences, or a
// total only RDKit's clean-up accepts, N(=O)=O-style, without the oxygens it needs: smiles-atoms.ts
// totalOk), and so is any aromatic C, N, O or B past RDKit's valence before kekulization (aromatic
// bonds 1.5: c with four aromatic bonds, Cn or [nH] with three; smiles-atoms.ts accumLimit).

import { ATOM_INFO as ATOM_INFO_EXPORT, needsPi, totalOk } from './smiles-atoms';

/** A local binding: hot loops read it without going through the module's export accessor. */
const ATOM_INFO = ATOM_INFO_EXPORT;

export interface MolGraph {
  /** Token id of each atom. */
  readonly tok: readonly number[];
  /** Bond-order units each atom carries (aromatic bonds 1, ring bonds opened but not closed included). */
  readonly units: readonly number[];
  /** Bonds: atom, atom, aromatic. */
  readonly bonds: ReadonlyArray<readonly [number, number, boolean]>;
  /** Per atom: double bonds to O, bonds to atoms other than O, aromatic bonds (smiles-atoms.ts totalOk, accumLimit). */
  readonly oxo: readonly number[];
  readonly nonO: readonly number[];
  readonly arom: readonly number[];
}

export const EMPTY_GRAPH: MolGraph = Object.freeze({ tok: [], units: [], bonds: [], oxo: [], nonO: [], arom: [] });

/** What a bond of `order` (aromatic or not) between atoms `a` and `b` adds to their oxo, nonO and arom counts. */
export function countBond(g: { tok: readonly number[]; oxo: number[]; nonO: number[]; arom: number[] }, a: number, b: number, order: number, aromatic: boolean): void {
  const ia = ATOM_INFO[g.tok[a]!]!;
  const ib = ATOM_INFO[g.tok[b]!]!;
  if (aromatic) {
    g.arom[a]!++;
    g.arom[b]!++;
  }
  if (order === 2 && !aromatic) {
    if (ib.isO) g.oxo[a]!++;
    if (ia.isO) g.oxo[b]!++;
  }
  if (!ib.isO) g.nonO[a]!++;
  if (!ia.isO) g.nonO[b]!++;
}

/** RDKit's valence before kekulization (aromatic bonds 1.5) is within the atom's limit (smiles-atoms.ts accumLimit). */
export const accumOk = (g: MolGraph, a: number, extraUnits = 0): boolean => g.units[a]! + extraUnits + 0.5 * g.arom[a]! <= ATOM_INFO[g.tok[a]!]!.accumLimit;

/** Most backtracking steps of the pairing search; past it the prefix counts as viable. */
const PAIRING_STEPS = 4000;

// viable() runs hundreds of times per sampled token (every candidate and every step of the closing
// plans, smiles-grammar.ts), so it works in scratch typed arrays that grow and are reused, and
// computes ring bonds only when a frozen aromatic atom needs them. The answer is the plain
// algorithm's (test/policy/reference/smiles-chem.ts is that version; the tests compare them).
let cap = 0;
let isOpen = new Uint8Array(0);
let piOf = new Int8Array(0); // per atom: -1 not aromatic, 0 no pi needed, 1 needs pi, 2 no total works
let inRing = new Uint8Array(0);
let wants = new Uint8Array(0);
let matched = new Uint8Array(0);
let disc = new Int32Array(0);
let low = new Int32Array(0);
let adjStart = new Int32Array(0);
let adjFill = new Int32Array(0);
let adjTo = new Int32Array(0);
let adjEdge = new Int32Array(0);
let stV = new Int32Array(0);
let stVia = new Int32Array(0);
let stNext = new Int32Array(0);
let bridge = new Uint8Array(0);
let partStart = new Int32Array(0);
let partTo = new Int32Array(0);
let must = new Int32Array(0);

function ensure(atoms: number, bonds: number): void {
  const need = Math.max(atoms + 2, bonds + atoms + 2);
  if (need <= cap) return;
  cap = Math.max(need, 2 * cap, 64);
  isOpen = new Uint8Array(cap);
  piOf = new Int8Array(cap);
  inRing = new Uint8Array(cap);
  wants = new Uint8Array(cap);
  matched = new Uint8Array(cap);
  disc = new Int32Array(cap);
  low = new Int32Array(cap);
  adjStart = new Int32Array(cap + 1);
  adjFill = new Int32Array(cap);
  adjTo = new Int32Array(2 * cap);
  adjEdge = new Int32Array(2 * cap);
  stV = new Int32Array(cap);
  stVia = new Int32Array(cap);
  stNext = new Int32Array(cap);
  bridge = new Uint8Array(cap);
  partStart = new Int32Array(cap + 1);
  partTo = new Int32Array(2 * cap);
  must = new Int32Array(cap);
}

/** needsPi as a number (0 false, 1 true, 2 undefined), per token and unit total; filled lazily. */
const PI_CACHE = new Map<number, Int8Array>();
const PI_UNITS = 32;
function piCode(tok: number, units: number): number {
  let row = PI_CACHE.get(tok);
  if (!row) {
    row = new Int8Array(PI_UNITS).fill(-1);
    PI_CACHE.set(tok, row);
  }
  if (units < PI_UNITS && row[units]! >= 0) return row[units]!;
  const pi = needsPi(ATOM_INFO[tok]!, units);
  const code = pi === undefined ? 2 : pi ? 1 : 0;
  if (units < PI_UNITS) row[units] = code;
  return code;
}

function put(a: number, b: number, e: number): void {
  const k = adjFill[a]!++;
  adjTo[k] = b;
  adjEdge[k] = e;
}

/** Marks bridge[i] for the bridges of the graph plus a virtual atom joined to `open` (virtual bonds excluded). */
function markBridges(g: MolGraph, open: readonly number[]): void {
  const n = g.tok.length;
  const m = g.bonds.length;
  const virtual = open.length > 1;
  const V = virtual ? n + 1 : n;
  // Adjacency in CSR form; edge ids: bonds 0..m-1, virtual bonds m.. (never reported).
  adjStart.fill(0, 0, V + 1);
  for (let i = 0; i < m; i++) {
    const b = g.bonds[i]!;
    adjStart[b[0] + 1]!++;
    adjStart[b[1] + 1]!++;
  }
  if (virtual) for (const a of open) {
    adjStart[a + 1]!++;
    adjStart[n + 1]!++;
  }
  for (let v = 0; v < V; v++) adjStart[v + 1]! += adjStart[v]!;
  for (let v = 0; v < V; v++) adjFill[v] = adjStart[v]!;
  for (let i = 0; i < m; i++) {
    const b = g.bonds[i]!;
    put(b[0], b[1], i);
    put(b[1], b[0], i);
    bridge[i] = 0;
  }
  if (virtual) open.forEach((a, j) => {
    put(a, n, m + j);
    put(n, a, m + j);
  });
  disc.fill(-1, 0, V);
  let time = 0;
  for (let root = 0; root < V; root++) {
    if (disc[root] !== -1) continue;
    // Iterative DFS: vertex, edge id it was entered by, next neighbour index.
    let top = 0;
    stV[0] = root;
    stVia[0] = -1;
    stNext[0] = adjStart[root]!;
    disc[root] = low[root] = time++;
    while (top >= 0) {
      const v = stV[top]!;
      if (stNext[top]! < adjStart[v + 1]!) {
        const k = stNext[top]!++;
        const w = adjTo[k]!;
        const e = adjEdge[k]!;
        if (e === stVia[top]) continue;
        if (disc[w] === -1) {
          disc[w] = low[w] = time++;
          top++;
          stV[top] = w;
          stVia[top] = e;
          stNext[top] = adjStart[w]!;
        } else if (disc[w]! < low[v]!) low[v] = disc[w]!;
      } else {
        const via = stVia[top]!;
        top--;
        if (top >= 0) {
          const p = stV[top]!;
          if (low[v]! < low[p]!) low[p] = low[v]!;
          if (low[v]! > disc[p]! && via >= 0 && via < m) bridge[via] = 1;
        }
      }
    }
  }
}

/**
 * Whether the molecule can still sanitize, with atoms `open` able to gain bonds (empty: the SMILES
 * ends here, and the answer is exact for rings, kekulization and valence gaps).
 */
export function viable(g: MolGraph, open: readonly number[]): boolean {
  const n = g.tok.length;
  const m = g.bonds.length;
  ensure(n, m + open.length);
  isOpen.fill(0, 0, n);
  for (const a of open) isOpen[a] = 1;
  let frozenAromatic = false;
  for (let a = 0; a < n; a++) {
    const tok = g.tok[a]!;
    const info = ATOM_INFO[tok]!;
    const units = g.units[a]!;
    if (!isOpen[a] && !totalOk(info, units, g.oxo[a]!, g.nonO[a]!)) return false;
    if (!info.aromatic) {
      piOf[a] = -1;
      continue;
    }
    // Bonds only add to an atom's pre-kekulization valence: past the limit, open atoms are lost too.
    if (units + 0.5 * g.arom[a]! > info.accumLimit) return false;
    const code = piCode(tok, units);
    piOf[a] = code;
    if (!isOpen[a]) {
      // A frozen aromatic atom with no total that works is lost whatever the rings.
      if (code === 2) return false;
      frozenAromatic = true;
    }
  }
  // Only frozen aromatic atoms can fail from here on.
  if (!frozenAromatic) return true;
  markBridges(g, open);
  inRing.fill(0, 0, n);
  partStart.fill(0, 0, n + 1);
  for (let i = 0; i < m; i++) {
    if (bridge[i]) continue;
    const b = g.bonds[i]!;
    inRing[b[0]] = inRing[b[1]] = 1;
    if (b[2]) {
      partStart[b[0] + 1]!++;
      partStart[b[1] + 1]!++;
    }
  }
  for (let a = 0; a < n; a++) partStart[a + 1]! += partStart[a]!;
  for (let a = 0; a < n; a++) adjFill[a] = partStart[a]!;
  // Partners in bond order, as the search below has always visited them (its step limit makes the order matter).
  for (let i = 0; i < m; i++) {
    const b = g.bonds[i]!;
    if (bridge[i] || !b[2]) continue;
    partTo[adjFill[b[0]]!++] = b[1];
    partTo[adjFill[b[1]]!++] = b[0];
  }
  // Which aromatic atoms want a π bond: frozen ones must get one, open ones may.
  let nMust = 0;
  for (let a = 0; a < n; a++) {
    wants[a] = 0;
    matched[a] = 0;
    const code = piOf[a]!;
    if (code < 0) continue;
    if (isOpen[a]) {
      if (code !== 0) wants[a] = 1;
      continue;
    }
    if (!inRing[a]) return false;
    if (code === 1) {
      wants[a] = 1;
      must[nMust++] = a;
    }
  }
  if (nMust === 0) return true;
  // Pair every frozen π atom with a neighbour along an aromatic ring bond that wants one too; open
  // atoms not paired here may still pair with atoms to come.
  steps = 0;
  mustCount = nMust;
  return search();
}

let steps = 0;
let mustCount = 0;

/** The pairing search of viable(), on its scratch arrays (a module function: no closure per call). */
function search(): boolean {
  if (++steps > PAIRING_STEPS) return true;
  let best = -1;
  let bestCount = Infinity;
  for (let i = 0; i < mustCount; i++) {
    const a = must[i]!;
    if (matched[a]) continue;
    let c = 0;
    for (let k = partStart[a]!; k < partStart[a + 1]!; k++) {
      const b = partTo[k]!;
      if (wants[b] && !matched[b]) c++;
    }
    if (c < bestCount) {
      best = a;
      bestCount = c;
      if (c === 0) break;
    }
  }
  if (best < 0) return true;
  if (bestCount === 0) return false;
  matched[best] = 1;
  for (let k = partStart[best]!; k < partStart[best + 1]!; k++) {
    const b = partTo[k]!;
    if (!wants[b] || matched[b]) continue;
    matched[b] = 1;
    if (search()) return true;
    matched[b] = 0;
  }
  matched[best] = 0;
  return false;
}
