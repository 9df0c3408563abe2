// Writes a MolGraph as a SMILES that RDKit reads back as the same graph: every atom in brackets
// with its hydrogen count and charge (so no valence model is needed here), aromatic atoms in
// lowercase, bonds explicit. It is not canonical: callers hand it to RDKit (`get_mol` +
// `get_smiles`) for the canonical form. Stereo and isotopes are not written (non-isomeric SMILES).

import { adjacency, type MolGraph } from './graph';

const SYMBOLS = (
  '* H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe ' +
  'Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr ' +
  'Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og'
).split(' ');
const ORGANIC_SUBSET = new Set(['B', 'C', 'N', 'O', 'P', 'S', 'F', 'Cl', 'Br', 'I']);
/** Elements SMILES may write aromatic (lowercase). */
const AROMATIC_OK = new Set(['B', 'C', 'N', 'O', 'P', 'S', 'Se', 'As', 'Te', 'Si', 'Ge', 'Sb']);

export function elementSymbol(z: number): string {
  const s = SYMBOLS[z];
  if (s === undefined) throw new Error(`no element with atomic number ${z}`);
  return s;
}

function atomText(g: MolGraph, i: number, hs: number[]): string {
  const a = g.atoms[i]!;
  let sym = elementSymbol(a.z);
  if (a.aromatic && AROMATIC_OK.has(sym)) sym = sym.toLowerCase();
  const h = hs[i]! === 0 ? '' : hs[i]! === 1 ? 'H' : `H${hs[i]}`;
  const c = a.charge === 0 ? '' : a.charge === 1 ? '+' : a.charge === -1 ? '-' : a.charge > 0 ? `+${a.charge}` : `${a.charge}`;
  return `[${sym}${h}${c}]`;
}

function bareText(g: MolGraph, i: number): string {
  const a = g.atoms[i]!;
  const sym = elementSymbol(a.z);
  if (!ORGANIC_SUBSET.has(sym) || a.charge !== 0) throw new Error(`atom ${i} (${sym}${a.charge ? `, charge ${a.charge}` : ''}) cannot be written without brackets`);
  return a.aromatic ? sym.toLowerCase() : sym;
}

function bondText(g: MolGraph, bond: number): string {
  const b = g.bonds[bond]!;
  if (b.aromatic) return ':';
  switch (b.order) {
    case 1:
      return '-';
    case 2:
      return '=';
    case 3:
      return '#';
    case 0:
      return '~';
    default:
      throw new Error(`bond order ${b.order} cannot be written as SMILES`);
  }
}

function ringLabel(n: number): string {
  return n < 10 ? String(n) : `%${n}`;
}

/**
 * SMILES of the atoms `keep` selects, with `hs` hydrogens on each (default: the graph's own).
 * Fragments are joined with ".". Atoms `bare` selects are written without brackets, so RDKit
 * computes their hydrogens itself (organic-subset atoms only). Throws for a bond order SMILES
 * cannot write.
 */
export function writeSmiles(g: MolGraph, keep: (atom: number) => boolean = () => true, hs: number[] = g.atoms.map((a) => a.hs), bare: (atom: number) => boolean = () => false): string {
  const text = (i: number) => (bare(i) ? bareText(g, i) : atomText(g, i, hs));
  const adj = adjacency(g).map((list, i) => (keep(i) ? list.filter(([n]) => keep(n)) : []));
  const visited = new Array<boolean>(g.atoms.length).fill(false);
  const parts: string[] = [];
  for (let root = 0; root < g.atoms.length; root++) {
    if (!keep(root) || visited[root]) continue;
    // Pass 1: a DFS tree; bonds to already-visited atoms that are not the tree parent are ring closures.
    const closures = new Map<number, Array<{ bond: number; other: number }>>();
    const seenBond = new Set<number>();
    const treeChildren = new Map<number, Array<[number, number]>>();
    const dfs = (atom: number) => {
      visited[atom] = true;
      treeChildren.set(atom, []);
      for (const [n, bond] of adj[atom]!) {
        if (seenBond.has(bond)) continue;
        seenBond.add(bond);
        if (visited[n]) {
          // a ring closure: opened at n (visited earlier), closed here
          (closures.get(n) ?? closures.set(n, []).get(n)!).push({ bond, other: atom });
          (closures.get(atom) ?? closures.set(atom, []).get(atom)!).push({ bond, other: n });
        } else {
          treeChildren.get(atom)!.push([n, bond]);
          dfs(n);
        }
      }
    };
    dfs(root);
    // Pass 2: emit, assigning ring digits when a closure opens and freeing them when it closes.
    const free: number[] = [];
    let next = 1;
    const open = new Map<number, number>();
    const emit = (atom: number): string => {
      let s = text(atom);
      for (const { bond } of closures.get(atom) ?? []) {
        const label = open.get(bond);
        if (label === undefined) {
          const l = free.length ? free.sort((a, b) => a - b).shift()! : next++;
          open.set(bond, l);
          s += bondText(g, bond) + ringLabel(l);
        } else {
          s += ringLabel(label);
          open.delete(bond);
          free.push(label);
        }
      }
      const kids = treeChildren.get(atom)!;
      kids.forEach(([child, bond], k) => {
        const branch = bondText(g, bond) + emit(child);
        s += k < kids.length - 1 ? `(${branch})` : branch;
      });
      return s;
    };
    parts.push(emit(root));
  }
  return parts.join('.');
}
