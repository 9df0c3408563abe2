// Where `detect` and `score` read a FILE argument from: a path, or `-` for standard input (pipelines:
// `zcat seqs.fa.gz | ume-studio score --format fasta -`). Standard input has no extension, so
// --format names its format; without it the content decides (a FASTA sniff, else plain text).

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { CliIO } from './registry';
import { UsageError } from './registry';

export const STDIN = '-';

/** --format values and the extension each stands for. */
export const INPUT_FORMATS = ['fasta', 'smi', 'csv', 'tsv', 'json', 'jsonl', 'txt'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export const FORMAT_HELP = `  -                      read standard input (once); --format says its format
  --format FORMAT        format of standard input: ${INPUT_FORMATS.join(' | ')}. Default: from the content
                         (FASTA if it starts like FASTA, else plain text)`;

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function readInput(file: string, io?: CliIO): Promise<string> {
  if (file !== STDIN) return readFile(file, 'utf8');
  return io?.stdin ? io.stdin() : readStream(process.stdin);
}

/** The extension the parsers get: the file's own, or --format's for standard input. */
export function inputExtension(file: string, format: InputFormat | undefined): string | undefined {
  if (file === STDIN) return format ? `.${format}` : undefined;
  return extname(file).toLowerCase() || undefined;
}

/** Standard input can be read once. */
export function checkStdinOnce(command: string, files: readonly string[]): void {
  if (files.filter((f) => f === STDIN).length > 1) throw new UsageError(`${command}: "-" (standard input) can be given once.`);
}
