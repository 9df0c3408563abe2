// Runs the CLI's main() in-process (spawning tsx per case costs seconds), from the repository root
// so paths in its output are as given, and captures what it prints.
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';

export const ROOT = join(__dirname, '..', '..');
export const fx = (name: string): string => join('test', 'cli', 'fixtures', name);

export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWithStdin(undefined, ...args);
}

/** As cli(), with `stdin` as standard input (the FILE argument "-"). */
export async function cliWithStdin(stdin: string | undefined, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const code = await main(args, {
      out: (t) => (out += `${t}\n`),
      err: (t) => (err += `${t}\n`),
      ...(stdin !== undefined ? { stdin: () => Promise.resolve(stdin) } : {}),
    });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

export const jsonLines = (out: string): Array<Record<string, unknown>> => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
