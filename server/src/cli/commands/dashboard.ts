// `ume-studio dashboard RUN_DIR... [--port P]` serves the training dashboard on 127.0.0.1 and
// follows the run folders live; `--export report.html` writes it as one self-contained file.

import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { RUN_FILES } from '../../protocol/run-format';
import { listRuns } from '../../engine/runs/list';
import { nodeFs, writeFileAtomic } from '../../engine/checkpoint/atomic';
import { DashboardSource } from '../../dashboard/source';
import { findDashboardAssets } from '../../dashboard/assets';
import { startDashboardServer } from '../../dashboard/server';
import { exportDashboard, MAX_EXPORTED_MOLECULES } from '../../dashboard/export';
import { exportRunsToTensorBoard } from '../../engine/runs/tensorboard';
import { intOption, parse } from '../args';
import { ExitCode, UsageError, type CliIO, type Subcommand } from '../registry';

const NAME = 'dashboard';
export const DEFAULT_DASHBOARD_PORT = 6060;

const HELP = `Usage: ume-studio dashboard RUN_DIR... [--port P]
       ume-studio dashboard RUN_DIR... --export report.html [--no-molecules]
       ume-studio dashboard RUN_DIR... --tensorboard DIR [--follow]

Serves the training dashboard for one or more run folders at http://127.0.0.1:P/ (this machine
only): reward curves, every logged step's completions with molecule drawings, run comparison.
Running runs are followed live: new steps appear in the page as they are written. A folder that
holds run folders (an output_dir such as runs/) stands for all of them.

  --port P          port on 127.0.0.1 (0: any free port). Default: ${DEFAULT_DASHBOARD_PORT}, or a free one if taken
  --export FILE     write a self-contained HTML report instead of serving (data inlined; opens offline)
  --no-molecules    with --export: leave the molecule drawings out (SMILES shown as text)
  --tensorboard DIR write TensorBoard event files instead of serving: DIR/RUN_NAME/events.out.tfevents.*
                    (every metrics scalar under its own name, the reward histogram as a histogram);
                    then: tensorboard --logdir DIR
  --follow          with --tensorboard: keep the event files up to date while the runs train (Ctrl+C to stop)
  --assets DIR      where the built page is (default: beside the CLI, dist/webview)
  -h, --help        show this help

For a remote machine: ssh -L ${DEFAULT_DASHBOARD_PORT}:127.0.0.1:${DEFAULT_DASHBOARD_PORT} HOST, then open http://127.0.0.1:${DEFAULT_DASHBOARD_PORT}/ here.

Exit status: 0 ok, 2 usage error (no such folder, not a run folder), 3 internal error.`;

const isRunFolder = (d: string): boolean => [RUN_FILES.metrics, RUN_FILES.status, RUN_FILES.config, RUN_FILES.summary].some((f) => existsSync(join(d, f)));

/** Run folders named directly, or the runs inside an output folder. */
export async function expandRunDirs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    const d = resolve(a);
    let st;
    try {
      st = statSync(d);
    } catch {
      throw new UsageError(`${NAME}: ${a} does not exist; give a run folder (OUTPUT_DIR/RUN_NAME) or an output folder holding runs`);
    }
    if (!st.isDirectory()) throw new UsageError(`${NAME}: ${a} is a file; give its run folder (the folder holding metrics.jsonl)`);
    if (isRunFolder(d)) {
      out.push(d);
      continue;
    }
    const runs = await listRuns(d);
    if (runs.length === 0) throw new UsageError(`${NAME}: ${a} is not a run folder (no metrics.jsonl, status.json or config.json) and holds no run folders`);
    out.push(...runs.map((r) => r.dir));
  }
  return [...new Set(out)];
}

/** Resolves on Ctrl+C (SIGINT) or SIGTERM: the end of a serving or following command. */
const untilStopped = (): Promise<void> =>
  new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

async function tensorboard(dirs: string[], outDir: string, follow: boolean, io: CliIO): Promise<number> {
  if (dirs.some((d) => outDir === d || outDir.startsWith(d + sep))) throw new UsageError(`${NAME}: --tensorboard ${outDir} is inside a run folder; pick a folder outside the runs (e.g. runs-tb/)`);
  const tb = await exportRunsToTensorBoard(dirs, outDir, {
    follow,
    onWrite: follow ? (run, n) => n && io.out(`${basename(run)}: +${n} step(s)`) : undefined,
    onError: (e) => io.err(e.message),
  });
  for (const r of tb.runs) io.out(`${r.dir} -> ${r.out} (${r.writer.written} steps)`);
  for (const p of tb.problems) io.err(p);
  io.out(`View with: tensorboard --logdir ${outDir}`);
  if (!follow) return ExitCode.ok;
  io.out('Following the runs (Ctrl+C to stop)...');
  await untilStopped();
  await tb.stop();
  return ExitCode.ok;
}

export const dashboardCommand: Subcommand = {
  name: NAME,
  summary: 'Serve the training dashboard for run folders on 127.0.0.1, or export it as one HTML file',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(NAME, args, {
      port: { type: 'string' },
      export: { type: 'string' },
      'no-molecules': { type: 'boolean' },
      tensorboard: { type: 'string' },
      follow: { type: 'boolean' },
      assets: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(HELP);
      return ExitCode.ok;
    }
    if (positionals.length === 0) throw new UsageError(`${NAME}: give at least one run folder, e.g. ume-studio dashboard runs/my-run`);
    const port = intOption(NAME, 'port', values.port, 0);
    if (port !== undefined && port > 65535) throw new UsageError(`${NAME}: --port must be at most 65535, got ${port}`);
    if (values['no-molecules'] && values.export === undefined) throw new UsageError(`${NAME}: --no-molecules goes with --export`);
    if (values.follow && values.tensorboard === undefined) throw new UsageError(`${NAME}: --follow goes with --tensorboard DIR`);
    if (values.tensorboard !== undefined && (values.export !== undefined || values.port !== undefined)) throw new UsageError(`${NAME}: --tensorboard writes event files and does not serve or export; run it apart from --export/--port`);
    const dirs = await expandRunDirs(positionals);
    if (values.tensorboard !== undefined) return tensorboard(dirs, resolve(values.tensorboard), values.follow === true, io);
    let assets;
    try {
      assets = findDashboardAssets(values.assets);
    } catch (e) {
      throw new UsageError(`${NAME}: ${(e as Error).message}`);
    }
    const source = await DashboardSource.open(dirs);

    if (values.export !== undefined) {
      const file = resolve(values.export);
      const r = await exportDashboard({ source, assets, molecules: !values['no-molecules'] });
      await writeFileAtomic(nodeFs, file, [Buffer.from(r.html, 'utf8')]);
      const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
      io.out(`Wrote ${file} (${mb(r.bytes.total)}: data ${mb(r.bytes.data)}, ${r.drawn} molecule drawings ${mb(r.bytes.molecules)}) with ${dirs.length} run(s). It opens offline in any browser.`);
      if (r.skipped) io.err(`${r.skipped} SMILES beyond the first ${MAX_EXPORTED_MOLECULES} per run are shown as text only.`);
      source.stop();
      return ExitCode.ok;
    }

    source.follow();
    let server;
    try {
      server = await startDashboardServer({ source, assets, port: port ?? DEFAULT_DASHBOARD_PORT });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      if (port !== undefined) throw new UsageError(`${NAME}: port ${port} is taken on 127.0.0.1; pick another with --port, or --port 0 for any free one`);
      server = await startDashboardServer({ source, assets, port: 0 });
      io.err(`Port ${DEFAULT_DASHBOARD_PORT} is taken; using ${server.port}.`);
    }
    io.out(`Dashboard for ${dirs.length} run(s) at ${server.url}  (Ctrl+C to stop)`);
    for (const d of dirs) io.out(`  ${d}`);
    await untilStopped();
    source.stop();
    await server.close();
    return ExitCode.ok;
  },
};
