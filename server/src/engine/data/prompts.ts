// lobster's one instruction prompt per modality (examples/generate_synthetic_dataset.py), with two
// changes: the protein prompt asks for <protein> tags (lobster's asks for <amino_acid>, which its
// own reward rejects as untagged), and the runs of spaces its Python line continuations left inside
// the strings are collapsed to one space. The lengths the prompts ask for are lobster's words.

import type { Modality } from '../modality';

export const SYNTHETIC_PROMPTS: Readonly<Record<Modality, string>> = {
  SMILES:
    'Generate a valid SMILES string representing a small organic molecule. The molecule should be at least 10 characters long. ' +
    'You MUST only use the following atoms: C, H, O, N, P, S, F, Cl, Br, I. You MUST produce valid SMILES strings. ' +
    'Generate only one SMILES string and nothing else. You MUST enclose the SMILES string in <smiles> and </smiles> tags.',
  amino_acid:
    'Generate a valid amino acid sequence using one-letter codes. The sequence should be at least 10 characters long. ' +
    'You MUST only use the following amino acids: A, C, D, E, F, G, H, I, K, L, M, N, P, Q, R, S, T, V, W, Y. ' +
    'There must be no other characters in the sequence. Generate only one amino acid sequence and nothing else. ' +
    'You MUST enclose the amino acid sequence in <protein> and </protein> tags.',
  nucleotide:
    'Generate a valid DNA sequence using A, T, G, C. The sequence should be at least 20 characters long. ' +
    'You MUST only use the following nucleotides: A, T, G, C. There must be no other characters in the sequence. ' +
    'Generate only one DNA sequence and nothing else. You MUST enclose the DNA sequence in <dna> and </dna> tags.',
};

/** lobster's completion lengths, inclusive (random.randint bounds). */
export const SYNTHETIC_LENGTHS: Readonly<Record<Modality, readonly [number, number]>> = {
  SMILES: [10, 50],
  amino_acid: [20, 100],
  nucleotide: [50, 200],
};
