// The CLI's subcommands. Each one parses its own arguments and returns an exit code; main.ts only
// dispatches. `score` and `train` join this list later.

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Standard input, for the FILE argument "-" (default: process.stdin). */
  stdin?: () => Promise<string>;
}

export interface Subcommand {
  name: string;
  /** One line for the global help. */
  summary: string;
  /** Full help text (`ume-studio NAME --help`). */
  help: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** Exit codes shared by every subcommand. */
export const ExitCode = {
  ok: 0,
  /** Error-severity problems were found in the input. */
  problems: 1,
  /** Bad command line: unknown flag, bad value, missing file. */
  usage: 2,
  /** Something unexpected failed inside ume-studio (a bug: please report it). */
  internal: 3,
} as const;

/** A mistake on the command line; main.ts prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
