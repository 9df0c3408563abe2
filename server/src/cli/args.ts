// Command-line parsing on top of node:util parseArgs, turning its errors into UsageErrors that say
// which flag is wrong and what is allowed.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './registry';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const e = error as Error & { code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      // parseArgs messages are precise but mention "parseArgs"-internal wording at times; keep the core.
      throw new UsageError(`${command}: ${e.message.replace(/\. To specify a positional argument.*$/s, '')}`);
    }
    throw error;
  }
}

export function intOption(command: string, flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${command}: --${flag} expects an integer >= ${min}, got "${value}".`);
  }
  return n;
}

export function numberOption(command: string, flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(`${command}: --${flag} expects a number >= ${min}, got "${value}".`);
  }
  return n;
}

export function choiceOption<T extends string>(command: string, flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${command}: --${flag} must be one of ${allowed.join(', ')}; got "${value}".`);
}
