// `ume-studio grpo-loss IN.json`: the GRPO loss, its gradient with respect to the log-probs, the
// advantages and TRL's metrics for one batch, computed by the trainer's own code (engine/grpo:
// computeAdvantages, then buildGrpoLoss in a float64 graph differentiated by our autodiff). For
// checking our loss against TRL or any other implementation of its formulas.

import { readFile } from 'node:fs/promises';
import { evaluateGrpoLossCase, GrpoLossCaseError, parseGrpoLossCase } from '../../engine/grpo';
import { grpoLossCaseWarnings } from '../../engine/grpo/loss-case';
import { parse } from '../args';
import { ExitCode, UsageError, type CliIO, type Subcommand } from '../registry';

const NAME = 'grpo-loss';

const HELP = `Usage: ume-studio grpo-loss IN.json [options]

Computes TRL 1.9's GRPO loss for one batch with the trainer's code, in float64, and prints
  {"loss", "grad_logps": [B][T], "advantages": [B], "metrics": {...}}
as JSON. grad_logps is d loss / d logps through our autodiff; metrics use TRL's names (kl,
entropy, clip_ratio/*, cispo_clip_ratio, reward, reward_std, frac_reward_zero_std,
rewards/<name>/mean|std); a value TRL would log as NaN is null.

IN.json (- reads stdin):
  {"config": {"loss_type", "scale_rewards", "epsilon", "epsilon_high", "delta", "beta",
              "importance_sampling_level", "num_generations", "max_completion_length",
              "top_entropy_quantile", "sapo_temperature_pos", "sapo_temperature_neg",
              "multi_objective_aggregation", "gradient_accumulation_steps",
              "num_items_in_batch", "reward_weights"},      every key optional (TRL's defaults)
   "rewards": [B] or [funcs][B]   (null: the function could not score that completion)
   "advantages": [B]              (optional: used as they are, e.g. a TRL run's; then rewards
                                   only feed the reward metrics and may be left out)
   "reward_names": [funcs]        (optional; default "reward", or reward_0, reward_1, ...)
   "logps": [B][T], "mask": [B][T] (0/1),
   "old_logps": [B][T]            (optional; absent: logps detached, TRL's num_iterations 1)
   "ref_logps": [B][T]            (required when beta != 0)
   "entropies": [B][T]}           (required when top_entropy_quantile < 1; logged as entropy)
Rows come in groups of num_generations consecutive completions of one prompt. dapo and cispo
divide by num_items_in_batch (default: the mask's sum).

Options:
  -h, --help   show this help

Exit status: 0 done, 2 bad input (the message names the key), 3 internal error.`;

async function readInput(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${NAME}: cannot read "${path}": ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}.`);
  }
}

async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return ExitCode.ok;
  }
  const { positionals } = parse(NAME, args, { help: { type: 'boolean', short: 'h' } });
  if (positionals.length !== 1) throw new UsageError(`${NAME}: expects one input file (IN.json, or - for stdin), got ${positionals.length}.`);
  const path = positionals[0]!;
  const label = path === '-' ? 'stdin' : path;
  const text = await readInput(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${NAME}: ${label} is not valid JSON: ${(error as Error).message}.`);
  }
  let c;
  try {
    c = parseGrpoLossCase(json);
  } catch (error) {
    if (error instanceof GrpoLossCaseError) throw new UsageError(`${NAME}: ${label}: ${error.message}.`);
    throw error;
  }
  for (const w of grpoLossCaseWarnings(c)) io.err(`ume-studio ${NAME}: warning: ${w}`);
  io.out(JSON.stringify(await evaluateGrpoLossCase(c)));
  return ExitCode.ok;
}

export const grpoLossCommand: Subcommand = {
  name: NAME,
  summary: 'compute the GRPO loss, its gradient and metrics for one batch (JSON in, JSON out)',
  help: HELP,
  run,
};
