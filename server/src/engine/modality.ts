// The three modalities UME knows, shared by every engine folder (seq/ detects them, ume/ tokenizes
// and scores them, data/ and training/ carry them): a neutral module, so no folder imports another
// just for this name.

/** lobster's modality names, kept verbatim so users of lobster see the same words. */
export type Modality = 'SMILES' | 'amino_acid' | 'nucleotide';
export const MODALITIES: readonly Modality[] = ['SMILES', 'amino_acid', 'nucleotide'];
