// The extension-host suite's entry (bundled by esbuild into out/test/vscode/suite.js, mocha left
// external). VS Code calls run() in the extension host: @vscode/test-electron on machines that can
// download VS Code (npm run test:vscode), code-server's test-runner mode here (npm run test:vscode:web).
// The same file runs under both. It prints the pass/fail counts as its last line.
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';
import type { Tdd } from './tdd';
import { languageFeatureTests } from './language-features.suite';
import { commandTests } from './commands.suite';
import { dashboardTests } from './dashboard.suite';
import { rewardTests } from './rewards.suite';

const FILES: Array<(t: Tdd) => void> = [languageFeatureTests, commandTests, rewardTests, dashboardTests];

export function run(): Promise<void> {
  // Which copy of the extension is under test (the checkout, or the folder a .vsix was installed into).
  console.log(`UME extension-host suite: extension under test at ${vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '(not found)'}`);
  const mocha = new Mocha({ ui: 'tdd', timeout: 90_000, color: false, reporter: 'spec' });
  const context: Record<string, unknown> = {};
  mocha.suite.emit('pre-require', context, 'ume-extension-host-suite', mocha);
  for (const define of FILES) define(context as unknown as Tdd);
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes, failures: failed, pending } = runner.stats ?? { passes: 0, failures, pending: 0 };
      console.log(`UME extension-host suite: ${passes} passed, ${failed} failed, ${pending} pending`);
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
  });
}
