// lobster's `_detect_modality` (prescient-design/lobster, validate=True), reproduced exactly for users
// who need lobster's answers: strip + uppercase; length < 3 fails; then the first matching rule wins:
//   ^[ATGC]+$ -> nucleotide; ^[ACDEFGHIKLMNPQRSTVWY]+$ -> amino_acid;
//   a SMILES character and one of ()[]=#@ -> SMILES if RDKit parses the UPPERCASED text;
//   ^[CHONSPFIBrCl0-9]+$ (a character class: B, r, C, l are single letters) -> SMILES if valid;
//   anything else fails. Its DNA/protein validations cannot fail after those regexes, so they are omitted.
// Every case where lobster raises gives exactly one error-severity problem here; the other problems
// (UME106, UME115) are warnings about what UME will do with text lobster accepted.
import type { DetectionResult, Modality } from '../types';
import { Code } from '../codes';
import { smilesProblemLead, type SmilesValidator } from '../rdkit';
import { isSpaceOrDigit, pythonStripBounds } from './alphabets';

const DNA = /^[ATGC]+$/;
const AMINO_ACID = /^[ACDEFGHIKLMNPQRSTVWY]+$/;
const SMILES_CHAR = /[CNOSPFIHBrCl()[\]=#@+\-.\\/]/;
const SMILES_STRUCTURE = /[()[\]=#@]/;
const SIMPLE_SMILES = /^[CHONSPFIBrCl0123456789]+$/;

type Problem = DetectionResult['problems'][number];

export function detectLobster(text: string, rdkit: SmilesValidator): DetectionResult {
  const { start, end } = pythonStripBounds(text);
  const core = text.slice(start, end);
  const up = core.toUpperCase();
  // Python counts code points; a few characters also change length when uppercased ("ß" -> "SS"),
  // in which case offsets into `up` no longer line up with the document and the whole span is used.
  const aligned = up.length === core.length;
  const span = (i: number, n: number): { offset: number; length: number } =>
    aligned ? { offset: start + i, length: n } : { offset: start, length: core.length };
  const whole = core.length > 0 ? { offset: start, length: core.length } : { offset: 0, length: text.length };

  const length = [...up].length;
  if (length < 3) {
    return fail([{
      code: Code.tooShort,
      message: `Sequence too short (length ${length}). Minimum length required is 3 characters.`,
      ...whole,
    }]);
  }
  if (DNA.test(up)) return found('nucleotide');
  if (AMINO_ACID.test(up)) {
    const problems: Problem[] = [];
    const lower = firstAndLastLowercase(core);
    if (lower) {
      problems.push({
        code: Code.lowercaseProtein,
        message: "Lowercase amino acids: lobster accepts them, but UME's amino-acid tokenizer is case-sensitive and reads them as <unk>. Uppercase the sequence.",
        offset: start + lower.first,
        length: lower.last - lower.first + 1,
      });
    }
    return found('amino_acid', problems);
  }
  if ((SMILES_CHAR.test(up) && SMILES_STRUCTURE.test(up)) || SIMPLE_SMILES.test(up)) {
    const v = rdkit.validate(up);
    const changed = up !== core;
    if (!v.ok) {
      const where = v.offset !== undefined && v.length !== undefined ? span(v.offset, v.length) : whole;
      const upNote = changed ? ` (lobster validates the uppercased text "${clip(up)}")` : '';
      return fail([{ code: Code.invalidSmiles, message: `${smilesProblemLead(v)}: ${v.reason ?? 'RDKit could not parse it'}${upNote}.`, ...where }]);
    }
    const problems: Problem[] = [];
    if (changed) {
      problems.push({
        code: Code.lobsterUppercasesSmiles,
        message: `lobster uppercases SMILES: it reads "${clip(up)}", not the aromatic "${clip(core)}". Use the default detection mode to keep case.`,
        ...whole,
      });
    }
    // No canonical form: lobster mode never reports UME108, and canonicalizing is ~40% of a check.
    return found('SMILES', problems);
  }
  return fail([explainRejection(core, up, span, whole)]);
}

/** The one error for text lobster cannot place, as specific as we can make it. */
function explainRejection(
  core: string,
  up: string,
  span: (i: number, n: number) => { offset: number; length: number },
  whole: { offset: number; length: number },
): Problem {
  if (/^[ACGTUN]+$/.test(up) && up.includes('U')) {
    const u = up.indexOf('U');
    return {
      code: Code.rnaInLobsterMode,
      message: "RNA (U) is rejected by lobster's modality detector (its DNA pattern is ^[ATGC]+$). Use the default mode, or write T for U.",
      ...span(u, 1),
    };
  }
  // Only with whitespace is it a layout problem (GenBank-style "MKV 10 LLA"); digits alone are more
  // likely SMILES ring closures.
  const stripped = [...up].filter((c) => !isSpaceOrDigit(c.charCodeAt(0))).join('');
  if (/\s/.test(up) && stripped.length >= 3 && (DNA.test(stripped) || AMINO_ACID.test(stripped))) {
    let i = 0;
    while (i < up.length && !isSpaceOrDigit(up.charCodeAt(i))) i++;
    let j = i;
    while (j < up.length && isSpaceOrDigit(up.charCodeAt(j))) j++;
    return {
      code: Code.whitespaceOrDigits,
      message: 'Whitespace or digits inside the sequence: lobster cannot determine its modality. Remove them.',
      ...span(i, j - i),
    };
  }
  const bad = [...up].findIndex((c) => !/[A-Z]/.test(c));
  const badChar = bad >= 0 ? [...core][bad] : undefined;
  return {
    code: Code.undeterminedModality,
    message:
      `Unable to determine modality for sequence (lobster): not ^[ATGC]+$, not the 20 standard amino acids, and not a SMILES` +
      `${badChar !== undefined ? `; first unexpected character '${badChar}'` : ''}` +
      `${up !== core ? `; lobster uppercases first: "${clip(up)}"` : ''}.`,
    ...whole,
  };
}

function found(modality: Modality, problems: Problem[] = []): DetectionResult {
  return { modality, confidence: 1, alternatives: [], problems };
}

function fail(problems: Problem[]): DetectionResult {
  return { modality: null, confidence: 0, alternatives: [], problems };
}

function firstAndLastLowercase(s: string): { first: number; last: number } | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? undefined : { first, last };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
