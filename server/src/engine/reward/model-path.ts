// Where UME weights come from: a path the user gives (a .safetensors file, or a folder holding
// one), else the embedded default `ume-tiny`, which ships inside the source tree and beside the
// bundle. Missing weights are an error that says how to get them, never a silent fallback.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEFAULT_MODEL_NAME = 'ume-tiny';

/**
 * Folders the embedded default may sit in: beside this file's source (tsx runs from the tree), or,
 * from the bundle in dist/, a dist/models copy and then the source tree next to dist.
 */
export function defaultModelDirs(here: string = __dirname): string[] {
  const fromBundle = /[\\/]dist$/.test(here);
  const dirs = fromBundle
    ? [join(here, 'models', DEFAULT_MODEL_NAME), join(here, '..', 'server', 'src', 'engine', 'ume', 'models', DEFAULT_MODEL_NAME)]
    : [join(here, '..', 'ume', 'models', DEFAULT_MODEL_NAME)];
  return dirs.map((p) => resolve(p));
}

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
}

/** The one weights file in a folder: model.safetensors, <folder>.safetensors, or the only *.safetensors. */
function weightsIn(dir: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort();
  const base = dir.split(/[\\/]/).pop();
  const preferred = ['model.safetensors', `${base}.safetensors`].find((f) => files.includes(f));
  if (preferred) return join(dir, preferred);
  if (files.length === 1) return join(dir, files[0]!);
  if (files.length > 1) throw new ModelNotFoundError(`${dir} holds ${files.length} .safetensors files (${files.join(', ')}); pass the one to use as --model FILE`);
  return undefined;
}

export interface ResolvedModel {
  path: string;
  /** Model name for reports: the default's name, or the file name without extension. */
  name: string;
  isDefault: boolean;
}

export function resolveModel(given?: string, here?: string): ResolvedModel {
  if (given !== undefined) {
    const p = resolve(given);
    if (!existsSync(p)) throw new ModelNotFoundError(`UME weights "${given}" not found. Pass a .safetensors file (lobster parameter names; see docs/ume-weights.md) or a folder holding one.`);
    const file = statSync(p).isDirectory() ? weightsIn(p) : p;
    if (!file) throw new ModelNotFoundError(`no .safetensors file in the folder "${given}"; pass the weights file itself.`);
    return { path: file, name: file.split(/[\\/]/).pop()!.replace(/\.safetensors$/, ''), isDefault: false };
  }
  const dirs = defaultModelDirs(here);
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    const file = weightsIn(d);
    if (file) return { path: file, name: DEFAULT_MODEL_NAME, isDefault: true };
  }
  throw new ModelNotFoundError(
    `the embedded default model ${DEFAULT_MODEL_NAME} is missing (looked for a .safetensors file in ${dirs.join(' and ')}). ` +
      'Its weights are committed under server/src/engine/ume/models/ume-tiny/: update your checkout, or rebuild them with the scripts in scripts/ume/ (see the model card), ' +
      'or pass your own UME weights with --model PATH.',
  );
}
