// Entry of the CLI bundle (dist/cli.js, the `ume-studio` bin): dispatches to a subcommand and maps
// failures to exit codes (see registry.ts).

import { detectCommand } from './commands/detect';
import { scoreCommand } from './commands/score';
import { grpoLossCommand } from './commands/grpo-loss';
import { datasetCommand } from './commands/dataset';
import { trainCommand } from './commands/train';
import { rewardCommand } from './commands/reward';
import { generateCommand } from './commands/generate';
import { dashboardCommand } from './commands/dashboard';
import { ExitCode, UsageError, type CliIO, type Subcommand } from './registry';

export const SUBCOMMANDS: readonly Subcommand[] = [detectCommand, scoreCommand, grpoLossCommand, datasetCommand, trainCommand, rewardCommand, generateCommand, dashboardCommand];

function globalHelp(): string {
  const width = Math.max(...SUBCOMMANDS.map((c) => c.name.length));
  return [
    'Usage: ume-studio COMMAND [options]',
    '',
    'Commands:',
    ...SUBCOMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "ume-studio COMMAND --help" for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(globalHelp());
    return ExitCode.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(globalHelp());
    return ExitCode.ok;
  }
  const command = SUBCOMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`ume-studio: unknown command "${name}". Commands: ${SUBCOMMANDS.map((c) => c.name).join(', ')}. See ume-studio --help.`);
    return ExitCode.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`ume-studio ${error.message}\nSee ume-studio ${command.name} --help.`);
      return ExitCode.usage;
    }
    io.err(`ume-studio ${command.name}: internal error: ${(error as Error)?.stack ?? String(error)}\nPlease report this with the file that caused it.`);
    return ExitCode.internal;
  }
}

if (require.main === module) {
  // `ume-studio detect ... | head` closes stdout early; that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const io: CliIO = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`ume-studio: ${String(error)}\n`);
      process.exitCode = ExitCode.internal;
    },
  );
}
