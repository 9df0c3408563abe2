// Runs every *.test.ts with node's test runner (through tsx, since Node 20 cannot strip types).
// Usage: node scripts/run-tests.mjs [--unit] [paths...]
//   --unit   skip test/e2e (the real VS Code suite)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const roots = args.filter((a) => !a.startsWith('--'));
const skipDirs = new Set(['node_modules', 'dist', 'out', '.git', '.e2e', '.test-artifacts']);

function collect(path, acc) {
  const st = statSync(path);
  if (st.isFile()) {
    if (path.endsWith('.test.ts')) acc.push(path);
    return acc;
  }
  for (const name of readdirSync(path).sort()) {
    if (skipDirs.has(name)) continue;
    if (unitOnly && join(path, name) === join('test', 'e2e')) continue;
    collect(join(path, name), acc);
  }
  return acc;
}

const files = (roots.length ? roots : ['server/src', 'client/src', 'test']).flatMap((r) => {
  try { return collect(r, []); } catch { return []; }
});
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
