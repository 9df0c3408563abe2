// The mocha TDD functions a test file defines its tests with. The suite is one esbuild bundle, so
// test files cannot rely on mocha's globals at import time: index.ts hands them these after mocha's
// pre-require, and each file exports a function that defines its tests.
import type Mocha from 'mocha';

export interface Tdd {
  suite: Mocha.SuiteFunction;
  test: Mocha.TestFunction;
  suiteSetup: Mocha.HookFunction;
  suiteTeardown: Mocha.HookFunction;
  setup: Mocha.HookFunction;
  teardown: Mocha.HookFunction;
}
