// ume-tiny's architecture and paths, shared by the training, export and evaluation scripts.
// Why this size: see server/src/engine/ume/models/ume-tiny/MODEL_CARD.md (measured by measure-size.ts).

import { umeConfig, type UmeConfig } from '../../server/src/engine/ume/config';

export const UME_TINY: UmeConfig = umeConfig({ name: 'ume-tiny', numLayers: 1, hiddenSize: 256, numHeads: 16, intermediateSize: 8192 });
export const MAX_LENGTH = 256;
export const MODEL_DIR = 'server/src/engine/ume/models/ume-tiny';

/**
 * ume-tiny's config with another shape, for experiments: "LxHxHEADSxFFN" (e.g. 1x256x16x4096).
 * Undefined or empty gives UME_TINY itself.
 */
export function umeTinySized(size: string | undefined): UmeConfig {
  if (!size) return UME_TINY;
  const m = /^(\d+)x(\d+)x(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`--size must be LAYERSxHIDDENxHEADSxFFN (e.g. 2x128x4x512), got "${size}"`);
  const [numLayers, hiddenSize, numHeads, intermediateSize] = m.slice(1).map(Number) as [number, number, number, number];
  if (hiddenSize % numHeads !== 0) throw new Error(`--size ${size}: hidden ${hiddenSize} is not divisible by ${numHeads} heads`);
  return umeConfig({ name: 'ume-tiny', numLayers, hiddenSize, numHeads, intermediateSize });
}
