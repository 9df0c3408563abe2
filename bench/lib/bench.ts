// Shared pieces for benches: the Bench interface, option parsing, timing statistics, machine facts.

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface Bench {
  description: string;
  run(args: string[]): Promise<void>;
}

/** `--key value` and `--flag` options; numbers are parsed where a default is a number. */
export function parseOptions<T extends Record<string, number | boolean | string>>(args: string[], defaults: T): T {
  const out: Record<string, number | boolean | string> = { ...defaults };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"; options look like --iters 10`);
    const key = a.slice(2);
    if (!(key in defaults)) throw new Error(`unknown option --${key}; known: ${Object.keys(defaults).map((k) => `--${k}`).join(', ')}`);
    const def = defaults[key];
    if (typeof def === 'boolean') out[key] = true;
    else {
      const v = args[++i];
      if (v === undefined) throw new Error(`--${key} needs a value`);
      out[key] = typeof def === 'number' ? Number(v) : v;
      if (typeof def === 'number' && !Number.isFinite(out[key])) throw new Error(`--${key} must be a number, got "${v}"`);
    }
  }
  return out as T;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `fn` warmup + iters times and returns the timed durations (ms) of the last `iters`. */
export async function timeRuns(fn: () => Promise<unknown>, warmup: number, iters: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < warmup + iters; i++) {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    if (i >= warmup) times.push(dt);
  }
  return times;
}

/** CPU model and core count from /proc/cpuinfo (falls back to os.cpus()). */
export function machine(): { cpu: string; cores: number; node: string } {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1]!.trim();
  } catch {
    // not Linux: os.cpus() is the best we have
  }
  return { cpu, cores: cpus().length, node: process.version };
}

export const fmt = (x: number, digits = 1): string => x.toFixed(digits);
