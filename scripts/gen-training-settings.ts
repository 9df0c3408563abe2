// Regenerates the `umeStudio.training.*` settings in package.json's contributes.configuration from
// the training config key table (client/src/training/settings-schema.ts over
// server/src/engine/training/config.ts), and the restricted-mode list that goes with them. Other
// settings and their order are left as they are; training settings not in the table are removed.
//   node --import tsx scripts/gen-training-settings.ts           rewrite package.json
//   node --import tsx scripts/gen-training-settings.ts --check   exit 1 if it is out of date

import { join } from 'node:path';
import { TRAINING_SECTION, trainingSettingsSchema } from '../client/src/training/settings-schema';
import { regenerate } from './lib/generated-file';

type Manifest = {
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, unknown> } };
  [k: string]: unknown;
};

export const UNTRUSTED_DESCRIPTION =
  'In Restricted Mode, UME Studio detects and scores sequences but does not train and applies no reward config (the hover reward section, Score Document with Reward Config): a training run or a reward config reads the files and models the workspace settings name. The umeStudio.training.* settings and umeStudio.rewards.configFile are taken from user settings only.';

/** package.json text with the training settings and the restricted-mode list regenerated. */
export function renderManifest(text: string): string {
  const pkg = JSON.parse(text) as Manifest;
  const props = pkg.contributes.configuration.properties;
  const schema = trainingSettingsSchema();
  const isTraining = (k: string): boolean => k.startsWith(`${TRAINING_SECTION}.`);
  const next: Record<string, unknown> = {};
  let placed = false;
  for (const [k, v] of Object.entries(props)) {
    if (isTraining(k)) {
      // The generated block goes where the first training setting was.
      if (!placed) Object.assign(next, schema);
      placed = true;
      continue;
    }
    next[k] = v;
  }
  if (!placed) Object.assign(next, schema);
  pkg.contributes.configuration.properties = next;
  const caps = (pkg.capabilities ??= {});
  const previous = caps.untrustedWorkspaces?.restrictedConfigurations ?? [];
  caps.untrustedWorkspaces = {
    supported: 'limited',
    description: UNTRUSTED_DESCRIPTION,
    restrictedConfigurations: [...previous.filter((k) => !isTraining(k)), ...Object.keys(schema)],
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

if (require.main === module) {
  regenerate(join(__dirname, '..', 'package.json'), renderManifest, 'package.json: the umeStudio.training.* settings', 'node --import tsx scripts/gen-training-settings.ts');
}
