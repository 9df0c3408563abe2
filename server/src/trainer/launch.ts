// Starting a training process and following it: the one channel the CLI and the language server
// share. The child (trainer/main.ts, bundled as dist/trainer.js) is forked with Node's IPC; it
// sends TrainingEvents and takes TrainingCommands. Stopping asks for a checkpoint first (SIGTERM
// does the same if IPC is gone); a child that dies without a final event (kill -9, out of memory)
// is reported as failed with its exit signal and the last checkpoint it announced.

import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isTrainingEvent, type TrainingCommand, type TrainingEvent } from '../protocol/training-events';

/** What the child needs: config layers (lowest first) and an optional resume point. */
export interface TrainingRequest {
  layers: Array<Record<string, unknown>>;
  resumeFrom: string | null;
  evalOnly?: boolean;
}

export interface TrainingHandle {
  readonly child: ChildProcess;
  /** Resolves with the final event (finished or failed); never rejects. */
  readonly done: Promise<TrainingEvent & { type: 'finished' | 'failed' }>;
  /** Ask for a checkpoint and a clean stop after the current step. */
  stop(reason?: string): void;
}

/** The child's entry: the bundle beside this file, or the TypeScript source under tsx. */
function childEntry(): { path: string; execArgv: string[] } {
  const bundled = join(__dirname, 'trainer.js');
  if (!__filename.endsWith('.ts') && existsSync(bundled)) return { path: bundled, execArgv: [] };
  return { path: join(__dirname, 'main.ts'), execArgv: ['--import', 'tsx'] };
}

export function startTraining(req: TrainingRequest, onEvent: (e: TrainingEvent) => void, opts: { env?: NodeJS.ProcessEnv; stdio?: 'inherit' | 'pipe' } = {}): TrainingHandle {
  const entry = childEntry();
  const child = fork(entry.path, [], {
    execArgv: entry.execArgv,
    env: opts.env ?? process.env,
    stdio: opts.stdio === 'inherit' ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let final: (TrainingEvent & { type: 'finished' | 'failed' }) | undefined;
  let lastCheckpoint: string | null = null;
  let runDir = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  child.on('message', (m: unknown) => {
    if (!isTrainingEvent(m)) return;
    runDir = m.run_dir;
    if (m.type === 'checkpoint') lastCheckpoint = m.path;
    if (m.type === 'finished' || m.type === 'failed') final = m;
    onEvent(m);
  });
  const done = new Promise<TrainingEvent & { type: 'finished' | 'failed' }>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (final) return resolve(final);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = stderr.trim() ? `; its last output:\n${stderr.trim()}` : '';
      const e: TrainingEvent & { type: 'failed' } = {
        type: 'failed',
        run_dir: runDir,
        time: Date.now(),
        step: -1,
        message: `the training process ${how} before it finished${lastCheckpoint ? `; resume from ${lastCheckpoint} with --resume-from-checkpoint latest` : ''}${tail}`,
        last_checkpoint: lastCheckpoint,
      };
      onEvent(e);
      resolve(e);
    };
    child.on('exit', finish);
    child.on('error', (err) => {
      stderr += `\n${err.message}`;
    });
  });
  child.send({ type: 'start', request: req });
  return {
    child,
    done,
    stop(reason) {
      const cmd: TrainingCommand = { type: 'stop', ...(reason ? { reason } : {}) };
      if (child.connected) child.send(cmd);
      else child.kill('SIGTERM');
    },
  };
}
