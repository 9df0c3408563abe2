// Produces dist/ume-studio.vsix with `npm run package`, unless the existing one is newer than
// every input that goes into it (bundled sources, manifest, grammars, media...).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, vsixPath } from './paths';

// Folders and files whose changes make a new package necessary.
const inputs = [
  'client/src', 'server/src', 'webview', 'media', 'syntaxes', 'language-configuration',
  'package.json', '.vscodeignore', 'scripts/build.mjs',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    // Tests do not go into the package; other helpers editing them must not force a repackage.
    if (name === 'node_modules' || name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

export function vsixIsFresh(): boolean {
  if (!existsSync(vsixPath)) return false;
  const built = statSync(vsixPath).mtimeMs;
  return inputs.every((p) => newestMtime(join(repoRoot, p)) <= built);
}

/** Returns the path of an up-to-date .vsix, building and packaging when needed. */
export function ensureVsix(log: (line: string) => void = () => {}): string {
  if (vsixIsFresh()) {
    log(`reusing ${vsixPath}`);
    return vsixPath;
  }
  log('running npm run package');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'package'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 || !existsSync(vsixPath)) {
    throw new Error(`npm run package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return vsixPath;
}
