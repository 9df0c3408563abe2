// Document analysis: parsers find the sequences, detection reads each one, and this module turns
// the findings into diagnostics with document ranges and quick fixes with real text edits. The
// language server, the CLI and the analyze request all call analyzeDocument, so they agree.
import type { DetectionMode, DetectionResult, Modality, QuickFix, SequenceDiagnostic, SequenceOccurrence, SequenceReport, Severity } from './types';
import { Code, codeInfo } from './codes';
import { findSequences, type FindOptions } from './formats/index';
import { loadRDKit, type RDKitValidator } from './rdkit';
import { detectWith } from './detect/index';
import { REWARD_TAG, TAG_MODALITY } from './detect/hints';
import { isSpaceOrDigit } from './detect/alphabets';
import { DocumentEditor } from './fix-edits';

export interface AnalyzeOptions extends FindOptions {
  mode: DetectionMode;
  /** Per code (or code name): a severity, or 'off' to drop the diagnostic. */
  severityOverrides?: Record<string, Severity | 'off'>;
  /** UME's SMILES vocabulary, for <unk> bracket atoms (default mode). */
  smilesVocabulary?: ReadonlySet<string>;
  /** Polled between chunks of sequences; true stops the analysis early (the caller discards it). */
  isCancelled?: () => boolean;
  /** The SMILES validator (default: the shared one); tests and the fuzz pass their own. */
  rdkit?: RDKitValidator;
}

/**
 * Longest stretch of detection between two yields to the event loop, so the language server keeps
 * answering while a big document is analysed; the clock is read every CLOCK_EVERY sequences (one
 * sequence takes ~2-50 us, a 300-atom SMILES a few ms).
 */
const YIELD_AFTER_MS = 20;
const CLOCK_EVERY = 16;

export interface DocumentAnalysis {
  reports: SequenceReport[];
  fileDiagnostics: SequenceDiagnostic[];
  truncated: boolean;
}

type Problem = DetectionResult['problems'][number];

export async function analyzeDocument(text: string, options: AnalyzeOptions): Promise<DocumentAnalysis> {
  const rdkit = options.rdkit ?? (await loadRDKit());
  const found = findSequences(text, options);
  // Parsers report ranges in the text without a byte-order mark; edits must use the same text.
  const doc = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const editor = new DocumentEditor(doc, isJsonDocument(options));
  const severity = severityResolver(options.severityOverrides);
  // Canonical SMILES serve only UME108 and its quick fix; skip canonicalizing when it is off.
  const canonicalSmiles = severity(Code.nonCanonicalSmiles) !== 'off';

  const reports: SequenceReport[] = [];
  let sliceStart = performance.now();
  for (const [index, occurrence] of found.occurrences.entries()) {
    if (index % CLOCK_EVERY === 0 && performance.now() - sliceStart > YIELD_AFTER_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      if (options.isCancelled?.()) break;
      sliceStart = performance.now();
    }
    const detect = () =>
      detectWith(rdkit, occurrence.text, {
        mode: options.mode,
        hints: occurrence.hints,
        ...(options.smilesVocabulary ? { smilesVocabulary: options.smilesVocabulary } : {}),
        canonicalSmiles,
      });
    // After an RDKit crash its replacement may still be loading; such answers are not kept: the
    // sequence is detected again once RDKit is back, so nothing is lost.
    let unavailable = rdkit.stats.unavailable;
    let detection = detect();
    while (rdkit.stats.unavailable !== unavailable) {
      await rdkit.ready();
      unavailable = rdkit.stats.unavailable;
      detection = detect();
    }
    const problems = [...detection.problems, ...contextProblems(occurrence, detection, options.mode)];
    const diagnostics: SequenceDiagnostic[] = [];
    // Fixes depend on the code only (each rewrites the whole sequence), so the 20 located UME105
    // problems of one long sequence share one fix instead of rewriting 3 MB twenty times.
    const fixesByCode = new Map<string, QuickFix[]>();
    for (const p of problems) {
      const sev = severity(p.code, p.severity);
      if (sev === 'off') continue;
      const d: SequenceDiagnostic = { code: p.code, severity: sev, message: p.message, range: editor.rangeOf(occurrence, p.offset, p.length) };
      let fixes = fixesByCode.get(p.code);
      if (!fixes) fixesByCode.set(p.code, (fixes = fixesFor(p, occurrence, detection, editor)));
      if (fixes.length > 0) d.fixes = fixes;
      diagnostics.push(d);
    }
    if (diagnostics.length > 1) diagnostics.sort(byStart);
    reports.push({ occurrence, detection, diagnostics });
  }

  const fileDiagnostics: SequenceDiagnostic[] = [];
  for (const d of found.fileProblems) {
    const sev = severity(d.code, d.severity);
    if (sev !== 'off') fileDiagnostics.push(sev === d.severity ? d : { ...d, severity: sev });
  }
  return { reports, fileDiagnostics, truncated: found.truncated };
}

/** Problems that come from where the sequence sits (tags, completions), not from its characters. */
function contextProblems(occ: SequenceOccurrence, det: DetectionResult, mode: DetectionMode): Problem[] {
  const out: Problem[] = [];
  const whole = { offset: 0, length: occ.text.length };
  const tag = occ.hints.tag?.toLowerCase();
  if (tag) {
    const tagModality = TAG_MODALITY[tag];
    // The default detector weighs the tag itself and reports a mismatch; lobster's does not look.
    if (mode === 'lobster' && tagModality && det.modality && det.modality !== tagModality) {
      out.push({
        code: Code.tagModalityMismatch,
        message: `The tag <${tag}> says ${tagModality}, but lobster's detector reads the content as ${det.modality}. Retag it <${REWARD_TAG[det.modality]}>.`,
        ...whole,
      });
    }
    const rewardTag = det.modality ? REWARD_TAG[det.modality] : tagModality ? REWARD_TAG[tagModality] : undefined;
    if (tagModality && tagModality === (det.modality ?? tagModality) && rewardTag && tag !== rewardTag) {
      out.push({
        code: Code.unrewardedTag,
        message: `lobster's UME reward reads only <smiles>, <protein> and <dna>; a completion tagged <${tag}> gets the -5 penalty. Use <${rewardTag}>.`,
        ...whole,
      });
    }
  } else if (occ.hints.column === 'completion') {
    const how = det.modality ? ` Wrap it in <${REWARD_TAG[det.modality]}>..</${REWARD_TAG[det.modality]}>.` : '';
    out.push({
      code: Code.untaggedCompletion,
      message: `Untagged completion: lobster's UME reward scores only text inside <smiles>, <protein> or <dna> tags and gives this the -5 penalty.${how}`,
      ...whole,
    });
  }
  return out;
}

function fixesFor(p: Problem, occ: SequenceOccurrence, det: DetectionResult, editor: DocumentEditor): QuickFix[] {
  const fixes: QuickFix[] = [];
  const add = (f: QuickFix | undefined): void => {
    if (f && f.edits.length > 0) fixes.push(f);
  };
  switch (p.code) {
    case Code.nonCanonicalSmiles:
      if (det.canonicalSmiles !== undefined) {
        add({ title: `Canonicalize SMILES (RDKit): ${clip(det.canonicalSmiles)}`, kind: 'canonicalize-smiles', edits: editor.replaceWhole(occ, det.canonicalSmiles), isPreferred: true });
      }
      break;
    case Code.lowercaseProtein:
      add({ title: 'Uppercase the protein sequence', kind: 'uppercase-protein', edits: editor.transform(occ, (s) => s.toUpperCase()), isPreferred: true });
      break;
    case Code.whitespaceOrDigits:
      add({ title: 'Remove whitespace and digits inside the sequence', kind: 'remove-whitespace-digits', edits: editor.transform(occ, removeSpacesAndDigits), isPreferred: true });
      break;
    case Code.untaggedCompletion:
      if (det.modality) add(wrapFix(editor, occ, det.modality, true));
      break;
    case Code.ambiguousModality:
      if (occ.format === 'plain' || occ.format === 'json' || occ.format === 'jsonl') {
        const candidates: Modality[] = [...(det.modality ? [det.modality] : []), ...det.alternatives.map((a) => a.modality)];
        candidates.forEach((m, i) => add(wrapFix(editor, occ, m, i === 0)));
      }
      break;
    case Code.tagModalityMismatch:
    case Code.unrewardedTag:
      if (det.modality && occ.hints.tag) {
        const to = REWARD_TAG[det.modality];
        const edits = editor.retag(occ, occ.hints.tag, to);
        if (edits) add({ title: `Retag as <${to}>`, kind: 'retag', edits, isPreferred: true });
      }
      break;
  }
  return fixes;
}

function byStart(a: SequenceDiagnostic, b: SequenceDiagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

function wrapFix(editor: DocumentEditor, occ: SequenceOccurrence, m: Modality, preferred: boolean): QuickFix {
  const tag = REWARD_TAG[m];
  return { title: `Mark as ${m}: wrap in <${tag}>..</${tag}>`, kind: 'wrap-in-tag', edits: editor.wrap(occ, tag), isPreferred: preferred };
}

/**
 * The kept runs are sliced and joined once: appending character by character built a rope of
 * millions of one-character strings for a 3 MB sequence (15 s, 12 of them in the garbage collector,
 * and gigabytes of RSS: found by the fuzz).
 */
export function removeSpacesAndDigits(s: string): string {
  const parts: string[] = [];
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    if (!isSpaceOrDigit(s.charCodeAt(i))) continue;
    if (i > run) parts.push(s.slice(run, i));
    run = i + 1;
  }
  if (run === 0) return s;
  if (s.length > run) parts.push(s.slice(run));
  return parts.join('');
}

function severityResolver(overrides: Record<string, Severity | 'off'> | undefined): (code: string, own?: Severity) => Severity | 'off' {
  const byCode = new Map<string, Severity | 'off'>();
  for (const [key, value] of Object.entries(overrides ?? {})) {
    const info = codeInfo(key);
    if (info) byCode.set(info.code, value);
  }
  return (code, own) => byCode.get(code) ?? own ?? codeInfo(code)?.defaultSeverity ?? 'warning';
}

function isJsonDocument(o: FindOptions): boolean {
  const ext = o.extension?.toLowerCase();
  const lang = o.languageId?.toLowerCase();
  return ext === '.json' || ext === '.jsonl' || ext === '.ndjson' || lang === 'json' || lang === 'jsonl' || lang === 'jsonc';
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

