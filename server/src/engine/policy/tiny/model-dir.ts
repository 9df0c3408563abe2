// Where the shipped policy-tiny folder is: beside this file's source (tsx runs from the tree), or,
// from the bundle in dist/, a dist/models copy and then the source tree next to dist (as
// engine/reward/model-path.ts finds ume-tiny).

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const POLICY_TINY_NAME = 'policy-tiny';

export function policyTinyDirs(here: string = __dirname): string[] {
  const dirs = /[\\/]dist$/.test(here)
    ? [join(here, 'models', POLICY_TINY_NAME), join(here, '..', 'server', 'src', 'engine', 'policy', 'models', POLICY_TINY_NAME)]
    : [join(here, '..', 'models', POLICY_TINY_NAME)];
  return dirs.map((d) => resolve(d));
}

/** The first candidate folder holding a config.json, else an error naming where it looked. */
export function policyTinyDir(here?: string): string {
  const dirs = policyTinyDirs(here);
  const found = dirs.find((d) => existsSync(join(d, 'config.json')));
  if (!found) {
    throw new Error(`the shipped policy-tiny model is missing (looked in ${dirs.join(' and ')}); update your checkout, or rebuild it with scripts/policy/train-policy-tiny.ts (see its model card)`);
  }
  return found;
}
