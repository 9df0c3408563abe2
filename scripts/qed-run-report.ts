// Reads a training run folder and reports, per evaluation (generation_logs/generation_log_step_N.json,
// the held-out prompts), the mean QED of the valid SMILES completions and how diverse they are:
// distinct Murcko scaffolds / valid completions. Optionally the same for the training completions
// (completions/step_N.jsonl) in windows of steps. QED and scaffolds come from the reward library's own
// code (RDKit.js + our QED port and Murcko scaffolds), independently of what the run's reward was.
//
//   node --import tsx scripts/qed-run-report.ts RUN_DIR [--train-window N] [--json]
//
// Valid: the completion closed its <smiles> tag (the policy ended it) and RDKit parses the SMILES.
// An acyclic molecule's scaffold is "" and counts as one scaffold, as REINVENT's filter buckets it.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadChemistry, type Chemistry } from '../server/src/engine/rewards';

export interface QedStats {
  step: number;
  samples: number;
  valid: number;
  validity: number;
  /** Mean QED of the valid completions (NaN when none). */
  mean_qed: number;
  /** Distinct valid SMILES (canonical) / valid completions. */
  unique_smiles_fraction: number;
  /** Distinct Murcko scaffolds / valid completions. */
  unique_scaffold_fraction: number;
}

const TAGGED = /^<smiles>(.*)<\/smiles>$/s;

/** QED and scaffold statistics of a list of completions (policy-tiny's tagged text). */
export function completionStats(chem: Chemistry, step: number, completions: readonly string[]): QedStats {
  const qeds: number[] = [];
  const canon = new Set<string>();
  const scaffolds = new Set<string>();
  for (const text of completions) {
    const m = TAGGED.exec(text.trim());
    if (!m) continue;
    const parsed = chem.parse(m[1]!);
    if (!parsed.ok) continue;
    qeds.push(parsed.mol.qed());
    canon.add(parsed.mol.canonical);
    scaffolds.add(parsed.mol.murckoScaffold());
  }
  const n = qeds.length;
  return {
    step,
    samples: completions.length,
    valid: n,
    validity: completions.length ? n / completions.length : NaN,
    mean_qed: n ? qeds.reduce((a, b) => a + b, 0) / n : NaN,
    unique_smiles_fraction: n ? canon.size / n : NaN,
    unique_scaffold_fraction: n ? scaffolds.size / n : NaN,
  };
}

function stepFiles(dir: string, re: RegExp): Array<{ step: number; path: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => ({ m: re.exec(f), f }))
    .filter((x): x is { m: RegExpExecArray; f: string } => x.m !== null)
    .map((x) => ({ step: Number(x.m[1]), path: join(dir, x.f) }))
    .sort((a, b) => a.step - b.step);
}

/** One row per evaluation of the run (held-out prompts). */
export async function evalReport(runDir: string): Promise<QedStats[]> {
  const chem = await loadChemistry();
  const files = stepFiles(join(runDir, 'generation_logs'), /^generation_log_step_(\d+)\.json$/);
  if (!files.length) throw new Error(`${runDir} has no generation_logs/generation_log_step_N.json; run with enable_generation_logging (the default) and eval_steps`);
  return files.map(({ step, path }) => {
    const log = JSON.parse(readFileSync(path, 'utf8')) as { samples: Array<{ generated_text: string }> };
    return completionStats(chem, step, log.samples.map((s) => s.generated_text));
  });
}

/** Training completions pooled over windows of `window` steps (row step = the window's last step). */
export async function trainReport(runDir: string, window: number): Promise<QedStats[]> {
  const chem = await loadChemistry();
  const files = stepFiles(join(runDir, 'completions'), /^step_(\d+)\.jsonl$/);
  const out: QedStats[] = [];
  for (let i = 0; i < files.length; i += window) {
    const chunk = files.slice(i, i + window);
    const texts = chunk.flatMap(({ path }) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => String((JSON.parse(l) as { completion: unknown }).completion)),
    );
    out.push(completionStats(chem, chunk.at(-1)!.step, texts));
  }
  return out;
}

function table(title: string, rows: readonly QedStats[]): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '-');
  const lines = [title, 'step   samples  valid  validity  mean_qed  unique_smiles  unique_scaffolds'];
  for (const r of rows) {
    lines.push(`${String(r.step).padEnd(6)} ${String(r.samples).padStart(7)}  ${String(r.valid).padStart(5)}  ${f(r.validity).padStart(8)}  ${f(r.mean_qed).padStart(8)}  ${f(r.unique_smiles_fraction).padStart(13)}  ${f(r.unique_scaffold_fraction).padStart(16)}`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const json = args.includes('--json');
  const wi = args.indexOf('--train-window');
  const window = wi >= 0 ? Number(args[wi + 1]) : 0;
  if (wi >= 0) args.splice(wi, 2);
  const dirs = args.filter((a) => !a.startsWith('--'));
  if (dirs.length !== 1 || (wi >= 0 && !(Number.isInteger(window) && window > 0))) {
    process.stderr.write('usage: node --import tsx scripts/qed-run-report.ts RUN_DIR [--train-window N] [--json]\n');
    return 2;
  }
  const dir = dirs[0]!;
  const evals = await evalReport(dir);
  const train = window ? await trainReport(dir, window) : [];
  if (json) process.stdout.write(JSON.stringify({ run: dir, eval: evals, ...(window ? { train_window: window, train } : {}) }) + '\n');
  else {
    process.stdout.write(table(`held-out prompts (${dir}/generation_logs)`, evals) + '\n');
    if (window) process.stdout.write('\n' + table(`training completions, ${window}-step windows`, train) + '\n');
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`qed-run-report: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
