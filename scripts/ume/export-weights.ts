// Writes ume-tiny's shipped files (model.safetensors + config.json) from trained parameters; shared
// by train-ume-tiny.ts (at the end of a run) and export-checkpoint.ts (from any checkpoint).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UmeConfig } from '../../server/src/engine/ume/config';
import type { ParameterSet } from '../../server/src/engine/train/params';
import { saveUmeWeights, type SaveOptions } from '../../server/src/engine/ume/weights';
import { MAX_LENGTH, MODEL_DIR } from './ume-tiny-config';

export interface ExportInfo {
  steps: number;
  tokensSeen: number;
  /** F16 halves the committed file; the model card's figures are measured on the file as shipped. */
  storage: NonNullable<SaveOptions['storage']>;
}

/** --storage as the scripts take it: F32 or F16, anything else an error that lists both. */
export function parseStorage(value: string | undefined): ExportInfo['storage'] {
  if (value === 'F32' || value === 'F16') return value;
  throw new Error(`--storage must be F32 or F16, got "${value}"`);
}

export async function exportWeights(config: UmeConfig, params: ParameterSet, info: ExportInfo, dir = MODEL_DIR): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'model.safetensors');
  await saveUmeWeights(path, config, params, { steps: String(info.steps), tokens_seen: String(info.tokensSeen), trained_by: 'scripts/ume/train-ume-tiny.ts' }, { storage: info.storage });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, maxLength: MAX_LENGTH, architecture: 'UME (lobster FlexBERT layout)', weights: 'model.safetensors', storage: info.storage }, null, 2) + '\n');
  return path;
}
