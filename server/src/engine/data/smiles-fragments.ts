// The fragments the synthetic SMILES grammar (smiles-grammar.ts) joins. Every fragment is a valid
// piece of SMILES on its own: it closes every ring it opens and leaves each atom it attaches
// through with a free valence, so any head + links + tail joined by single bonds is a molecule
// RDKit accepts (smiles-grammar.test.ts checks thousands). Only the elements lobster's prompt
// allows appear (C, H, O, N, P, S, F, Cl, Br, I; aromatic c, n, o, s).
//
// - a head starts a molecule and bonds onward through its last atom at branch depth 0;
// - a link is divalent: bonded by its first atom to what precedes, by its last depth-0 atom to
//   what follows;
// - a tail ends a molecule (or fills a branch) and is bonded through its first atom.

/** A fragment and the element class of its two attachment atoms. */
export interface Fragment {
  text: string;
  /** First atom is not carbon (it bonds to what precedes; unused for heads). */
  entryHetero: boolean;
  /** Last atom at branch depth 0 is not carbon (it bonds to what follows; unused for tails). */
  exitHetero: boolean;
}

const ATOM = /Cl|Br|\[[^\]]*\]|[BCNOSPFIcnops]|[()]|./g;

/** Attachment atoms of a fragment, read from its text (so the tables below cannot disagree with it). */
export function fragment(text: string): Fragment {
  const atoms: string[] = [];
  let depth = 0;
  let exit: string | undefined;
  for (const m of text.matchAll(ATOM)) {
    const t = m[0];
    if (t === '(') depth++;
    else if (t === ')') depth--;
    else if (/^(Cl|Br|\[.*\]|[A-Za-z])$/.test(t)) {
      atoms.push(t);
      if (depth === 0) exit = t;
    }
  }
  if (depth !== 0 || atoms.length === 0 || exit === undefined) throw new Error(`bad SMILES fragment "${text}": unbalanced branches or no atom`);
  const isCarbon = (a: string): boolean => a === 'C' || a === 'c';
  return { text, entryHetero: !isCarbon(atoms[0]!), exitHetero: !isCarbon(exit) };
}

export const HEADS: readonly Fragment[] = [
  'C', 'CC', 'CCC', 'CC(C)', 'CC(C)(C)', 'F', 'Cl', 'Br', 'I', 'O', 'N', 'N#C', 'OC(=O)', 'NC(=O)',
  'CC(=O)', 'FC(F)(F)', 'COC(=O)', 'CN(C)', 'NS(=O)(=O)', 'OP(=O)(O)', 'c1ccccc1', 'c1ccncc1',
  'c1ccsc1', 'c1ccoc1', 'C1CC1', 'C1CCCC1', 'C1CCCCC1', 'C1CCOCC1', 'C1CCNCC1', 'COc1ccc(cc1)',
  'Clc1ccc(cc1)', 'Fc1ccc(cc1)', 'c1ccc2ccccc2c1', 'CC(C)(C)OC(=O)',
].map(fragment);

export const LINKS: readonly Fragment[] = [
  'C', 'CC', 'CCC', 'O', 'N', 'S', 'C(=O)', 'C(=O)N', 'NC(=O)', 'C(=O)O', 'OC(=O)', 'C(C)', 'C(C)(C)',
  'C(F)', 'C(O)', 'C(Cl)', 'C(N)', 'N(C)', 'C=C', 'C#C', 'S(=O)(=O)', 'S(=O)(=O)N', 'NC(=O)N',
  'c1ccc(cc1)', 'c1cccc(c1)', 'c1ccc(nc1)', 'c1ccc(s1)', 'C1CCC(CC1)', 'N1CCN(CC1)', 'C1CCN(CC1)',
].map(fragment);

export const TAILS: readonly Fragment[] = [
  'C', 'CC', 'C(C)C', 'C(C)(C)C', 'F', 'Cl', 'Br', 'I', 'O', 'N', 'C#N', 'C(=O)O', 'C(=O)N', 'C(=O)C',
  'C(=O)OC', 'C(F)(F)F', 'OC', 'N(C)C', 'C=C', 'S(=O)(=O)N', 'P(=O)(O)O', 'c1ccccc1', 'c1ccncc1',
  'c1cccs1', 'c1ccco1', 'C1CC1', 'C1CCCC1', 'C1CCCCC1', 'C1CCOCC1', 'N1CCOCC1', 'c1ccc(OC)cc1',
  'c1ccc(F)cc1', 'c1ccc(Cl)cc1', 'c1ccc2ccccc2c1',
].map(fragment);

/** Carbon-only links that pad a molecule to its exact target length. */
export const FILLERS: readonly Fragment[] = ['C', 'CC', 'C(C)', 'C(=O)', 'C=C'].map(fragment);
