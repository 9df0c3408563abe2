// `ume-studio train`: a GRPO run from the command line. Flags of the seed-003 CLI, any training
// setting as `--key value` (TRL's names, snake or kebab case), presets, config files. The run
// itself happens in a child process (trainer/launch.ts) whose events drive a progress bar on a
// TTY or plain lines otherwise, and a summary table at the end. Ctrl-C stops after the current
// step with a checkpoint; a second Ctrl-C stops at once.

import { readFile } from 'node:fs/promises';
import { CONFIG_KEYS, ConfigError, PRESETS, describeKeys, isConfigKey, parseValue, resolveConfig } from '../../engine/training/config';
import { didYouMean } from '../../engine/util/nearest-name';
import type { TrainingEvent } from '../../protocol/training-events';
import type { RunSummary } from '../../protocol/run-format';
import { startTraining } from '../../trainer/launch';
import { ExitCode, UsageError, type CliIO, type Subcommand } from '../registry';

const NAME = 'train';

/** seed-003 flags and what they set. */
const ALIASES: Record<string, string> = {
  epochs: 'num_train_epochs',
  'batch-size': 'per_device_train_batch_size',
  'custom-data': 'dataset',
  'learning-rate': 'learning_rate',
  'max-samples': 'max_samples',
  'max-steps': 'max_steps',
  'output-dir': 'output_dir',
  'run-name': 'run_name',
  'reward-function': 'reward_function',
  'reward-config': 'reward_config',
  'generation-log-dir': 'generation_log_dir',
  'max-generation-samples': 'max_generation_samples',
};
const SWITCHES = ['quick-test', 'production', 'eval-only', 'enable-generation-logging', 'disable-generation-logging', 'help', 'h', 'plain'];

const HELP = `Usage: ume-studio train [options] [--KEY VALUE ...]

Trains a policy with GRPO (TRL's formulas) against UME rewards, writing a run folder
OUTPUT_DIR/RUN_NAME/ (docs/run-format.md) with metrics, every step's completions, checkpoints.

Presets and files:
  --quick-test                 a short run that finishes in minutes on a CPU (README states the time)
  --production                 a full run (3 epochs, KL to the reference, kept checkpoints)
  --config FILE.json           settings as {"key": value}; flags override it
Common settings (seed-003 flags):
  --policy policy-tiny|DIR     --dataset synthetic|FILE.jsonl (--custom-data FILE)   --max-samples N
  --epochs N  --max-steps N  --learning-rate LR  --batch-size N  --seed N  --device auto|cpu|cuda|webgpu
  --output-dir DIR  --run-name NAME
  --reward-function single|multi  --reward-config FILE.json
  --eval-only                  score held-out prompts with the policy (no training) and write a generation log
  --resume-from-checkpoint PATH|latest
  --enable-generation-logging / --disable-generation-logging  --generation-log-dir DIR  --max-generation-samples N
  --plain                      plain progress lines even on a terminal
Any training setting: --num_generations 8, --loss-type grpo, --beta 0.04, --epsilon-high 0.28, ...
(\`ume-studio train --help keys\` lists every key with its default.)

Exit status: 0 finished (or stopped with a checkpoint), 1 the run failed, 2 bad options or config, 3 internal error.`;

function keysHelp(): string {
  return describeKeys()
    .map((k) => `  ${k.key.padEnd(30)} ${JSON.stringify(k.default).padEnd(14)} ${k.doc}${k.values ? ` (${k.values.join(' | ')})` : ''}`)
    .join('\n');
}

export interface TrainArgs {
  layers: Array<Record<string, unknown>>;
  resumeFrom: string | null;
  evalOnly: boolean;
  plain: boolean;
  help: 'none' | 'general' | 'keys';
}

/** Parses the command line into config layers: preset < --config file < flags. */
export async function parseTrainArgs(args: string[]): Promise<TrainArgs> {
  const flags: Record<string, unknown> = {};
  const out: TrainArgs = { layers: [], resumeFrom: null, evalOnly: false, plain: false, help: 'none' };
  let preset: keyof typeof PRESETS | null = null;
  let configFile: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) throw new UsageError(`${NAME}: unexpected argument "${a}"; settings are given as --key value`);
    const [rawName, inline] = a.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    const name = rawName;
    if (SWITCHES.includes(name)) {
      if (name === 'help' || name === 'h') {
        out.help = args[i + 1] === 'keys' ? 'keys' : 'general';
        if (out.help === 'keys') i++;
      }
      else if (name === 'quick-test' || name === 'production') {
        if (preset && preset !== name) throw new UsageError(`${NAME}: --quick-test and --production exclude each other`);
        preset = name;
      } else if (name === 'eval-only') out.evalOnly = true;
      else if (name === 'plain') out.plain = true;
      else flags['enable_generation_logging'] = name === 'enable-generation-logging';
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`${NAME}: --${name} needs a value`);
    if (name === 'config') {
      configFile = value;
      continue;
    }
    if (name === 'resume-from-checkpoint') {
      out.resumeFrom = value;
      continue;
    }
    const key = ALIASES[name] ?? name.replace(/-/g, '_');
    if (!isConfigKey(key)) {
      const all = [...Object.keys(CONFIG_KEYS), ...Object.keys(ALIASES).map((k) => k), 'config', 'resume-from-checkpoint', ...SWITCHES];
      throw new UsageError(`${NAME}: unknown option --${name}${didYouMean(name, all)}; \`ume-studio train --help keys\` lists every setting`);
    }
    try {
      flags[key] = parseValue(key, value);
    } catch (e) {
      throw new UsageError(`${NAME}: --${name}: ${(e as Error).message}`);
    }
  }
  if (preset) out.layers.push({ ...PRESETS[preset] });
  if (configFile) {
    let text: string;
    try {
      text = await readFile(configFile, 'utf8');
    } catch (e) {
      throw new UsageError(`${NAME}: cannot read --config ${configFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${NAME}: --config ${configFile} is not valid JSON: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${NAME}: --config ${configFile} must hold a JSON object of settings, e.g. {"learning_rate": 5e-5}`);
    out.layers.push(parsed as Record<string, unknown>);
  }
  out.layers.push(flags);
  return out;
}

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

function summaryTable(s: RunSummary, runDir: string): string {
  const rows: Array<[string, string]> = [
    ['run folder', runDir],
    ['steps', String(s.total_steps)],
    ['stopped by', s.stopped_by],
    ['final mean reward', fmt(s['train/final_mean_reward'])],
    ['final min / max reward', `${fmt(s['train/final_min_reward'])} / ${fmt(s['train/final_max_reward'])}`],
    ['best mean reward', `${fmt(s.best_reward)} (step ${s.best_step ?? '-'})`],
    ['samples processed', String(s['train/total_samples_processed'])],
    ['wall time', duration(s.wall_time_s)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

export const trainCommand: Subcommand = {
  name: NAME,
  summary: 'train a policy with GRPO against UME rewards (run folders, checkpoints, resume)',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const a = await parseTrainArgs(args);
    if (a.help === 'general') {
      io.out(HELP);
      return ExitCode.ok;
    }
    if (a.help === 'keys') {
      io.out(`Every training setting (--key value), its default and meaning:\n${keysHelp()}`);
      return ExitCode.ok;
    }
    // Fail before any work: the child would say the same, later.
    try {
      resolveConfig(a.layers);
    } catch (e) {
      if (e instanceof ConfigError) {
        io.err(`ume-studio train: ${e.message}`);
        return ExitCode.usage;
      }
      throw e;
    }
    const tty = !a.plain && Boolean(process.stderr.isTTY);
    let runDir = '';
    const onEvent = (e: TrainingEvent): void => {
      if (e.run_dir) runDir = e.run_dir;
      switch (e.type) {
        case 'started':
          io.err(`${e.resumed_from ? `resuming from ${e.resumed_from}` : 'training'}: ${e.total_steps} steps -> ${e.run_dir}`);
          break;
        case 'step': {
          const line = `step ${e.step}/${e.total_steps}  reward ${fmt(e.reward)}  ${Math.round(e.tokens_per_s)} tok/s  ETA ${duration(e.eta_s)}`;
          if (tty) {
            const width = 24;
            const done = Math.round((width * e.step) / Math.max(1, e.total_steps));
            process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${line}\x1b[K`);
          } else io.err(line);
          break;
        }
        case 'checkpoint':
          if (tty) process.stderr.write('\n');
          io.err(`checkpoint: ${e.path}`);
          break;
        case 'eval':
          if (tty) process.stderr.write('\n');
          io.err(`eval at step ${e.step}: mean reward ${fmt(e.mean_reward)} -> ${e.path}`);
          break;
        case 'log':
          io.err(`${e.level}: ${e.message}`);
          break;
        case 'finished':
          if (tty) process.stderr.write('\n');
          io.out(summaryTable(e.summary, e.run_dir));
          break;
        case 'failed':
          if (tty) process.stderr.write('\n');
          io.err(`ume-studio train: the run failed: ${e.message}`);
          break;
      }
    };
    const handle = startTraining({ layers: a.layers, resumeFrom: a.resumeFrom, evalOnly: a.evalOnly }, onEvent, { stdio: 'pipe' });
    let interrupts = 0;
    const onInt = (): void => {
      interrupts++;
      if (interrupts === 1) {
        io.err('\nstopping after the current step (with a checkpoint); Ctrl-C again to stop now');
        handle.stop('interrupted');
      } else handle.child.kill('SIGKILL');
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onInt);
    const final = await handle.done;
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onInt);
    void runDir;
    return final.type === 'finished' ? ExitCode.ok : ExitCode.problems;
  },
};
