// The stable table of diagnostic codes. Codes never change meaning once released; new problems get
// new codes. README's code table, the LSP's settings schema and the CLI all read this table.
import type { Severity } from './types';

/** Ids of quick fixes (QuickFix.kind) the engine can attach to a diagnostic. */
export type FixKind =
  | 'canonicalize-smiles'
  | 'uppercase-protein'
  | 'remove-whitespace-digits'
  | 'wrap-in-tag'
  | 'retag';

export interface DiagnosticCodeInfo {
  code: string;
  /** Short kebab-case name, stable like the code (usable in settings and logs). */
  name: string;
  /** 'file' problems concern the document around the sequences; 'sequence' problems one sequence. */
  scope: 'file' | 'sequence';
  defaultSeverity: Severity;
  /** One line, for tables and hovers. */
  description: string;
  /** Quick fixes offered with this diagnostic (may be empty). */
  fixes: readonly FixKind[];
}

export const DIAGNOSTIC_CODES: readonly DiagnosticCodeInfo[] = [
  // File problems, found by the parsers (engine/seq/formats).
  {
    code: 'UME001', name: 'binary-content-skipped', scope: 'file', defaultSeverity: 'warning',
    description: 'Lines with binary bytes (NUL, control characters) were skipped, or the whole file was if it is mostly binary.', fixes: [],
  },
  {
    code: 'UME002', name: 'unterminated-quoted-field', scope: 'file', defaultSeverity: 'error',
    description: 'A quoted CSV/TSV field is never closed; the rest of the file cannot be read as rows.', fixes: [],
  },
  {
    code: 'UME003', name: 'empty-fasta-record', scope: 'file', defaultSeverity: 'warning',
    description: 'A FASTA header has no sequence lines before the next header or the end of the file.', fixes: [],
  },
  {
    code: 'UME004', name: 'analysis-capped', scope: 'file', defaultSeverity: 'information',
    description: 'The file is larger than the analysis limit; only its beginning was checked.', fixes: [],
  },
  {
    code: 'UME005', name: 'malformed-json-line', scope: 'file', defaultSeverity: 'error',
    description: 'A JSON Lines line (or a JSON document) is not valid JSON; its values were skipped.', fixes: [],
  },
  {
    code: 'UME006', name: 'text-before-first-fasta-header', scope: 'file', defaultSeverity: 'warning',
    description: 'A FASTA file has text before its first ">" header; that text belongs to no record.', fixes: [],
  },
  // Sequence problems, found by detection (engine/seq/detect) and analysis (engine/seq/analyze).
  {
    code: 'UME101', name: 'undetermined-modality', scope: 'sequence', defaultSeverity: 'error',
    description: 'The text is not a valid SMILES, protein or nucleotide sequence; UME cannot score it.', fixes: [],
  },
  {
    code: 'UME102', name: 'ambiguous-modality', scope: 'sequence', defaultSeverity: 'information',
    description: 'The sequence reads as more than one modality (e.g. short ACGT text: DNA or peptide?); the likeliest is used.',
    fixes: ['wrap-in-tag'],
  },
  {
    code: 'UME103', name: 'invalid-smiles', scope: 'sequence', defaultSeverity: 'error',
    description: 'RDKit rejects the SMILES (unclosed ring, unmatched parenthesis, valence, kekulization, syntax).', fixes: [],
  },
  {
    code: 'UME104', name: 'invalid-residue', scope: 'sequence', defaultSeverity: 'error',
    description: 'A character is not a valid residue or base for the detected modality.', fixes: [],
  },
  {
    code: 'UME105', name: 'whitespace-or-digits-in-sequence', scope: 'sequence', defaultSeverity: 'error',
    description: 'Whitespace or digits (e.g. GenBank position numbers) sit inside a protein or nucleotide sequence.',
    fixes: ['remove-whitespace-digits'],
  },
  {
    code: 'UME106', name: 'lowercase-protein', scope: 'sequence', defaultSeverity: 'warning',
    description: 'Lowercase amino acids: UME\'s amino-acid tokenizer is case-sensitive and maps them to <unk>.',
    fixes: ['uppercase-protein'],
  },
  {
    code: 'UME107', name: 'too-short', scope: 'sequence', defaultSeverity: 'error',
    description: 'Shorter than 3 characters; lobster refuses such sequences.', fixes: [],
  },
  {
    code: 'UME108', name: 'non-canonical-smiles', scope: 'sequence', defaultSeverity: 'hint',
    description: 'Valid SMILES that differs from RDKit\'s canonical form; canonical SMILES make scores comparable.',
    fixes: ['canonicalize-smiles'],
  },
  {
    code: 'UME109', name: 'tag-modality-mismatch', scope: 'sequence', defaultSeverity: 'warning',
    description: 'The tag names one modality but the content reads as another.', fixes: ['retag'],
  },
  {
    code: 'UME110', name: 'untagged-completion', scope: 'sequence', defaultSeverity: 'warning',
    description: 'A completion carries no <smiles>/<protein>/<dna> tag; lobster\'s UME reward gives it the -5 penalty.',
    fixes: ['wrap-in-tag'],
  },
  {
    code: 'UME111', name: 'unknown-to-ume-tokenizer', scope: 'sequence', defaultSeverity: 'warning',
    description: 'Characters that UME\'s tokenizer for this modality turns into <unk>.', fixes: [],
  },
  {
    code: 'UME112', name: 'iupac-ambiguity-codes', scope: 'sequence', defaultSeverity: 'information',
    description: 'IUPAC ambiguity codes (R Y S W K M B D H V) in a nucleotide sequence; UME reads them as <unk>.', fixes: [],
  },
  {
    code: 'UME113', name: 'internal-stop', scope: 'sequence', defaultSeverity: 'warning',
    description: 'A stop "*" inside a protein (not at its end): a translation read through a stop codon.', fixes: [],
  },
  {
    code: 'UME114', name: 'rna-in-lobster-mode', scope: 'sequence', defaultSeverity: 'error',
    description: 'RNA (U) is rejected by lobster\'s modality detector; the default mode accepts it.', fixes: [],
  },
  {
    code: 'UME115', name: 'lobster-uppercases-smiles', scope: 'sequence', defaultSeverity: 'warning',
    description: 'lobster uppercases SMILES before use, which destroys aromatic (lowercase) atoms.', fixes: [],
  },
  {
    code: 'UME116', name: 'tag-not-rewarded', scope: 'sequence', defaultSeverity: 'warning',
    description: 'lobster\'s reward accepts only <smiles>, <protein>, <dna>; <amino_acid>, <peptide>, <rna>, <nucleotide> get the penalty.',
    fixes: ['retag'],
  },
];

const BY_CODE: ReadonlyMap<string, DiagnosticCodeInfo> = new Map(DIAGNOSTIC_CODES.map((c) => [c.code, c]));
const BY_NAME: ReadonlyMap<string, DiagnosticCodeInfo> = new Map(DIAGNOSTIC_CODES.map((c) => [c.name, c]));

/** The table entry for a code (or its stable name); undefined for unknown codes. */
export function codeInfo(codeOrName: string): DiagnosticCodeInfo | undefined {
  return BY_CODE.get(codeOrName) ?? BY_NAME.get(codeOrName);
}

/** Default severity of a known code; throws for an unknown one, since that is a programming error. */
export function defaultSeverity(code: string): Severity {
  const info = BY_CODE.get(code);
  if (!info) throw new Error(`Unknown diagnostic code ${code}: add it to DIAGNOSTIC_CODES in engine/seq/codes.ts.`);
  return info.defaultSeverity;
}

/** Named constants so call sites read as words, not numbers. */
export const Code = {
  binaryContentSkipped: 'UME001',
  unterminatedQuotedField: 'UME002',
  emptyFastaRecord: 'UME003',
  analysisCapped: 'UME004',
  malformedJsonLine: 'UME005',
  textBeforeFirstHeader: 'UME006',
  undeterminedModality: 'UME101',
  ambiguousModality: 'UME102',
  invalidSmiles: 'UME103',
  invalidResidue: 'UME104',
  whitespaceOrDigits: 'UME105',
  lowercaseProtein: 'UME106',
  tooShort: 'UME107',
  nonCanonicalSmiles: 'UME108',
  tagModalityMismatch: 'UME109',
  untaggedCompletion: 'UME110',
  unknownToUme: 'UME111',
  iupacAmbiguity: 'UME112',
  internalStop: 'UME113',
  rnaInLobsterMode: 'UME114',
  lobsterUppercasesSmiles: 'UME115',
  unrewardedTag: 'UME116',
} as const;

/** A Markdown table of every code, for README and docs (generated, never hand-edited). */
export function codesMarkdownTable(): string {
  const rows = DIAGNOSTIC_CODES.map(
    (c) => `| ${c.code} | ${c.name} | ${c.defaultSeverity} | ${c.description.replace(/\|/g, '\\|')} | ${c.fixes.join(', ') || '-'} |`,
  );
  return ['| code | name | default severity | meaning | quick fixes |', '|---|---|---|---|---|', ...rows].join('\n');
}
