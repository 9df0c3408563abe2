// The `umeStudio.training.*` settings: one per training config key (engine/training/config.ts),
// camelCase as VS Code settings are, with the key's default, checks and documentation. The manifest
// entries are generated from here (scripts/gen-training-settings.ts, kept in sync by a test), and
// the client reads the settings back into a config layer with the same table. No 'vscode' import:
// the script and unit tests load this file.

import { CONFIG_KEYS, type ConfigKey } from '../../../server/src/engine/training/config';

export const TRAINING_SECTION = 'umeStudio.training';

/** Keys without a setting: the run name is asked for each run (a fixed name would collide). */
const NOT_SETTINGS: readonly ConfigKey[] = ['run_name'];

/** The output folder's default in the editor: beside the workspace, not the server's working folder. */
export const OUTPUT_DIR_DEFAULT = '${workspaceFolder}/runs';

export const settingName = (key: string): string => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

export interface TrainingSetting {
  key: ConfigKey;
  /** Name under umeStudio.training (e.g. learningRate). */
  name: string;
  /** Full id (umeStudio.training.learningRate). */
  id: string;
}

export const TRAINING_SETTINGS: readonly TrainingSetting[] = (Object.keys(CONFIG_KEYS) as ConfigKey[])
  .filter((k) => !NOT_SETTINGS.includes(k))
  .map((key) => ({ key, name: settingName(key), id: `${TRAINING_SECTION}.${settingName(key)}` }));

type Spec = (typeof CONFIG_KEYS)[ConfigKey];
type Kind = Spec['kind'];

/** Words in the docs that keys are better shown as code. */
function docOf(key: ConfigKey, spec: Spec): string {
  const cli = `\`ume-studio train --${key}\``;
  const extra =
    key === 'output_dir'
      ? ' `${workspaceFolder}` is the workspace folder; a relative path starts there.'
      : ['dataset', 'eval_dataset', 'reward_config', 'ume_model', 'policy', 'generation_log_dir'].includes(key)
        ? ' A relative path starts at the workspace folder; `~/` is your home folder.'
        : '';
  return `${spec.doc}${extra} Same as ${cli} (TRL name \`${key}\`). Leave unset to use the preset's value or the default.`;
}

function typeOf(kind: Kind): Record<string, unknown> {
  const nullable = 'nullable' in kind && kind.nullable === true;
  const t = (base: string): string | string[] => (nullable ? [base, 'null'] : base);
  switch (kind.type) {
    case 'boolean':
      return { type: 'boolean' };
    case 'numbers':
      return { type: t('array'), items: { type: 'number' } };
    case 'string':
      return kind.values ? { type: t('string'), enum: nullable ? [...kind.values, null] : [...kind.values] } : { type: t('string') };
    case 'number': {
      const out: Record<string, unknown> = { type: t(kind.integer ? 'integer' : 'number') };
      if (kind.min !== undefined) out[kind.minExclusive ? 'exclusiveMinimum' : 'minimum'] = kind.min;
      if (kind.max !== undefined) out['maximum'] = kind.max;
      return out;
    }
  }
}

/** The manifest's `contributes.configuration.properties` entries for the training settings, in key order. */
export function trainingSettingsSchema(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  TRAINING_SETTINGS.forEach((s, i) => {
    const spec = CONFIG_KEYS[s.key];
    out[s.id] = {
      ...typeOf(spec.kind),
      default: s.key === 'output_dir' ? OUTPUT_DIR_DEFAULT : spec.default,
      scope: 'resource',
      order: i,
      markdownDescription: docOf(s.key, spec),
    };
  });
  return out;
}

/** What VS Code's `inspect()` says about one setting (the layers a user can set). */
export interface InspectedSetting {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The settings the user set (user, workspace or folder level), as a config layer with TRL's key
 * names. Unset settings are left out, so that a preset's values are not overridden by defaults;
 * the output folder always comes (its default is the workspace's, not the trainer's).
 */
export function settingsLayer(inspect: (name: string) => InspectedSetting | undefined): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const s of TRAINING_SETTINGS) {
    const i = inspect(s.name);
    const v = i?.workspaceFolderValue !== undefined ? i.workspaceFolderValue : i?.workspaceValue !== undefined ? i.workspaceValue : i?.globalValue;
    if (v !== undefined) layer[s.key] = v;
  }
  return layer;
}

/** `${workspaceFolder}`, `${userHome}` and a leading `~` in a path setting. */
export function expandPathVariables(value: string, workspaceFolder: string | null, home: string): string {
  let v = value.replace(/\$\{userHome\}/g, home);
  if (workspaceFolder !== null) v = v.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (v === '~' || v.startsWith('~/')) v = home + v.slice(1);
  return v;
}
