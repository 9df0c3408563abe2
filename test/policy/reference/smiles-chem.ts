// The plain version of engine/policy/tiny/smiles-chem.ts (fresh arrays and Sets per call, the ring
// bonds always computed): the reference its optimised viable() is compared with.

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
// the grammar; here only a frozen atom whose total RDKit refuses (a gap in its valences) is lost.

import { ATOM_INFO, needsPi, totalOk } from '../../../server/src/engine/policy/tiny/smiles-atoms';

export interface MolGraph {
  /** Token id of each atom. */
  readonly tok: readonly number[];
  /** Bond-order units each atom carries (aromatic bonds 1, ring bonds opened but not closed included). */
  readonly units: readonly number[];
  /** Bonds: atom, atom, aromatic. */
  readonly bonds: ReadonlyArray<readonly [number, number, boolean]>;
  readonly oxo: readonly number[];
  readonly nonO: readonly number[];
  readonly arom: readonly number[];
}

export const EMPTY_GRAPH: MolGraph = Object.freeze({ tok: [], units: [], bonds: [], oxo: [], nonO: [], arom: [] });

/** Most backtracking steps of the pairing search; past it the prefix counts as viable. */
const PAIRING_STEPS = 4000;

/** Bridges of the graph plus a virtual atom joined to `open` (bond indices; virtual bonds excluded). */
function bridges(g: MolGraph, open: readonly number[]): Set<number> {
  const n = g.tok.length;
  const V = open.length > 1 ? n + 1 : n;
  const adj: Array<Array<[number, number]>> = Array.from({ length: V }, () => []);
  g.bonds.forEach(([a, b], i) => {
    adj[a]!.push([b, i]);
    adj[b]!.push([a, i]);
  });
  if (V > n) open.forEach((a, j) => {
    adj[a]!.push([n, -1 - j]);
    adj[n]!.push([a, -1 - j]);
  });
  const disc = new Int32Array(V).fill(-1);
  const low = new Int32Array(V);
  const out = new Set<number>();
  let time = 0;
  for (let root = 0; root < V; root++) {
    if (disc[root] !== -1) continue;
    // Iterative DFS: [vertex, edge id it was entered by, next neighbour index].
    const stack: Array<[number, number, number]> = [[root, Number.NaN, 0]];
    disc[root] = low[root] = time++;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, via] = top;
      if (top[2] < adj[v]!.length) {
        const [w, e] = adj[v]![top[2]++]!;
        if (e === via) continue;
        if (disc[w] === -1) {
          disc[w] = low[w] = time++;
          stack.push([w, e, 0]);
        } else low[v] = Math.min(low[v]!, disc[w]!);
      } else {
        stack.pop();
        const parent = stack[stack.length - 1];
        if (parent) {
          low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
          if (low[v]! > disc[parent[0]]! && via >= 0) out.add(via);
        }
      }
    }
  }
  return out;
}

/**
 * Whether the molecule can still sanitize, with atoms `open` able to gain bonds (empty: the SMILES
 * ends here, and the answer is exact for rings, kekulization and valence gaps).
 */
export function viable(g: MolGraph, open: readonly number[]): boolean {
  const n = g.tok.length;
  const isOpen = new Uint8Array(n);
  for (const a of open) isOpen[a] = 1;
  let anyAromatic = false;
  for (let a = 0; a < n; a++) {
    const info = ATOM_INFO[g.tok[a]!]!;
    if (!isOpen[a] && !totalOk(info, g.units[a]!, g.oxo[a]!, g.nonO[a]!)) return false;
    if (g.units[a]! + 0.5 * g.arom[a]! > info.accumLimit) return false;
    if (info.aromatic) anyAromatic = true;
  }
  if (!anyAromatic) return true;
  const br = bridges(g, open);
  const inRing = new Uint8Array(n);
  const partners: number[][] = Array.from({ length: n }, () => []);
  g.bonds.forEach(([a, b, aromatic], i) => {
    if (br.has(i)) return;
    inRing[a] = inRing[b] = 1;
    if (aromatic) {
      partners[a]!.push(b);
      partners[b]!.push(a);
    }
  });
  // Which aromatic atoms want a π bond: frozen ones must get one, open ones may.
  const must: number[] = [];
  const wants = new Uint8Array(n);
  for (let a = 0; a < n; a++) {
    const info = ATOM_INFO[g.tok[a]!]!;
    if (!info.aromatic) continue;
    const pi = needsPi(info, g.units[a]!);
    if (isOpen[a]) {
      if (pi !== false) wants[a] = 1;
      continue;
    }
    if (!inRing[a] || pi === undefined) return false;
    if (pi) {
      wants[a] = 1;
      must.push(a);
    }
  }
  if (must.length === 0) return true;
  // Pair every frozen π atom with a neighbour along an aromatic ring bond that wants one too; open
  // atoms not paired here may still pair with atoms to come.
  const matched = new Uint8Array(n);
  let steps = 0;
  const search = (): boolean => {
    if (++steps > PAIRING_STEPS) return true;
    let best = -1;
    let bestCount = Infinity;
    for (const a of must) {
      if (matched[a]) continue;
      let c = 0;
      for (const b of partners[a]!) if (wants[b] && !matched[b]) c++;
      if (c < bestCount) {
        best = a;
        bestCount = c;
        if (c === 0) break;
      }
    }
    if (best < 0) return true;
    if (bestCount === 0) return false;
    matched[best] = 1;
    for (const b of partners[best]!) {
      if (!wants[b] || matched[b]) continue;
      matched[b] = 1;
      if (search()) return true;
      matched[b] = 0;
    }
    matched[best] = 0;
    return false;
  };
  return search();
}
