// `ume-studio score FILE...`: find sequences exactly as `detect` does, then score each one with UME
// (reward = PLL / temperature). Human table by default, JSON Lines with --json.

import { stat } from 'node:fs/promises';
import { DEFAULT_MIN_PLAIN_LENGTH } from '../../engine/seq/formats/index';
import type { DetectionMode } from '../../engine/seq/types';
import { ModelNotFoundError, resolveModel } from '../../engine/reward/index';
import type { PllMode } from '../../engine/ume/pll';
import { DEFAULT_MAX_LENGTH, UmeScorer } from '../../engine/ume/scorer';
import { ProviderError, type Device } from '../../engine/onnx/runtime';
import { ort } from '../../engine/onnx/runtime/ort';
import { DETECTION_MODES, SCORING_DEVICES, SCORING_MODES } from '../../protocol/settings';
import { choiceOption, intOption, numberOption, parse } from '../args';
import { ExitCode, UsageError, type CliIO, type Subcommand } from '../registry';
import { detectFile } from './detect';
import { checkStdinOnce, FORMAT_HELP, INPUT_FORMATS, STDIN, type InputFormat } from '../input';
import { formatScoreSummary, formatScoreTable, scoreRecords, type ScoreRecord } from './score-records';

const NAME = 'score';

const HELP = `Usage: ume-studio score FILE... [options]

Finds the sequences in each file exactly as "ume-studio detect" does and scores each one with UME:
reward = pseudo-log-likelihood (PLL) / temperature. Sequences with error-severity problems
(e.g. invalid SMILES) or no modality are listed with the reason and no reward.

Options:
  --mode MODE            PLL mode: masked (true PLL: each residue masked in turn) | unmasked (one pass,
                         lobster-compatible) | sampled (K random residues). Default: masked
  --temperature T        reward = PLL / T. Default: 0.1
  --model PATH           UME weights: a .safetensors file (lobster parameter names) or a folder holding
                         one. Default: the embedded ume-tiny
  --device DEVICE        auto | cpu | cuda | webgpu (auto tries cuda, webgpu, then cpu). An explicit
                         cuda or webgpu that cannot start is reported once on stderr and scoring
                         falls back to cpu. Default: auto
  --k N                  sampled mode: residues scored per sequence. Default: 16
  --max-length N         tokens per sequence incl. <cls>/<eos>; longer ones are truncated and flagged.
                         Default: ${DEFAULT_MAX_LENGTH}
  --batch-size N         sequences per scorer call (one modality each). Default: 8
  --least-likely N       least likely positions to report. Default: 3
  --detection MODE       default | lobster: modality detection rules, as detect --mode. Default: default
  --min-length N         shortest plain-text word treated as a sequence. Default: ${DEFAULT_MIN_PLAIN_LENGTH}
${FORMAT_HELP}
  --json                 JSON Lines: detect's fields ("file","range","text","modality","confidence",
                         "alternatives","diagnostics") plus "reward","pll","mode","model","n_tokens",
                         "truncated","unknown_tokens","least_likely":[{"offset","length","token","logprob"}],
                         "reason", and "id" (the FASTA id, .smi name or CSV id/name column; null if
                         none). reward, pll and n_tokens are null when the sequence was not scored;
                         "reason" says why. JSON positions are 0-based: "range" (LSP positions) and
                         least_likely offsets into "text".

Table: one row per sequence with its ID; every position in it is 1-based (FILE:LINE:COL and the
TOKEN@POS of the least likely tokens), as in the hover. A sequence that is not scored has no reward
and a "warning:" line saying why: error-severity problems, no modality, or tokens outside UME's
vocabulary (<unk>, e.g. a lowercase protein), which would otherwise get a reward they have not
earned. The summary gives the mean reward per modality (rewards of different modalities are not on
one scale).
  -h, --help             show this help

Exit status: 0 every sequence scored and no error-severity problem, 1 an error-severity problem or a
sequence that could not be scored, 2 usage error (unknown flag, bad value, unreadable file, missing
or unreadable model), 3 internal error.`;

interface ScoreArgs {
  files: string[];
  json: boolean;
  mode: PllMode;
  temperature: number;
  model: string | undefined;
  device: Device;
  k: number | undefined;
  maxLength: number;
  batchSize: number;
  leastLikely: number;
  detection: DetectionMode;
  minLength: number;
  format: InputFormat | undefined;
}

function parseScoreArgs(args: string[]): ScoreArgs {
  const { values, positionals } = parse(NAME, args, {
    json: { type: 'boolean' },
    mode: { type: 'string' },
    temperature: { type: 'string' },
    model: { type: 'string' },
    device: { type: 'string' },
    k: { type: 'string' },
    'max-length': { type: 'string' },
    'batch-size': { type: 'string' },
    'least-likely': { type: 'string' },
    detection: { type: 'string' },
    'min-length': { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length === 0) throw new UsageError(`${NAME}: no FILE given; e.g. ume-studio score examples/*`);
  checkStdinOnce(NAME, positionals);
  const temperature = numberOption(NAME, 'temperature', values.temperature, 0) ?? 0.1;
  if (temperature <= 0) throw new UsageError(`${NAME}: --temperature must be > 0 (reward = PLL / T), got "${values.temperature}".`);
  return {
    files: positionals,
    json: values.json === true,
    mode: choiceOption(NAME, 'mode', values.mode, SCORING_MODES) ?? 'masked',
    temperature,
    model: values.model,
    device: choiceOption(NAME, 'device', values.device, SCORING_DEVICES) ?? 'auto',
    k: intOption(NAME, 'k', values.k, 1),
    maxLength: intOption(NAME, 'max-length', values['max-length'], 3) ?? DEFAULT_MAX_LENGTH,
    batchSize: intOption(NAME, 'batch-size', values['batch-size'], 1) ?? 8,
    leastLikely: intOption(NAME, 'least-likely', values['least-likely'], 0) ?? 3,
    detection: choiceOption(NAME, 'detection', values.detection, DETECTION_MODES) ?? 'default',
    minLength: intOption(NAME, 'min-length', values['min-length'], 1) ?? DEFAULT_MIN_PLAIN_LENGTH,
    format: choiceOption(NAME, 'format', values.format, INPUT_FORMATS),
  };
}

async function checkReadable(files: string[]): Promise<void> {
  for (const f of files) {
    if (f === STDIN) continue;
    const st = await stat(f).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`${NAME}: cannot read "${f}": ${e.code === 'ENOENT' ? 'no such file' : e.message}.`);
    });
    if (st.isDirectory()) throw new UsageError(`${NAME}: "${f}" is a directory; pass files (e.g. "${f.replace(/\/$/, '')}/*").`);
  }
}

/**
 * Model problems are the user's to fix (path, file contents), so they are usage errors (exit 2).
 * An explicit --device cuda|webgpu that cannot start is said once on stderr, and scoring falls back
 * to cpu: the provider is tried before the first sequence (it used to fail, with ORT's raw log
 * line, once per sequence).
 */
async function openScorer(a: ScoreArgs, io: CliIO): Promise<{ scorer: UmeScorer; model: string }> {
  let resolved;
  try {
    resolved = resolveModel(a.model);
  } catch (e) {
    if (e instanceof ModelNotFoundError) throw new UsageError(`${NAME}: ${e.message}`);
    throw e;
  }
  const open = async (device: Device): Promise<UmeScorer> => {
    try {
      return await UmeScorer.fromFile(resolved.path, { device, maxLength: a.maxLength, name: resolved.name });
    } catch (e) {
      throw new UsageError(`${NAME}: cannot load UME weights ${resolved.path}: ${(e as Error).message}`);
    }
  };
  if (a.device === 'cuda' || a.device === 'webgpu') {
    // ORT's own logger would print the provider failure raw to stderr before the error reaches us;
    // the one message below says it in full. Set before the first session (ORT reads it once).
    ort.env.logLevel = 'fatal';
  }
  let scorer = await open(a.device);
  if (a.device === 'cuda' || a.device === 'webgpu') {
    try {
      await scorer.provider();
    } catch (e) {
      if (!(e instanceof ProviderError)) throw e;
      io.err(`${NAME}: --device ${a.device}: ${e.message} Scoring on cpu instead.`);
      await scorer.release();
      scorer = await open('cpu');
    }
  }
  return { scorer, model: resolved.name };
}

async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return ExitCode.ok;
  }
  const a = parseScoreArgs(args);
  await checkReadable(a.files);
  const { scorer, model } = await openScorer(a, io);
  const all: ScoreRecord[] = [];
  try {
    for (const file of a.files) {
      const detected = await detectFile(file, { mode: a.detection, minLength: a.minLength, maxBytes: undefined, severity: {}, format: a.format }, io);
      const records = await scoreRecords(detected, { scorer, model }, { mode: a.mode, temperature: a.temperature, batchSize: a.batchSize, leastLikely: a.leastLikely, ...(a.k !== undefined ? { k: a.k } : {}) });
      if (a.json) for (const r of records) io.out(JSON.stringify(r));
      else io.out(formatScoreTable(records));
      all.push(...records);
    }
  } finally {
    await scorer.release();
  }
  if (!a.json) io.out(formatScoreSummary(a.files.length, all, { mode: a.mode, model, temperature: a.temperature }));
  const problems = all.some((r) => r.diagnostics.some((d) => d.severity === 'error') || (r.text !== null && r.reward === null));
  return problems ? ExitCode.problems : ExitCode.ok;
}

export const scoreCommand: Subcommand = {
  name: NAME,
  summary: 'score the sequences in files with UME (reward = PLL / temperature)',
  help: HELP,
  run,
};
