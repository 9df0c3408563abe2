// Public API of the sequence engine: find sequences, detect their modality, validate SMILES, and
// analyse whole documents into diagnostics with quick fixes. Import from here, not from the parts.
export type * from './types';
export { MODALITIES } from './types';
export { analyzeDocument, type AnalyzeOptions, type DocumentAnalysis } from './analyze';
export { findSequences, type FindOptions, type FindResult } from './formats/index';
export { LineIndex } from './positions';
export { detectModality, detectWith, detectLobster, detectDefault, readHints, REWARD_TAG, TAG_MODALITY, AMBIGUOUS_BELOW, type DetectOptions } from './detect/index';
export { addRDKitFaultListener, loadRDKit, validateSmiles, RDKIT_MAX_ATOMS, type RDKitValidator, type SmilesValidation, type SmilesValidator, type SmilesFailureKind } from './rdkit';
export { Code, DIAGNOSTIC_CODES, codeInfo, codesMarkdownTable, defaultSeverity, type DiagnosticCodeInfo, type FixKind } from './codes';
