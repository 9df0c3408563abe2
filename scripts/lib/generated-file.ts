// The command-line half of every generator script (README tables, docs tables, package.json
// settings): rewrite the file when what the code generates differs from it, or with --check
// only report that it is out of date (exit 1), naming the command that fixes it.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export function regenerate(path: string, render: (current: string) => string, what: string, command: string): void {
  const current = readFileSync(path, 'utf8');
  const next = render(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error(`${what} is out of date. Run: ${command}`);
      process.exit(1);
    }
  } else if (next !== current) {
    writeFileSync(`${path}.tmp`, next);
    renameSync(`${path}.tmp`, path);
    console.log(`${what} updated.`);
  }
}
