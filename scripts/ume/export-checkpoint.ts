// Exports a training checkpoint as ume-tiny's shipped weights, e.g. after a resumed or stopped run
// was gated with eval-quality.ts --checkpoint.
//
//   node --import tsx scripts/ume/export-checkpoint.ts --checkpoint runs/ume-tiny/checkpoints/checkpoint-N [--size LxHxHEADSxFFN] [--storage F16]

import { parseArgs } from 'node:util';
import { loadCheckpoint } from '../../server/src/engine/checkpoint/checkpoint';
import { exportWeights, parseStorage } from './export-weights';
import { MODEL_DIR, umeTinySized } from './ume-tiny-config';

const { values: args } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    size: { type: 'string', default: '' },
    storage: { type: 'string', default: 'F32' },
    out: { type: 'string', default: MODEL_DIR },
  },
});

async function main(): Promise<void> {
  if (!args.checkpoint) throw new Error('--checkpoint DIR is required (a directory under runs/*/checkpoints/)');
  const storage = parseStorage(args.storage);
  const config = umeTinySized(args.size);
  const { manifest, params } = await loadCheckpoint(args.checkpoint);
  const data = (manifest.data ?? {}) as { tokensSeen?: number };
  const path = await exportWeights(config, params, { steps: manifest.step, tokensSeen: data.tokensSeen ?? 0, storage }, args.out);
  console.log(`exported step ${manifest.step} of ${args.checkpoint} to ${path} (${storage})`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
