// The config layers a run started from the editor trains with: relative paths in the user's
// settings resolved against the workspace folder (the training process's working folder is the
// server's, not the workspace), and a resume's layers taken from the run's own config.json so its
// settings match the checkpoint's (only RESUME_MUTABLE_KEYS may change).

import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { ConfigError, RESUME_MUTABLE_KEYS, isConfigKey, type ConfigKey } from '../../engine/training/config';
import { RUN_FILES, type RunConfigFile } from '../../protocol/run-format';
import { didYouMean } from '../../engine/util/nearest-name';

/** Keys that hold paths, and the words they accept instead of a path. */
const PATH_KEYS: Partial<Record<ConfigKey, readonly string[]>> = {
  output_dir: [],
  dataset: ['synthetic'],
  eval_dataset: [],
  policy: ['policy-tiny'],
  reward_config: [],
  ume_model: [],
  generation_log_dir: [],
};

/** `~/x` is the home folder, a relative path starts at `baseDir`; words like "synthetic" stay as they are. */
export function resolvePath(value: string, baseDir: string | null): string {
  if (value === '~') return homedir();
  if (value.startsWith('~/')) return join(homedir(), value.slice(2));
  if (isAbsolute(value) || baseDir === null) return value;
  return resolve(baseDir, value);
}

export function resolvePathKeys(layer: Record<string, unknown>, baseDir: string | null): Record<string, unknown> {
  const out: Record<string, unknown> = { ...layer };
  for (const [key, words] of Object.entries(PATH_KEYS) as Array<[ConfigKey, readonly string[]]>) {
    const v = out[key];
    if (typeof v === 'string' && v !== '' && !words.includes(v)) out[key] = resolvePath(v, baseDir);
  }
  return out;
}

/**
 * A resume's layers: the run's resolved settings from config.json, the folder it lives in (it may
 * have moved), and the allowed overrides. Throws a ConfigError naming the problem.
 */
export async function resumeLayers(runDir: string, overrides: Record<string, unknown> = {}): Promise<Array<Record<string, unknown>>> {
  const file = join(runDir, RUN_FILES.config);
  let saved: Partial<RunConfigFile>;
  try {
    saved = JSON.parse(await readFile(file, 'utf8')) as Partial<RunConfigFile>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${runDir} has no ${RUN_FILES.config}: it is not a run folder, or the run failed before it started; start a new run instead`
        : `${file} cannot be read (${code ?? 'not valid JSON'}); the run cannot be resumed`,
    );
  }
  if (!saved.config || typeof saved.config !== 'object') throw new ConfigError(`${file} has no "config" object; the run cannot be resumed`);
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(overrides)) {
    if (!isConfigKey(k)) throw new ConfigError(`unknown setting "${k}"${didYouMean(k, RESUME_MUTABLE_KEYS)}`);
    if (!RESUME_MUTABLE_KEYS.includes(k)) throw new ConfigError(`${k} cannot change on resume (the checkpoint was trained with ${JSON.stringify(saved.config[k])}); a resume may change only ${RESUME_MUTABLE_KEYS.join(', ')}`);
    extra[k] = v;
  }
  // config.json holds the resolved settings, where generation_batch_size and steps_per_generation
  // are both set (one derived from the other); resolving again takes one of them.
  const settings: Record<string, unknown> = { ...saved.config };
  if (settings['generation_batch_size'] != null && settings['steps_per_generation'] != null) delete settings['steps_per_generation'];
  return [settings, { output_dir: dirname(runDir), run_name: basename(runDir) }, extra];
}
