// What the dashboard's browser tests and bench share: the page bundle built into a private folder
// (the same esbuild options as scripts/build.mjs's webview entry, so tests never read a dist/ that
// another build is writing), the long fixture run generated on demand, and a dashboard server on
// fixture folders.

import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DashboardSource } from '../../server/src/dashboard/source';
import { startDashboardServer, type DashboardServer } from '../../server/src/dashboard/server';
import { findDashboardAssets, type DashboardAssets } from '../../server/src/dashboard/assets';
import { FIXTURE_ROOT, LONG_FIXTURE, writeFixture, type FixtureSpec } from '../../scripts/make-run-fixtures';

export const repoRoot = resolve(__dirname, '..', '..');
export const artifacts = join(repoRoot, '.test-artifacts', 'dashboard');

let built: Promise<DashboardAssets> | null = null;

/** The webview bundle, built once per process into .tmp/. */
export function buildWebview(): Promise<DashboardAssets> {
  built ??= (async () => {
    const out = join(repoRoot, '.tmp', `dashboard-webview-${process.pid}`);
    await esbuild.build({ entryPoints: [join(repoRoot, 'webview/src/main.ts')], outfile: join(out, 'dashboard.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, sourcemap: false, logLevel: 'warning' });
    return findDashboardAssets(out);
  })();
  return built;
}

/** A fixture run folder; the long one is written on first use (seeded: same bytes every time). */
export async function fixtureRun(name: string): Promise<string> {
  const dir = join(FIXTURE_ROOT, name);
  if (existsSync(join(dir, 'summary.json')) || existsSync(join(dir, 'status.json'))) return dir;
  if (name !== LONG_FIXTURE.name) throw new Error(`no fixture run ${name}; run node --import tsx scripts/make-run-fixtures.ts`);
  return writeFixture(LONG_FIXTURE, FIXTURE_ROOT);
}

/** A fixture spec written somewhere else (bench: 10k steps). */
export async function generatedRun(spec: FixtureSpec, root: string): Promise<string> {
  mkdirSync(root, { recursive: true });
  if (existsSync(join(root, spec.name, 'summary.json'))) return join(root, spec.name);
  return writeFixture(spec, root);
}

/** A private copy of a fixture run that a test may append to. */
export function copyRun(src: string): string {
  const dst = join(mkdtempSync(join(tmpdir(), 'ume-dash-run-')), 'live-copy');
  cpSync(src, dst, { recursive: true });
  return dst;
}

export async function serve(dirs: string[], intervalMs = 250): Promise<{ server: DashboardServer; source: DashboardSource; close(): Promise<void> }> {
  const assets = await buildWebview();
  const source = await DashboardSource.open(dirs, { intervalMs });
  source.follow();
  const server = await startDashboardServer({ source, assets, port: 0 });
  return {
    server,
    source,
    close: async () => {
      source.stop();
      await server.close();
    },
  };
}
