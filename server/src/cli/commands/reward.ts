// `ume-studio reward --config R.json FILE... [--json]`: finds the sequences of each file exactly as
// `detect` and `score` do, then scores each with a reward config: per record every component's raw
// and transformed value and the total. Users run it to see what a config rewards before training.

import { stat } from 'node:fs/promises';
import { RewardConfigError } from '../../engine/rewards/config';
import { buildRewardFunctions, resolveRewardConfig, type LoadedReward } from '../../engine/rewards/load';
import { seedRewardConfig } from '../../engine/rewards/seed003';
import { scoreSequences } from '../../engine/rewards/report';
import { DEFAULT_MIN_PLAIN_LENGTH } from '../../engine/seq/formats/index';
import type { DetectionMode } from '../../engine/seq/types';
import type { RewardRecordReport } from '../../protocol/reward-config';
import { DETECTION_MODES } from '../../protocol/settings';
import { choiceOption, intOption, parse } from '../args';
import { ExitCode, UsageError, type CliIO, type Subcommand } from '../registry';
import { detectFile } from './detect';

const NAME = 'reward';

const HELP = `Usage: ume-studio reward --config R.json FILE... [options]

Finds the sequences in each file (FASTA, .smi, CSV/TSV, JSON/JSONL, tagged or plain text) exactly as
"ume-studio detect" does and scores each with a reward config (docs/rewards.md): every component's
raw value, its transformed value, and the total (the config's aggregation: weighted_sum, or
REINVENT's arithmetic_mean / geometric_mean with diversity filters applied in file order).

Options:
  --config PATH          reward config (JSON). The seed-003 shape ("*_weight" keys) is translated;
                         what each key became is printed to stderr
  --reward-function F    single | multi: seed-003's built-in configs when no --config is given
                         (single: UME alone; multi: UME + validity + length + diversity)
  --json                 JSON Lines, one record per sequence:
                         {"id","sequence","modality","components":{NAME:{"raw","value","error"?}},"total","reason"?}
                         raw is the measurement (e.g. QED 0.71), value the transformed score, null when
                         the component could not score the sequence ("error" says why)
  --batch-size N         sequences per reward call. Default: 64
  --detection MODE       default | lobster: modality detection rules, as detect --mode. Default: default
  --min-length N         shortest plain-text word treated as a sequence. Default: ${DEFAULT_MIN_PLAIN_LENGTH}
  -h, --help             show this help

Exit status: 0 every sequence got a total, 1 a sequence without a total or a file without sequences,
2 usage error (unknown flag, unreadable file, bad config: the message names the key), 3 internal error.`;

interface RewardArgs {
  files: string[];
  config: string | undefined;
  rewardFunction: 'single' | 'multi' | undefined;
  json: boolean;
  batchSize: number;
  detection: DetectionMode;
  minLength: number;
}

function parseRewardArgs(args: string[]): RewardArgs {
  const { values, positionals } = parse(NAME, args, {
    config: { type: 'string' },
    'reward-function': { type: 'string' },
    json: { type: 'boolean' },
    'batch-size': { type: 'string' },
    detection: { type: 'string' },
    'min-length': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length === 0) throw new UsageError(`${NAME}: no FILE given; e.g. ume-studio reward --config reward.json molecules.smi`);
  const rewardFunction = choiceOption(NAME, 'reward-function', values['reward-function'], ['single', 'multi'] as const);
  if (values.config === undefined && rewardFunction === undefined) throw new UsageError(`${NAME}: give --config R.json (see docs/rewards.md) or --reward-function single|multi`);
  return {
    files: positionals,
    config: values.config,
    rewardFunction,
    json: values.json === true,
    batchSize: intOption(NAME, 'batch-size', values['batch-size'], 1) ?? 64,
    detection: choiceOption(NAME, 'detection', values.detection, DETECTION_MODES) ?? 'default',
    minLength: intOption(NAME, 'min-length', values['min-length'], 1) ?? DEFAULT_MIN_PLAIN_LENGTH,
  };
}

async function checkReadable(files: string[]): Promise<void> {
  for (const f of files) {
    const st = await stat(f).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`${NAME}: cannot read "${f}": ${e.code === 'ENOENT' ? 'no such file' : e.message}.`);
    });
    if (st.isDirectory()) throw new UsageError(`${NAME}: "${f}" is a directory; pass files (e.g. "${f.replace(/\/$/, '')}/*").`);
  }
}

async function openReward(a: RewardArgs, io: CliIO): Promise<LoadedReward> {
  const source = seedRewardConfig(a.rewardFunction ?? 'single', a.config);
  try {
    const r = resolveRewardConfig(source);
    for (const n of r.notes) io.err(`ume-studio ${NAME}: seed-003 config: ${n}`);
    return await buildRewardFunctions(r.config, { baseDir: r.baseDir, notes: r.notes });
  } catch (e) {
    // Everything that can go wrong while a config loads is the user's to fix (a key, a path, weights).
    if (e instanceof RewardConfigError || e instanceof Error) throw new UsageError(`${NAME}: ${e.message}`);
    throw e;
  }
}

function fmt(v: number | null): string {
  if (v === null) return '—';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(3);
}

function excerpt(s: string, n = 36): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

export function formatRewardTable(reports: RewardRecordReport[], names: string[]): string {
  const header = ['id', 'modality', 'sequence', ...names, 'total'];
  const rows = reports.map((r) => [
    r.id,
    r.modality ?? '—',
    excerpt(r.sequence),
    ...names.map((n) => {
      const c = r.components[n];
      if (!c) return '—';
      if (c.value === null) return 'null';
      return c.raw !== null && c.raw !== c.value ? `${fmt(c.raw)}→${fmt(c.value)}` : fmt(c.value);
    }),
    fmt(r.total),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  for (const r of reports) {
    const errs = Object.entries(r.components).filter(([, c]) => c.error);
    if (r.total === null || errs.length) out.push(`  ${r.id}: ${r.total === null ? `no total (${r.reason})` : errs.map(([n, c]) => `${n}: ${c.error}`).join('; ')}`);
  }
  return out.join('\n');
}

async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return ExitCode.ok;
  }
  const a = parseRewardArgs(args);
  await checkReadable(a.files);
  const loaded = await openReward(a, io);
  const names = loaded.config.components.map((c) => c.name);
  let missing = 0;
  let empty = 0;
  let count = 0;
  try {
    for (const file of a.files) {
      const records = (await detectFile(file, { mode: a.detection, minLength: a.minLength, maxBytes: undefined, severity: {} })).filter((r) => r.text !== null);
      if (records.length === 0) {
        io.err(`ume-studio ${NAME}: ${file}: no sequences found (FASTA, .smi, CSV/TSV, JSON/JSONL, tagged or plain text)`);
        empty++;
        continue;
      }
      const items = records.map((rec) => ({ id: `${file}:${rec.range.start.line + 1}:${rec.range.start.character + 1}`, text: rec.text!, modality: rec.modality }));
      const reports = await scoreSequences(loaded, items, { batchSize: a.batchSize });
      if (a.json) for (const r of reports) io.out(JSON.stringify(r));
      else io.out(formatRewardTable(reports, names));
      missing += reports.filter((r) => r.total === null).length;
      count += reports.length;
    }
  } finally {
    await loaded.close();
  }
  if (!a.json) io.out(`\n${count} sequence${count === 1 ? '' : 's'} in ${a.files.length} file${a.files.length === 1 ? '' : 's'}; ${missing} without a total (${loaded.config.aggregation}).`);
  return missing > 0 || empty > 0 ? ExitCode.problems : ExitCode.ok;
}

export const rewardCommand: Subcommand = {
  name: NAME,
  summary: 'score the sequences in files with a reward config (components, transforms, total)',
  help: HELP,
  run,
};
