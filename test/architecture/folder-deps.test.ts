// Folder dependencies that DEVELOPERS.md and issue 13 fix: seq/ and ume/ do not import each other
// (both use the neutral engine/modality.ts and engine/vocab/), checkpoint/ does not import train/
// (train/ imports checkpoint/; ParameterSet lives in engine/tensors/), and only server/src/lsp/
// imports the language-server packages (the engine is pure TypeScript the CLI runs too).
// Imports are read with TypeScript's own pre-processor (static, dynamic, `export ... from`, require).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const SERVER = 'server/src';

interface Rule {
  name: string;
  /** Does the rule look at this importing file (repository-relative, '/'-separated)? */
  from: (file: string) => boolean;
  /** Is this import (a resolved repository path for relative imports, else the package name) forbidden? */
  forbids: (target: string) => boolean;
}

const under = (folder: string) => (p: string): boolean => p.startsWith(`${folder}/`);
const isTest = (p: string): boolean => p.endsWith('.test.ts');
const LSP_PACKAGE = /^vscode-languageserver(-protocol)?(\/|$)/;

export const RULES: readonly Rule[] = [
  { name: 'engine/ume must not import engine/seq', from: under(`${SERVER}/engine/ume`), forbids: under(`${SERVER}/engine/seq`) },
  { name: 'engine/seq must not import engine/ume', from: under(`${SERVER}/engine/seq`), forbids: under(`${SERVER}/engine/ume`) },
  {
    // Tests may build fixtures with train/'s initializers and Rng: no cycle at run time.
    name: 'engine/checkpoint must not import engine/train',
    from: (p) => under(`${SERVER}/engine/checkpoint`)(p) && !isTest(p),
    forbids: under(`${SERVER}/engine/train`),
  },
  {
    // vscode-languageserver-textdocument (a plain text-document class) is not the server API.
    name: 'only server/src/lsp imports vscode-languageserver',
    from: (p) => under(SERVER)(p) && !under(`${SERVER}/lsp`)(p),
    forbids: (t) => LSP_PACKAGE.test(t),
  },
];

/** Import targets of one file: repository-relative paths (no extension) for relative imports, package names otherwise. */
export function importTargets(file: string, text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName }) =>
    fileName.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), fileName)).split(sep).join('/') : fileName,
  );
}

export function violations(files: ReadonlyMap<string, string>, rules: readonly Rule[] = RULES): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    const applicable = rules.filter((r) => r.from(file));
    if (applicable.length === 0) continue;
    for (const target of importTargets(file, text)) {
      for (const r of applicable) if (r.forbids(target)) out.push(`${file} imports ${target}: ${r.name}`);
    }
  }
  return out;
}

function sources(dir: string, acc = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = `${dir}/${name}`;
    if (statSync(join(ROOT, p)).isDirectory()) sources(p, acc);
    else if (/\.(ts|mts|cts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) acc.set(p, readFileSync(join(ROOT, p), 'utf8'));
  }
  return acc;
}

test('the checker finds each kind of back-tie (static, type-only, re-export, dynamic, require)', () => {
  const files = new Map([
    [`${SERVER}/engine/ume/a.ts`, "import type { Modality } from '../seq/types';\nexport { x } from '../modality';"],
    [`${SERVER}/engine/seq/detect/b.ts`, "export { SMILES_SPLIT } from '../../ume/tokenizer';"],
    [`${SERVER}/engine/checkpoint/c.ts`, "const m = await import('../train/params');"],
    [`${SERVER}/engine/checkpoint/c.test.ts`, "import { init } from '../train/params';"],
    [`${SERVER}/engine/reward/d.ts`, "const s = require('vscode-languageserver/node');\nimport 'vscode-languageserver-textdocument';"],
    [`${SERVER}/lsp/e.ts`, "import { createConnection } from 'vscode-languageserver/node';"],
  ]);
  assert.deepEqual(violations(files), [
    `${SERVER}/engine/ume/a.ts imports ${SERVER}/engine/seq/types: engine/ume must not import engine/seq`,
    `${SERVER}/engine/seq/detect/b.ts imports ${SERVER}/engine/ume/tokenizer: engine/seq must not import engine/ume`,
    `${SERVER}/engine/checkpoint/c.ts imports ${SERVER}/engine/train/params: engine/checkpoint must not import engine/train`,
    `${SERVER}/engine/reward/d.ts imports vscode-languageserver/node: only server/src/lsp imports vscode-languageserver`,
  ]);
});

test('the source tree has none of the forbidden folder dependencies', () => {
  const files = sources(SERVER);
  assert.ok(files.size > 100 && [...files.keys()].some((f) => f.startsWith(`${SERVER}/engine/ume/`)), 'read the real tree');
  assert.deepEqual(violations(files), []);
});
