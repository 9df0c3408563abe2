// A molecule as a plain graph, read from RDKit's JSON (MinimalLib `get_json`, rdkitjson v12): what
// the algorithms RDKit.js lacks (Murcko scaffolds, QED's aromatic-ring count) need. Bond orders in
// the JSON are Kekulé orders; aromaticity comes from the rdkitRepresentation extension.

export interface GraphAtom {
  /** Atomic number (0 for a dummy atom "*"). */
  z: number;
  charge: number;
  /** Total hydrogens on the atom (implicit and explicit), as RDKit counts them. */
  hs: number;
  isotope: number;
  /** Unpaired electrons RDKit assigned. */
  radicals: number;
  aromatic: boolean;
  /** Number of SSSR rings the atom is in. */
  rings: number;
}

export interface GraphBond {
  a: number;
  b: number;
  /** 1, 2, 3 (Kekulé), 0 for zero-order or unknown. */
  order: number;
  aromatic: boolean;
}

export interface MolGraph {
  atoms: GraphAtom[];
  bonds: GraphBond[];
  /** SSSR rings as atom-index lists. */
  rings: number[][];
}

interface JsonAtom { z?: number; chg?: number; impHs?: number; isotope?: number; nRad?: number }
interface JsonBond { bo?: number; atoms: [number, number] }
interface JsonMol {
  atoms: JsonAtom[];
  bonds?: JsonBond[];
  extensions?: Array<{ name?: string; aromaticAtoms?: number[]; aromaticBonds?: number[]; atomRings?: number[][] }>;
}
interface RdkitJson {
  defaults?: { atom?: JsonAtom; bond?: { bo?: number } };
  molecules: JsonMol[];
}

/** Parses `mol.get_json()`. Throws on a shape it does not know (a newer rdkitjson, say). */
export function graphFromRdkitJson(text: string): MolGraph {
  const doc = JSON.parse(text) as RdkitJson;
  const mol = doc.molecules?.[0];
  if (!mol || !Array.isArray(mol.atoms)) throw new Error('RDKit JSON without a molecule; is @rdkit/rdkit a version whose get_json writes rdkitjson?');
  const da = doc.defaults?.atom ?? {};
  const db = doc.defaults?.bond ?? {};
  const ext = mol.extensions?.find((e) => e.name === 'rdkitRepresentation') ?? {};
  const aromaticAtoms = new Set(ext.aromaticAtoms ?? []);
  const aromaticBonds = new Set(ext.aromaticBonds ?? []);
  const rings = ext.atomRings ?? [];
  const ringCount = new Array<number>(mol.atoms.length).fill(0);
  for (const r of rings) for (const a of r) ringCount[a]!++;
  const atoms = mol.atoms.map((a, i): GraphAtom => ({
    z: a.z ?? da.z ?? 6,
    charge: a.chg ?? da.chg ?? 0,
    hs: a.impHs ?? da.impHs ?? 0,
    isotope: a.isotope ?? da.isotope ?? 0,
    radicals: a.nRad ?? da.nRad ?? 0,
    aromatic: aromaticAtoms.has(i),
    rings: ringCount[i]!,
  }));
  const bonds = (mol.bonds ?? []).map((b, i): GraphBond => ({ a: b.atoms[0], b: b.atoms[1], order: b.bo ?? db.bo ?? 1, aromatic: aromaticBonds.has(i) }));
  return { atoms, bonds, rings };
}

/** Neighbour lists: for each atom, [neighbour, bond index] pairs in bond order (RDKit's order). */
export function adjacency(g: Pick<MolGraph, 'atoms' | 'bonds'>): Array<Array<[number, number]>> {
  const adj: Array<Array<[number, number]>> = g.atoms.map(() => []);
  g.bonds.forEach((b, i) => {
    adj[b.a]!.push([b.b, i]);
    adj[b.b]!.push([b.a, i]);
  });
  return adj;
}

/** Cycle rank E - V + C of the atoms in `keep` (the size of RDKit's SSSR for that graph). */
export function cycleRank(g: Pick<MolGraph, 'atoms' | 'bonds'>, keep: (atom: number) => boolean): number {
  const parent = g.atoms.map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  let v = 0;
  let e = 0;
  let components = 0;
  g.atoms.forEach((_, i) => {
    if (keep(i)) v++;
  });
  for (const b of g.bonds) {
    if (!keep(b.a) || !keep(b.b)) continue;
    e++;
    const ra = find(b.a);
    const rb = find(b.b);
    if (ra !== rb) parent[ra] = rb;
  }
  g.atoms.forEach((_, i) => {
    if (keep(i) && find(i) === i) components++;
  });
  return e - v + components;
}
