// Runs `ume-studio train` from source (tsx) in a temporary folder for the training tests, and
// reads what the run folder holds.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'server', 'src', 'cli', 'main.ts');

/** Small settings: a run of a few seconds a step on this machine. */
export const TINY: Record<string, string | number> = {
  max_steps: 4,
  per_device_train_batch_size: 8,
  num_generations: 4,
  max_completion_length: 24,
  learning_rate: 5e-5,
  save_steps: 2,
  max_generation_samples: 4,
  seed: 7,
  device: 'cpu',
};

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ume-train-${prefix}-`));
}

export function flags(settings: Record<string, string | number | boolean>): string[] {
  return Object.entries(settings).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function startCli(args: string[], cwd = ROOT): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => child.on('exit', (code) => res({ code, stdout, stderr })));
  return { child, done };
}

export async function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return startCli(args).done;
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function metricsRows(runDir: string): Array<Record<string, unknown>> {
  const p = join(runDir, 'metrics.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A metrics row without what depends on the clock (wall time, step times, throughput). */
export function timeless(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !/^(wall_time|step_time|tokens_per_s)/.test(k)));
}

export function checkpointSteps(runDir: string): number[] {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((n) => /^checkpoint_step_(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(root, m[0], 'state.json')))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
