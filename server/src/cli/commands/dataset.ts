// `ume-studio dataset synthetic --out DIR` writes lobster's synthetic GRPO dataset (made valid:
// RDKit-valid SMILES, <protein> tags) as JSONL splits; `ume-studio dataset check FILE.jsonl`
// reports every problem of a custom prompt dataset with its line, as training would meet it.

import {
  checkPromptJsonl,
  DatasetError,
  MAX_PER_MODALITY,
  MAX_PROBLEMS,
  MIN_PER_MODALITY,
  SYNTHETIC_PER_MODALITY,
  SYNTHETIC_SEED,
  writeSyntheticDataset,
  type JsonlParse,
} from '../../engine/data/index';
import { MODALITIES } from '../../engine/modality';
import { intOption, parse } from '../args';
import { ExitCode, UsageError, type CliIO, type Subcommand } from '../registry';

const NAME = 'dataset';

const HELP = `Usage: ume-studio dataset synthetic --out DIR [--seed N] [--per-modality N] [--force]
       ume-studio dataset check FILE.jsonl [--max-samples N] [--json]

synthetic  Writes lobster's synthetic GRPO dataset (examples/generate_synthetic_dataset.py): per
           modality N rows of {"prompt","completion","modality"}, completions of SMILES 10-50,
           protein 20-100 and DNA 50-200 characters, split 90/5/5. Unlike lobster's, every SMILES
           is valid (RDKit) and the prompts ask for the tags the UME reward accepts
           (<smiles>, <protein>, <dna>). Same seed, same bytes.
           Files: DIR/train.jsonl, validation.jsonl, test.jsonl, full.jsonl, manifest.json.
  --out DIR            directory to write (created if missing)
  --seed N             random seed. Default: ${SYNTHETIC_SEED}
  --per-modality N     rows per modality, ${MIN_PER_MODALITY}-${MAX_PER_MODALITY}. Default: ${SYNTHETIC_PER_MODALITY} (270/15/15 rows)
  --force              replace existing files whose contents differ

check      Reads a prompt dataset in JSON Lines: one object per line with "prompt" (text or
           chat messages [{"role","content"}]), optional "completion", "chosen", "rejected",
           "modality" (SMILES | amino_acid | nucleotide) and any other columns (kept for rewards).
           Reports every bad line (up to ${MAX_PROBLEMS}) and rows without a modality.
  --max-samples N      read only the first N rows, as training with --max-samples does
  --json               one JSON object: {"file","rows","modalities","inferred_modality",
                        "errors","warnings","problems":[{"line","severity","message"}]}

  -h, --help           show this help

Exit status: 0 ok (warnings allowed), 1 the dataset has errors, 2 usage error (bad flag,
unreadable file, files in the way), 3 internal error.`;

async function synthetic(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(`${NAME} synthetic`, args, {
    out: { type: 'string' },
    seed: { type: 'string' },
    'per-modality': { type: 'string' },
    force: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`${NAME} synthetic: unexpected argument "${positionals[0]}"; the directory goes after --out`);
  if (values.out === undefined || values.out.trim() === '') throw new UsageError(`${NAME} synthetic: --out DIR is required (e.g. --out data/synthetic)`);
  const seed = intOption(`${NAME} synthetic`, 'seed', values.seed, 0) ?? SYNTHETIC_SEED;
  if (seed > 0xffffffff) throw new UsageError(`${NAME} synthetic: --seed must be at most ${0xffffffff}, got ${seed}`);
  const perModality = intOption(`${NAME} synthetic`, 'per-modality', values['per-modality'], MIN_PER_MODALITY) ?? SYNTHETIC_PER_MODALITY;
  if (perModality > MAX_PER_MODALITY) throw new UsageError(`${NAME} synthetic: --per-modality must be at most ${MAX_PER_MODALITY}, got ${perModality}`);
  let written;
  try {
    written = await writeSyntheticDataset(values.out, { seed, perModality, overwrite: values.force === true });
  } catch (e) {
    if (e instanceof DatasetError) throw new UsageError(`${NAME} synthetic: ${e.message}`);
    throw e;
  }
  for (const f of written.files) {
    const what = f.split === 'manifest' ? 'manifest' : `${f.rows} rows`;
    io.out(`${f.changed ? 'wrote    ' : 'unchanged'} ${f.path} (${what})`);
  }
  io.out(`synthetic dataset: seed ${seed}, ${perModality} rows per modality, ${perModality * MODALITIES.length} rows in all.`);
  return ExitCode.ok;
}

function summaryObject(file: string, r: JsonlParse): Record<string, unknown> {
  const modalities: Record<string, number> = Object.fromEntries(MODALITIES.map((m) => [m, 0]));
  let unknown = 0;
  for (const row of r.rows) {
    if (row.modality) modalities[row.modality]! += 1;
    else unknown++;
  }
  if (unknown) modalities.unknown = unknown;
  return { file, rows: r.rows.length, modalities, inferred_modality: r.inferredModality, errors: r.errorCount, warnings: r.warningCount, problems: r.problems };
}

async function check(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(`${NAME} check`, args, {
    'max-samples': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(`${NAME} check: give exactly one FILE.jsonl, got ${positionals.length}`);
  const file = positionals[0]!;
  const maxSamples = intOption(`${NAME} check`, 'max-samples', values['max-samples'], 1);
  let r: JsonlParse;
  try {
    r = await checkPromptJsonl(file, maxSamples !== undefined ? { maxSamples } : {});
  } catch (e) {
    if (e instanceof DatasetError) throw new UsageError(`${NAME} check: ${e.message}`);
    throw e;
  }
  const s = summaryObject(file, r);
  if (values.json === true) {
    io.out(JSON.stringify(s));
  } else {
    for (const p of r.problems) io.out(`${file}${p.line === null ? '' : `:${p.line}`}: ${p.severity}: ${p.message}`);
    const listed = r.errorCount + r.warningCount - r.problems.length;
    if (listed > 0) io.out(`... ${listed} more problems not listed (the first ${MAX_PROBLEMS} are shown)`);
    const counts = Object.entries(s.modalities as Record<string, number>).map(([m, n]) => `${m} ${n}`).join(', ');
    const inferred = r.inferredModality ? `; modality from prompt tags for ${r.inferredModality}` : '';
    const stopped = maxSamples !== undefined && r.rows.length >= maxSamples ? ` (stopped at --max-samples ${maxSamples}, line ${r.linesRead})` : '';
    io.out(`${file}: ${r.rows.length} rows${stopped} (${counts}${inferred}); ${r.errorCount} error${r.errorCount === 1 ? '' : 's'}, ${r.warningCount} warning${r.warningCount === 1 ? '' : 's'}`);
  }
  return r.errorCount > 0 ? ExitCode.problems : ExitCode.ok;
}

async function run(args: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined) throw new UsageError(`${NAME}: give an action, synthetic or check (e.g. ume-studio dataset synthetic --out data/synthetic)`);
  if (action === '--help' || action === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.out(HELP);
    return ExitCode.ok;
  }
  if (action === 'synthetic') return synthetic(rest, io);
  if (action === 'check') return check(rest, io);
  throw new UsageError(`${NAME}: unknown action "${action}"; use synthetic or check`);
}

export const datasetCommand: Subcommand = {
  name: NAME,
  summary: 'write the synthetic prompt dataset, or check a JSONL prompt dataset',
  help: HELP,
  run,
};
