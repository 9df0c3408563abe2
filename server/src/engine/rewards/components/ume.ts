// ume: the UME reward (PLL / temperature, rewards/ume.ts) as a component. The sequence other
// components read is handed to UME re-tagged, so every component judges the same sequence; a row
// no sequence could be read from goes to UME as written and gets its penalty (kind says why).

import { createUmeReward, type UmeReward } from '../ume';
import { PLL_MODES } from '../../ume/pll';
import type { Modality } from '../../seq/types';
import type { ParamSpec } from './params';
import type { BuildContext, Component, ComponentRow, Measurement } from './types';
import { resolve } from 'node:path';

export const UME_PARAMS: ParamSpec = {
  model: { kind: 'string', doc: 'UME weights: a .safetensors file or a folder (default: the embedded ume-tiny); relative to the config file' },
  mode: { kind: 'string', values: PLL_MODES, default: 'sampled', doc: 'PLL mode: masked (true PLL), sampled (k positions, unbiased), unmasked (lobster)' },
  temperature: { kind: 'number', default: 0.1, min: 1e-6, doc: 'reward = PLL / temperature (lobster: 0.1)' },
  k: { kind: 'integer', min: 1, doc: 'sampled mode: positions per sequence (default 16)' },
  seed: { kind: 'integer', doc: 'sampled mode: position seed (default 0)' },
  device: { kind: 'string', values: ['auto', 'cpu', 'cuda', 'webgpu'], default: 'auto', doc: 'execution provider' },
  threads: { kind: 'integer', min: 1, doc: 'ONNX Runtime threads' },
  batch_size: { kind: 'integer', min: 1, doc: 'sequences per scorer call (default 8)' },
};

const TAG: Record<Modality, string> = { SMILES: 'smiles', amino_acid: 'protein', nucleotide: 'dna' };

export async function umeComponent(name: string, params: Record<string, unknown>, ctx: BuildContext): Promise<Component> {
  const p = params as { model?: string; mode: (typeof PLL_MODES)[number]; temperature: number; k?: number; seed?: number; device: 'auto' | 'cpu' | 'cuda' | 'webgpu'; threads?: number; batch_size?: number };
  const reward: UmeReward = await createUmeReward({
    name,
    mode: p.mode,
    temperature: p.temperature,
    device: p.device,
    ...(p.model !== undefined ? { model: resolve(ctx.baseDir, p.model) } : {}),
    ...(p.k !== undefined ? { k: p.k } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    ...(p.threads !== undefined ? { threads: p.threads } : {}),
    ...(p.batch_size !== undefined ? { batchSize: p.batch_size } : {}),
  });
  const asInput = (r: ComponentRow) => (r.seq.ok ? { ...r.input, completion: `<${TAG[r.seq.modality]}>${r.seq.text}</${TAG[r.seq.modality]}>` } : r.input);
  return {
    name,
    type: 'ume',
    async measure(rows, options): Promise<Measurement[]> {
      const res = await reward.score(rows.map(asInput), options);
      return res.map((r) => (r.value === null ? { raw: null, error: r.reason ?? 'UME could not score this row', ...(r.kind ? { kind: r.kind } : {}) } : { raw: r.value, ...(r.kind ? { kind: r.kind, error: r.reason ?? r.kind } : {}) }));
    },
    close: async () => reward.close?.(),
  };
}
