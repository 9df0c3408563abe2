// `ume-studio detect FILE...`: find every sequence, detect its modality and report problems, with
// the same engine and codes as the editor. Human-readable by default, JSON Lines with --json.

import { stat } from 'node:fs/promises';
import { analyzeDocument } from '../../engine/seq/index';
import { DEFAULT_MIN_PLAIN_LENGTH } from '../../engine/seq/formats/index';
import { codeInfo } from '../../engine/seq/index';
import type { DetectionMode } from '../../engine/seq/types';
import { summarize, toDetectRecords, type DetectRecord } from '../../protocol/detect-record';
import { DETECTION_MODES, SEVERITY_OVERRIDES, type SeverityOverride } from '../../protocol/settings';
import { choiceOption, intOption, numberOption, parse } from '../args';
import { formatHumanRecord, formatHumanSummary } from '../format-human';
import { ExitCode, UsageError, type CliIO, type Subcommand } from '../registry';
import { checkStdinOnce, FORMAT_HELP, INPUT_FORMATS, inputExtension, readInput, STDIN, type InputFormat } from '../input';

const NAME = 'detect';

const HELP = `Usage: ume-studio detect FILE... [options]

Finds the sequences in each file (FASTA, .smi, CSV/TSV, JSON/JSONL, tagged and plain text),
detects their modality (SMILES, amino_acid, nucleotide) and reports problems with stable codes.

Options:
  --json                 JSON Lines, one object per sequence:
                         {"file","id","range":{"start":{"line","character"},"end":{...}},"text",
                          "modality","confidence","alternatives","diagnostics":[{"code","severity","message"}]}
                         Ranges are 0-based, in UTF-16 code units (LSP positions). modality is null when
                         undetermined. File-level problems (e.g. UME004) are objects of the same shape
                         with "text", "modality" and "confidence" null.
  --mode MODE            default | lobster (lobster reproduces lobster's _detect_modality). Default: default
  --min-length N         shortest plain-text word treated as a sequence. Default: ${DEFAULT_MIN_PLAIN_LENGTH}
  --max-mb N             analyse only the first N megabytes of each file (UME004 marks the cut). Default: no limit
  --severity CODE=LEVEL  override a code's severity (error|warning|information|hint|off); repeatable
${FORMAT_HELP}
  -h, --help             show this help

Human output: FILE:LINE:COL  [ID]  MODALITY (CONFIDENCE)  EXCERPT  CODES, then one indented line
per problem; LINE and COL are 1-based there (--json ranges are 0-based). ID is the record's name:
the FASTA id, the name after a SMILES on a .smi line, or the row's id/name column in CSV/TSV; in
--json it is "id" (null when the file gives none).

Exit status: 0 no error-severity problem, 1 at least one error-severity problem,
2 usage error (unknown flag, bad value, unreadable file), 3 internal error.`;

interface DetectArgs {
  files: string[];
  json: boolean;
  format?: InputFormat | undefined;
  mode: DetectionMode;
  minLength: number;
  maxBytes: number | undefined;
  severity: Record<string, SeverityOverride>;
}

function parseSeverity(values: string[] | undefined): Record<string, SeverityOverride> {
  const out: Record<string, SeverityOverride> = {};
  for (const v of values ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(v);
    const info = m ? codeInfo(m[1]!.trim()) : undefined;
    const level = m?.[2]?.trim();
    if (!m || !info) {
      throw new UsageError(`${NAME}: --severity expects CODE=LEVEL with a known code (e.g. UME108=off); got "${v}".`);
    }
    if (!(SEVERITY_OVERRIDES as readonly string[]).includes(level!)) {
      throw new UsageError(`${NAME}: --severity level must be one of ${SEVERITY_OVERRIDES.join(', ')}; got "${level}".`);
    }
    out[info.code] = level as SeverityOverride;
  }
  return out;
}

function parseDetectArgs(args: string[]): DetectArgs {
  const { values, positionals } = parse(NAME, args, {
    json: { type: 'boolean' },
    mode: { type: 'string' },
    'min-length': { type: 'string' },
    'max-mb': { type: 'string' },
    severity: { type: 'string', multiple: true },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length === 0) throw new UsageError(`${NAME}: no FILE given; e.g. ume-studio detect examples/*`);
  checkStdinOnce(NAME, positionals);
  const maxMb = numberOption(NAME, 'max-mb', values['max-mb'], 0.000001);
  return {
    files: positionals,
    json: values.json === true,
    mode: choiceOption(NAME, 'mode', values.mode, DETECTION_MODES) ?? 'default',
    minLength: intOption(NAME, 'min-length', values['min-length'], 1) ?? DEFAULT_MIN_PLAIN_LENGTH,
    maxBytes: maxMb === undefined ? undefined : Math.round(maxMb * 1024 * 1024),
    severity: parseSeverity(values.severity),
    format: choiceOption(NAME, 'format', values.format, INPUT_FORMATS),
  };
}

/** Fails fast, before any output, when a file cannot be read: a typo should not look like "no sequences". */
async function checkReadable(files: string[]): Promise<void> {
  for (const f of files) {
    if (f === STDIN) continue;
    let st;
    try {
      st = await stat(f);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`${NAME}: cannot read "${f}": ${code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
    }
    if (st.isDirectory()) throw new UsageError(`${NAME}: "${f}" is a directory; pass files (e.g. "${f.replace(/\/$/, '')}/*").`);
  }
}

export async function detectFile(file: string, a: Omit<DetectArgs, 'files' | 'json'>, io?: CliIO): Promise<DetectRecord[]> {
  const text = await readInput(file, io);
  const extension = inputExtension(file, a.format);
  const analysis = await analyzeDocument(text, {
    mode: a.mode,
    severityOverrides: a.severity,
    ...(extension !== undefined ? { extension } : {}),
    minPlainLength: a.minLength,
    // The CLI has no editor to keep responsive: whole files unless --max-mb says otherwise.
    maxBytes: a.maxBytes ?? Number.MAX_SAFE_INTEGER,
    maxSequences: Number.MAX_SAFE_INTEGER,
  });
  return toDetectRecords(file, analysis);
}

async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return ExitCode.ok;
  }
  const a = parseDetectArgs(args);
  await checkReadable(a.files);
  const all: DetectRecord[] = [];
  for (const file of a.files) {
    const records = await detectFile(file, a, io);
    for (const r of records) io.out(a.json ? JSON.stringify(r) : formatHumanRecord(r));
    all.push(...records);
  }
  const summary = summarize(all);
  if (!a.json) io.out(formatHumanSummary(a.files.length, summary));
  return summary.bySeverity.error > 0 ? ExitCode.problems : ExitCode.ok;
}

export const detectCommand: Subcommand = {
  name: NAME,
  summary: 'find sequences in files, detect their modality and report problems',
  help: HELP,
  run,
};
