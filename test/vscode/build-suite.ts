// Bundles the extension-host suite (test/vscode/suite/index.ts) into out/test/vscode/suite.js, the
// file both runners hand to VS Code as extensionTestsPath. mocha and vscode stay external: the
// extension host provides `vscode`, and mocha is resolved from node_modules next to out/.
import * as esbuild from 'esbuild';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const SUITE = join(ROOT, 'out', 'test', 'vscode', 'suite.js');

export async function buildSuite(): Promise<string> {
  await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'vscode', 'suite', 'index.ts')],
    outfile: SUITE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return SUITE;
}
