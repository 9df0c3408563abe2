// Run folders to TensorBoard: one event-file folder per run under `outDir` (named after the run
// folder, so `tensorboard --logdir outDir` lists the runs by name), written from each run's
// metrics.jsonl; with `follow`, kept up to date while the runs train (resumes included).

import { basename, join } from 'node:path';
import { RunFollower } from '../reader/follow';
import { RunTail, type RunUpdate } from '../reader/run-tail';
import { TensorBoardWriter } from './event-writer';

export interface TensorBoardExport {
  runs: { dir: string; out: string; writer: TensorBoardWriter }[];
  /** Problems reading the runs, in words (damaged metrics lines and the like). */
  problems: string[];
  /** Stops following (no-op when not following); resolves when the last write is done. */
  stop(): Promise<void>;
}

/** Folder names that stay apart when two runs share a name (runs/a/x and other/x -> x, x-2). */
function outNames(dirs: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return dirs.map((d) => {
    const base = basename(d) || 'run';
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

export async function exportRunsToTensorBoard(dirs: readonly string[], outDir: string, opts: { follow?: boolean; onWrite?: (run: string, events: number) => void; onError?: (e: Error) => void } = {}): Promise<TensorBoardExport> {
  const names = outNames(dirs);
  const problems: string[] = [];
  const runs = dirs.map((dir, i) => ({ dir, out: join(outDir, names[i]!), writer: new TensorBoardWriter(join(outDir, names[i]!)) }));
  const tails = runs.map((r) => new RunTail(r.dir));
  for (let i = 0; i < runs.length; i++) {
    const u = await tails[i]!.poll();
    problems.push(...u.problems);
    const n = await runs[i]!.writer.reset(u.metrics);
    opts.onWrite?.(runs[i]!.dir, n);
  }
  if (!opts.follow) return { runs, problems, stop: async () => {} };

  // Writes of one run go one after another, in the order its updates came.
  const chains = runs.map(() => Promise.resolve());
  const followers = runs.map((r, i) => {
    const onUpdate = (u: RunUpdate): void => {
      if (!u.metrics.length && !u.metricsReset) return;
      chains[i] = chains[i]!.then(async () => {
        try {
          const n = u.metricsReset ? await r.writer.reset(u.metrics) : await r.writer.append(u.metrics);
          opts.onWrite?.(r.dir, n);
        } catch (e) {
          opts.onError?.(e as Error);
        }
      });
    };
    const f = new RunFollower(tails[i]!, onUpdate, { onError: opts.onError });
    f.start();
    return f;
  });
  return {
    runs,
    problems,
    stop: async () => {
      for (const f of followers) f.stop();
      await Promise.all(chains);
    },
  };
}
