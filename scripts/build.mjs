// Bundles the extension client, the language server and the CLI with esbuild.
// Native/wasm packages stay external: they are loaded from node_modules at run time.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
// --outdir DIR: bundles somewhere else than dist/ (tests build their own copy, so they never race
// another build or read a half-written dist/).
const outdirAt = process.argv.indexOf('--outdir');
const outdir = outdirAt >= 0 ? process.argv[outdirAt + 1] : 'dist';
if (!outdir) throw new Error('--outdir needs a folder');
const external = ['vscode', 'onnxruntime-node', '@rdkit/rdkit'];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  logLevel: 'info',
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: `${outdir}/client.js` },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: `${outdir}/server.js` },
  { entryPoints: ['server/src/engine/ume/thread/scorer-thread.ts'], outfile: `${outdir}/scorer-thread.js` },
  { entryPoints: ['server/src/cli/main.ts'], outfile: `${outdir}/cli.js`, banner: { js: '#!/usr/bin/env node' } },
  // The training process the CLI and the language server fork (server/src/trainer/launch.ts).
  { entryPoints: ['server/src/trainer/main.ts'], outfile: `${outdir}/trainer.js` },
  // The reward worker (server/src/engine/rewards/worker/proxy.ts forks it).
  { entryPoints: ['server/src/engine/rewards/worker/entry.ts'], outfile: `${outdir}/reward-worker.js` },
  // The dashboard page (webview/, issue 15) for the VS Code panel, `ume-studio dashboard` and exported
  // reports: a browser bundle with Chart.js inside, and dashboard.css beside it (imported by main.ts).
  { entryPoints: ['webview/src/main.ts'], outfile: `${outdir}/webview/dashboard.js`, platform: 'browser', format: 'iife', target: 'es2022', external: [], minify: true },
].filter((e) => existsSync(e.entryPoints[0]));

if (watch) {
  for (const e of entries) (await esbuild.context({ ...common, ...e })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
  if (existsSync(`${outdir}/cli.js`)) chmodSync(`${outdir}/cli.js`, 0o755);
}
