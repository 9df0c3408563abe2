// The default detector: case-preserving, knows RNA, soft-masked DNA, IUPAC codes, extended amino
// acids, stops and gaps, and reads hints from the context. Each modality that the characters allow
// gets a score = TEMPER * log-likelihood of the composition under that modality + hint log-odds;
// a softmax over the scores gives the confidence and the alternatives. TEMPER < 1 because the
// per-character models are crude: short ACGT-only text ("ACGTAC") stays honestly ambiguous
// instead of being called DNA at 99.99%.
import type { DetectionResult, Modality, SequenceHints } from '../types';
import { Code } from '../codes';
import { smilesProblemLead, type SmilesValidation, type SmilesValidator } from '../rdkit';
import { SMILES_VOCABULARY } from '../../vocab/smiles';
import { IUPAC_AMBIGUITY, UME_SMILES_SPLIT, isSpaceOrDigit, pythonStripBounds } from './alphabets';
import { compose, letterCount, type Composition } from './composition';
import { REWARD_TAG, readHints } from './hints';

type Problem = DetectionResult['problems'][number];

export interface DefaultDetectOptions {
  hints?: SequenceHints;
  /** UME's SMILES vocabulary; bracket atoms outside it are reported as <unk> (UME111). */
  smilesVocabulary?: ReadonlySet<string>;
  /**
   * Compute RDKit's canonical SMILES for UME108 (non-canonical SMILES) and its quick fix (default
   * true). Canonicalizing is ~40% of a SMILES check, so analysis turns it off when UME108 is off.
   */
  canonicalSmiles?: boolean;
}

const TEMPER = 0.25;
/** Below this confidence (and without a tag) the answer is reported as ambiguous (UME102). */
export const AMBIGUOUS_BELOW = 0.95;
/** More than this fraction of characters invalid for every modality: undetermined (UME101). */
const UNDETERMINED_ABOVE = 0.2;
/** Per sequence and code, at most this many located problems; the rest are summarised. */
const MAX_SPANS = 20;

// Residue frequencies of UniProtKB/Swiss-Prot (release statistics), rare codes given small mass.
const AA_FREQ: Readonly<Record<string, number>> = {
  A: 0.0825, R: 0.0553, N: 0.0406, D: 0.0546, C: 0.0138, Q: 0.0393, E: 0.0672, G: 0.0707, H: 0.0227, I: 0.0591,
  L: 0.0965, K: 0.058, M: 0.0241, F: 0.0386, P: 0.0474, S: 0.0665, T: 0.0536, W: 0.011, Y: 0.0292, V: 0.0686,
  X: 0.002, B: 0.0005, Z: 0.0005, U: 0.0002, O: 0.0001,
};
const NUC_FREQ: Readonly<Record<string, number>> = {
  A: 0.245, C: 0.245, G: 0.245, T: 0.245, U: 0.245, N: 0.02,
  ...Object.fromEntries(IUPAC_AMBIGUITY.split('').map((c) => [c, 0.003])),
};
// A rough SMILES character model, used only to weigh letter-only strings (CCN, CCCCCC) that are
// valid SMILES *and* plausible residues; strings with ()[]=# are SMILES-only anyway.
const SMILES_LETTER_FREQ: Readonly<Record<string, number>> = {
  C: 0.3, c: 0.15, O: 0.08, N: 0.07, n: 0.03, o: 0.01, s: 0.01, S: 0.02, F: 0.015, l: 0.01, r: 0.005,
  B: 0.003, P: 0.005, I: 0.003, p: 0.001, b: 0.001,
};
const LOG_DIGIT_IN_BIO = Math.log(0.01);
const LOG_GAP = Math.log(0.01);
const LOG_STOP = Math.log(0.001);

export function detectDefault(text: string, rdkit: SmilesValidator, options: DefaultDetectOptions = {}): DetectionResult {
  const { start, end } = pythonStripBounds(text);
  const core = text.slice(start, end);
  const hints = readHints(options.hints);
  if (core.length === 0) {
    return { modality: null, confidence: 0, alternatives: [], problems: [{ code: Code.tooShort, message: 'Empty sequence.', offset: 0, length: text.length }] };
  }
  const comp = compose(core);
  let smiles: SmilesValidation | undefined;
  const canonical = options.canonicalSmiles !== false;
  const smilesCheck = (): SmilesValidation => (smiles ??= rdkit.validate(core, { canonical }));

  const scores: Partial<Record<Modality, number>> = {};
  const invalid: Partial<Record<Modality, number>> = {};
  // Digits between SMILES atoms with no whitespace are ring closures ("C1CC", "c1ccccc1"), not the
  // position numbers of a GenBank-style listing (which always come with spaces).
  const ringDigits = comp.digits > 0 && comp.spaces === 0 && comp.smilesLexicallyPossible;
  const smilesValid = comp.smilesLexicallyPossible && smilesCheck().ok;
  if (smilesValid) scores.SMILES = TEMPER * smilesLogLik(core) + hints.prior.SMILES;
  // SMILES symbols that RDKit rejects mean a broken SMILES, not a sequence with odd residues.
  const brokenSmiles = !smilesValid && !hints.smilesUnlikely && (ringDigits || (comp.smilesOnly > 0 && comp.spaces === 0));
  if (!ringDigits && !brokenSmiles) {
    const letters = comp.uppercase + comp.lowercase + comp.other + comp.smilesOnly + comp.stops + comp.gaps;
    for (const [m, fit] of [['nucleotide', nucleotideFit(comp)], ['amino_acid', aminoAcidFit(comp)]] as const) {
      if (fit.invalid > 0 && (smilesValid || fit.invalid > UNDETERMINED_ABOVE * letters)) continue;
      scores[m] = TEMPER * fit.ll + hints.prior[m];
      invalid[m] = fit.invalid;
    }
  }

  const ranked = softmax(scores);
  const problems: Problem[] = [];
  const at = (i: number): number => start + i;

  if (ranked.length > 0) {
    const [best, ...rest] = ranked as [{ modality: Modality; confidence: number }, ...Array<{ modality: Modality; confidence: number }>];
    const alternatives = rest.filter((r) => r.confidence >= 0.001);
    if (hints.tagModality && hints.tagModality !== best.modality) {
      const tag = options.hints?.tag ?? REWARD_TAG[hints.tagModality];
      problems.push({
        code: Code.tagModalityMismatch,
        message: `The tag <${tag}> says ${hints.tagModality}, but the content reads as ${best.modality} (${pct(best.confidence)}). Retag it <${REWARD_TAG[best.modality]}>.`,
        offset: start,
        length: core.length,
      });
    } else if (!hints.tagModality && best.confidence < AMBIGUOUS_BELOW && alternatives.length > 0) {
      const others = alternatives.map((a) => `${a.modality} (${pct(a.confidence)})`).join(', ');
      problems.push({
        code: Code.ambiguousModality,
        message: `Ambiguous: reads as ${best.modality} (${pct(best.confidence)}) but also as ${others}. Tag it (<${REWARD_TAG[best.modality]}>..</${REWARD_TAG[best.modality]}>) to say which.`,
        offset: start,
        length: core.length,
      });
    }
    if (invalid[best.modality]) problems.push(...invalidResidues(best.modality, core, at));
    problems.push(...modalityProblems(best.modality, core, comp, smiles, options, at));
    const result: DetectionResult = { modality: best.modality, confidence: round(best.confidence), alternatives: alternatives.map((a) => ({ modality: a.modality, confidence: round(a.confidence) })), problems };
    if (best.modality === 'SMILES' && smiles?.canonical !== undefined) result.canonicalSmiles = smiles.canonical;
    return withLengthCheck(result, core, start);
  }

  // Nothing fits: either a broken SMILES (say exactly why) or text that is no sequence at all.
  if (brokenSmiles || hints.tagModality === 'SMILES' || (comp.smilesOnly > 0 && !hints.tagModality && !hints.smilesUnlikely)) {
    const v = smilesCheck();
    const where = v.offset !== undefined && v.length !== undefined ? { offset: at(v.offset), length: v.length } : { offset: start, length: core.length };
    const reason = comp.spaces > 0 && v.ok ? 'whitespace inside a SMILES: RDKit would read only the text before it' : (v.reason ?? 'RDKit could not parse it');
    problems.push({ code: Code.invalidSmiles, message: `${comp.spaces > 0 && v.ok ? 'Invalid SMILES' : smilesProblemLead(v)}: ${reason}.`, ...where });
    return withLengthCheck({ modality: 'SMILES', confidence: 0.5, alternatives: [], problems }, core, start);
  }
  problems.push({
    code: Code.undeterminedModality,
    message: `Not a SMILES, protein or nucleotide sequence: ${describeMisfit(comp)}.`,
    offset: start,
    length: core.length,
  });
  return withLengthCheck({ modality: null, confidence: 0, alternatives: [], problems }, core, start);
}

// ---- per-modality log-likelihoods (undefined: a character the modality cannot contain) ----

/** Log-likelihood under a residue model, with characters the model cannot emit counted apart. */
interface BioFit {
  ll: number;
  invalid: number;
}

const LOG_INVALID = Math.log(1e-4);

/** log(frequency) per letter A..Z; NaN where the modality has no such letter. */
function logTable(freq: Readonly<Record<string, number>>): Float64Array {
  const t = new Float64Array(26).fill(NaN);
  for (const [ch, f] of Object.entries(freq)) t[ch.charCodeAt(0) - 65] = Math.log(f);
  return t;
}
const NUC_LOG = logTable(NUC_FREQ);
const AA_LOG = logTable(AA_FREQ);

function residueFit(c: Composition, logFreq: Float64Array, extraInvalid: number): BioFit {
  let ll = 0;
  let invalid = c.smilesOnly + c.other + extraInvalid;
  for (let k = 0; k < 26; k++) {
    const n = c.letters[k] as number;
    if (n === 0) continue;
    const lf = logFreq[k] as number;
    if (Number.isNaN(lf)) invalid += n;
    else ll += n * lf;
  }
  return { ll: ll + invalid * LOG_INVALID + c.digits * LOG_DIGIT_IN_BIO + c.gaps * LOG_GAP, invalid };
}

function nucleotideFit(c: Composition): BioFit {
  const fit = residueFit(c, NUC_LOG, c.stops);
  // Both T and U in one sequence is unusual for either DNA or RNA.
  if (letterCount(c, 'T') > 0 && letterCount(c, 'U') > 0) fit.ll += Math.log(0.01);
  return fit;
}

function aminoAcidFit(c: Composition): BioFit {
  const fit = residueFit(c, AA_LOG, 0);
  // Proteins are written in uppercase; mixed or lower case is a strong sign of (soft-masked) DNA.
  if (c.lowercase > 0) fit.ll += Math.log(0.2);
  fit.ll += c.stops * LOG_STOP;
  return fit;
}

function smilesLogLik(s: string): number {
  let ll = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const f = SMILES_LETTER_FREQ[ch];
    if (f !== undefined) ll += Math.log(f);
    else if (ch >= '0' && ch <= '9') ll += Math.log(0.02);
    else ll += Math.log(0.03); // structure characters; only SMILES is possible then anyway
  }
  return ll;
}

function softmax(scores: Partial<Record<Modality, number>>): Array<{ modality: Modality; confidence: number }> {
  const entries = Object.entries(scores) as Array<[Modality, number]>;
  if (entries.length === 0) return [];
  const max = Math.max(...entries.map(([, s]) => s));
  const exps = entries.map(([m, s]) => [m, Math.exp(s - max)] as const);
  const sum = exps.reduce((a, [, e]) => a + e, 0);
  return exps.map(([modality, e]) => ({ modality, confidence: e / sum })).sort((a, b) => b.confidence - a.confidence);
}

// ---- when nothing fits ----

function describeMisfit(c: Composition): string {
  const parts: string[] = [];
  if (c.other > 0) parts.push(`${c.other} character(s) that no modality uses`);
  if (c.smilesOnly > 0 && c.spaces > 0) parts.push('SMILES symbols mixed with whitespace');
  const total = c.uppercase + c.lowercase;
  if (parts.length === 0) parts.push(`too many letters outside both the nucleotide and the amino-acid alphabets (${total} letters)`);
  return parts.join('; ');
}

function invalidResidues(m: Modality, core: string, at: (i: number) => number): Problem[] {
  const freq = m === 'nucleotide' ? NUC_FREQ : AA_FREQ;
  const ok = (ch: string): boolean =>
    freq[ch.toUpperCase()] !== undefined || ch === '-' || ch === '.' || (m === 'amino_acid' && ch === '*') || isSpaceOrDigit(ch.charCodeAt(0));
  const name = m === 'nucleotide' ? 'nucleotide' : 'amino-acid';
  return spans(core, (i) => !ok(core[i] as string), at, Code.invalidResidue, (s) =>
    `'${s}' is not a valid ${name} code${m === 'nucleotide' ? ' (A C G T U, N, IUPAC R Y S W K M B D H V, gaps - .)' : ' (20 standard, X B Z U O, stop *, gaps - .)'}.`,
  );
}

// ---- problems that depend on the modality chosen ----

function modalityProblems(
  m: Modality,
  core: string,
  c: Composition,
  smiles: SmilesValidation | undefined,
  options: DefaultDetectOptions,
  at: (i: number) => number,
): Problem[] {
  const out: Problem[] = [];
  if (m === 'SMILES') {
    if (smiles?.ok && smiles.canonical !== undefined && smiles.canonical !== core) {
      out.push({ code: Code.nonCanonicalSmiles, message: `Not in RDKit's canonical form; canonical: ${smiles.canonical}`, offset: at(0), length: core.length });
    }
    if (smiles?.ok) out.push(...smilesUnknownTokens(core, options.smilesVocabulary ?? SMILES_VOCABULARY, at));
    return out;
  }
  if (c.spaces + c.digits > 0) {
    out.push(...spans(core, (i) => isSpaceOrDigit(core.charCodeAt(i)), at, Code.whitespaceOrDigits, () =>
      'Whitespace or digits inside the sequence: they are not residues. Remove them.',
    ));
  }
  if (m === 'amino_acid') {
    if (c.lowercase > 0) {
      const first = core.search(/[a-z]/);
      let last = core.length - 1;
      while (last > first && !/[a-z]/.test(core[last] as string)) last--;
      out.push({
        code: Code.lowercaseProtein,
        message: "Lowercase amino acids: UME's amino-acid tokenizer is case-sensitive and reads them as <unk>. Uppercase the sequence.",
        offset: at(first),
        length: last - first + 1,
      });
    }
    if (c.stops > 0) {
      const lastResidue = lastNonStopIndex(core);
      out.push(...spans(core, (i) => core[i] === '*' && i < lastResidue, at, Code.internalStop, () =>
        'Stop "*" inside the protein: the translation reads through a stop codon.',
      ));
      out.push(...spans(core, (i) => core[i] === '*' && i > lastResidue, at, Code.unknownToUme, () =>
        "Terminal stop '*' is not in UME's amino-acid vocabulary; it becomes <unk>. Drop it before scoring.",
      ));
    }
  } else if (m === 'nucleotide') {
    const iupac = new Set(IUPAC_AMBIGUITY);
    out.push(...spans(core, (i) => iupac.has((core[i] as string).toUpperCase()), at, Code.iupacAmbiguity, (s) =>
      `IUPAC ambiguity code${s.length > 1 ? 's' : ''} '${s}': UME's nucleotide vocabulary has only a c g t u n, so ${s.length > 1 ? 'they become' : 'it becomes'} <unk>.`,
    ));
  }
  return out;
}

function lastNonStopIndex(s: string): number {
  let i = s.length - 1;
  while (i >= 0 && s[i] === '*') i--;
  return i;
}

/** UME111 for a valid SMILES: text UME's split regex skips, and bracket atoms missing from its vocabulary. */
function smilesUnknownTokens(core: string, vocab: ReadonlySet<string> | undefined, at: (i: number) => number): Problem[] {
  const out: Problem[] = [];
  let covered = 0;
  const re = new RegExp(UME_SMILES_SPLIT.source, 'g');
  const push = (offset: number, length: number, what: string): void => {
    if (out.length < MAX_SPANS) out.push({ code: Code.unknownToUme, message: `${what} is not in UME's SMILES vocabulary; it becomes <unk>.`, offset: at(offset), length });
  };
  for (let m = re.exec(core); m; m = re.exec(core)) {
    if (m.index > covered) push(covered, m.index - covered, `'${core.slice(covered, m.index)}'`);
    const tok = m[0];
    if (vocab && tok.startsWith('[') && !vocab.has(tok)) push(m.index, tok.length, `Bracket atom ${tok}`);
    covered = m.index + tok.length;
  }
  if (covered < core.length) push(covered, core.length - covered, `'${core.slice(covered)}'`);
  return out;
}

/** Runs of characters matching `hit`, one problem per run, capped with a summary. */
function spans(
  core: string,
  hit: (i: number) => boolean,
  at: (i: number) => number,
  code: string,
  message: (run: string) => string,
): Problem[] {
  const out: Problem[] = [];
  let runs = 0;
  for (let i = 0; i < core.length; i++) {
    if (!hit(i)) continue;
    let j = i + 1;
    while (j < core.length && hit(j)) j++;
    runs++;
    if (out.length < MAX_SPANS) out.push({ code, message: message(core.slice(i, j)), offset: at(i), length: j - i });
    i = j - 1;
  }
  if (runs > MAX_SPANS) {
    const last = out[out.length - 1] as Problem;
    last.message += ` (${runs - MAX_SPANS + 1} such places from here to the end of the sequence; only the first ${MAX_SPANS} are marked.)`;
  }
  return out;
}

function withLengthCheck(r: DetectionResult, core: string, start: number): DetectionResult {
  // Code points, as Python counts; only short strings can fall under the limit.
  const n = core.length < 6 ? [...core].length : core.length;
  if (n < 3) {
    r.problems.unshift({ code: Code.tooShort, message: `Sequence too short (length ${n}); at least 3 characters are needed.`, offset: start, length: core.length });
  }
  return r;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
