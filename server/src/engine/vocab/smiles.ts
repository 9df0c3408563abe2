// UME's SMILES vocabulary and pre-tokenizer split, from the vendored tokenizer data beside this
// file. seq/ needs them (a bracket atom UME reads as <unk> gets a diagnostic) and ume/tokenizer
// needs them to tokenize; here, neutral, so seq/ does not import ume/.

import { UME_SMILES_PATTERN, UME_TOKENS } from './vocab.generated';

/** Ids of the SMILES tokens in UME's shared 1280-id space (inclusive). */
export const SMILES_ID_RANGE: readonly [number, number] = [52, 1271];

/** Every token of UME's SMILES vocabulary (for the "unknown to UME" diagnostic). */
export const SMILES_VOCABULARY: ReadonlySet<string> = new Set(UME_TOKENS.slice(SMILES_ID_RANGE[0], SMILES_ID_RANGE[1] + 1));

/** UME's SMILES pre-tokenizer split (global regex; clone it before use with exec loops). */
export const SMILES_SPLIT = new RegExp(UME_SMILES_PATTERN, 'g');
