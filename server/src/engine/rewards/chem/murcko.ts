// Bemis-Murcko scaffolds, as RDKit's MurckoScaffold.GetScaffoldForMol computes them (C++
// ChemTransforms MurckoDecompose), for RDKit.js, which has no Murcko function:
// - keep every ring atom and every atom on a path between two ring atoms (the linkers);
//   equivalently, strip non-ring atoms that are leaves until none is left;
// - an atom that would go but is DOUBLE-bonded to a kept atom stays (exocyclic C=O, C=N ...);
// - a kept atom that loses a neighbour gets RDKit's fix-ups: an aromatic heteroatom or aromatic
//   carbocation gets one explicit H ("Cn1cccc1" -> "c1cc[nH]c1"); otherwise its hydrogens are
//   recomputed from RDKit's valence rules.
// MakeScaffoldGeneric: every atom carbon, every bond single, hydrogens recomputed.
// The output is SMILES for RDKit to canonicalize (see molecule.ts); hydrogens RDKit would
// recompute are left to RDKit by writing those atoms without brackets. Stereo is not kept.

import { adjacency, type MolGraph } from './graph';
import { writeSmiles } from './smiles-writer';

const ORGANIC_SUBSET = new Set([5, 6, 7, 8, 9, 15, 16, 17, 35, 53]);
/** RDKit's allowed valences of the neutral atoms whose hydrogens may be recomputed here. */
const VALENCES: Record<number, number[]> = {
  1: [1], 3: [1], 5: [3], 6: [4], 7: [3], 8: [2], 9: [1], 11: [1], 12: [2], 13: [3, 6], 14: [4, 6], 19: [1], 20: [2], 15: [3, 5, 7], 16: [2, 4, 6], 17: [1], 32: [4], 33: [3, 5, 7], 34: [2, 4, 6], 35: [1], 50: [2, 4], 51: [3, 5, 7], 52: [2, 4, 6], 53: [1, 3, 5], 82: [2, 4], 83: [3, 5], 85: [1],
};

/** Hydrogens RDKit gives a neutral atom of explicit (Kekulé) valence v: the next allowed valence minus v. */
function defaultHs(z: number, v: number): number | undefined {
  const list = VALENCES[z];
  if (!list) return undefined;
  const target = list.find((x) => x >= v);
  return target === undefined ? 0 : target - v;
}

export interface ScaffoldParts {
  /** Atoms of the scaffold. */
  atoms: boolean[];
  /** Hydrogens per atom (for atoms written in brackets). */
  hs: number[];
  /** Atoms to write without brackets (RDKit computes their hydrogens). */
  bare: boolean[];
}

/** Which atoms form the Murcko scaffold, and how to write them. No ring: an empty scaffold. */
export function murckoParts(g: MolGraph): ScaffoldParts {
  const n = g.atoms.length;
  const adj = adjacency(g);
  const keep = g.atoms.map((a) => a.rings > 0);
  // Prune non-ring leaves until only linkers between ring atoms are left.
  const degree = adj.map((l) => l.length);
  const alive = new Array<boolean>(n).fill(true);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (!keep[i] && degree[i]! <= 1) queue.push(i);
  while (queue.length) {
    const i = queue.pop()!;
    if (!alive[i]) continue;
    alive[i] = false;
    for (const [nb] of adj[i]!) {
      if (!alive[nb]) continue;
      degree[nb]!--;
      if (!keep[nb] && degree[nb]! <= 1) queue.push(nb);
    }
  }
  for (let i = 0; i < n; i++) if (alive[i]) keep[i] = true;

  const inScaffold = keep.slice();
  const aromaticH = new Array<boolean>(n).fill(false);
  const removed = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    if (keep[i]) continue;
    let removeIt = true;
    for (const [nb, bond] of adj[i]!) {
      if (!keep[nb]) continue;
      const b = g.bonds[bond]!;
      const nbr = g.atoms[nb]!;
      if (!b.aromatic && b.order === 2) {
        removeIt = false;
        break;
      }
      if (nbr.aromatic && (nbr.z !== 6 || nbr.charge === 1)) aromaticH[nb] = true;
    }
    if (removeIt) removed[i] = true;
    else inScaffold[i] = true;
  }
  const lost = new Array<number>(n).fill(0);
  const valence = new Array<number>(n).fill(0);
  for (const b of g.bonds) {
    if (removed[b.a] && !removed[b.b]) lost[b.b]! += b.order;
    if (removed[b.b] && !removed[b.a]) lost[b.a]! += b.order;
    if (!removed[b.a] && !removed[b.b]) {
      valence[b.a]! += b.order;
      valence[b.b]! += b.order;
    }
  }
  const hs = g.atoms.map((a) => a.hs);
  const bare = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    if (!inScaffold[i]) continue;
    const a = g.atoms[i]!;
    const plain = ORGANIC_SUBSET.has(a.z) && a.charge === 0;
    if (aromaticH[i]) {
      hs[i] = 1;
    } else if (lost[i]! > 0 && keep[i]) {
      // RDKit recomputes this atom's hydrogens (its implicit-H flags are reset).
      if (plain) bare[i] = true;
      else if (a.charge !== 0) hs[i] = VALENCES[a.z] && !a.aromatic ? a.hs + lost[i]! : a.aromatic ? a.hs : 0;
      else hs[i] = defaultHs(a.z, valence[i]!) ?? 0;
    } else if (lost[i]! > 0) {
      // Kept by a double bond: hydrogens recomputed unless the atom was written in brackets.
      if (plain && a.isotope === 0) bare[i] = true;
    } else if (plain && a.isotope === 0 && (!a.aromatic || a.z === 6 || a.hs === 0) && defaultHs(a.z, valence[i]! + 0) === a.hs) {
      bare[i] = true; // unchanged and at its default valence: let RDKit write it as it would
    }
  }
  return { atoms: inScaffold, hs, bare };
}

/** SMILES of the Murcko scaffold, for RDKit to canonicalize ('' when the molecule has no ring). */
export function murckoSmiles(g: MolGraph): string {
  const p = murckoParts(g);
  return writeSmiles(g, (i) => p.atoms[i]!, p.hs, (i) => p.bare[i]!);
}

/** SMILES of the generic (topological) scaffold: all carbons, all single bonds. */
export function genericMurckoSmiles(g: MolGraph): string {
  const p = murckoParts(g);
  const generic: MolGraph = {
    atoms: g.atoms.map((a) => ({ ...a, z: a.z === 1 ? 1 : 6, aromatic: false, charge: 0 })),
    bonds: g.bonds.map((b) => ({ ...b, order: 1, aromatic: false })),
    rings: g.rings,
  };
  // MakeScaffoldGeneric resets charges and hydrogens but not radicals: a carbon that was a
  // radical (a Cu(II), an iodine radical) keeps its unpaired electrons, so fewer hydrogens.
  const keep = (i: number) => p.atoms[i]! && generic.atoms[i]!.z !== 1;
  const degree = new Array<number>(g.atoms.length).fill(0);
  for (const b of g.bonds) {
    if (keep(b.a) && keep(b.b)) {
      degree[b.a]!++;
      degree[b.b]!++;
    }
  }
  const hs = g.atoms.map((a, i) => Math.max(0, 4 - degree[i]! - a.radicals));
  return writeSmiles(generic, keep, hs, (i) => g.atoms[i]!.radicals === 0);
}
