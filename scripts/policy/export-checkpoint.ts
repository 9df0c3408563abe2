// Exports a policy-tiny training checkpoint as a model folder (config.json + model.safetensors),
// e.g. to evaluate a run while it trains or to ship a checkpoint of a stopped run.
//
//   node --import tsx scripts/policy/export-checkpoint.ts --checkpoint runs/policy-tiny/checkpoints/checkpoint-N [--out DIR] [--storage F16|F32]

import { parseArgs } from 'node:util';
import { loadCheckpoint } from '../../server/src/engine/checkpoint/checkpoint';
import { gptParamSpecs } from '../../server/src/engine/models/gpt';
import { checkConfig, savePolicyFolder, type PolicyTinyConfig } from '../../server/src/engine/policy/tiny';
import { MODEL_DIR } from './policy-data';

const { values: args } = parseArgs({ options: { checkpoint: { type: 'string' }, out: { type: 'string', default: MODEL_DIR }, storage: { type: 'string', default: 'F16' } } });

async function main(): Promise<void> {
  if (!args.checkpoint) throw new Error('--checkpoint DIR is required (a directory under runs/policy-tiny/checkpoints/)');
  if (args.storage !== 'F16' && args.storage !== 'F32') throw new Error(`--storage must be F16 or F32, got "${args.storage}"`);
  const { manifest } = await loadCheckpoint(args.checkpoint);
  const config = (manifest.config as { policy?: PolicyTinyConfig } | undefined)?.policy;
  if (!config) throw new Error(`${args.checkpoint} was not written by train-policy-tiny.ts (its config has no "policy" entry)`);
  checkConfig(config, args.checkpoint);
  const { params } = await loadCheckpoint(args.checkpoint, { expectedParams: gptParamSpecs(config).map((s) => ({ name: s.name, dtype: 'float32' as const, shape: s.shape })) });
  const tokensSeen = (manifest.data as { tokensSeen?: number } | undefined)?.tokensSeen ?? 0;
  await savePolicyFolder(args.out, config, params, { storage: args.storage, metadata: { steps: String(manifest.step), tokens_seen: String(tokensSeen), trained_by: 'scripts/policy/train-policy-tiny.ts' }, extra: { training: { steps: manifest.step, tokensSeen, checkpoint: args.checkpoint } } });
  console.log(`exported step ${manifest.step} of ${args.checkpoint} to ${args.out} (${args.storage})`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
