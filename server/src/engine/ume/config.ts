// UME model sizes: the four published FlexBERT configurations (lobster's FLEXBERT_CONFIG_ARGS)
// plus our own embedded default. Everything else is FlexBERT's defaults as UME uses them
// (REFERENCE.md §1): RMSNorm eps 1e-5, exact GELU, no biases except the decoder's, no final norm,
// sinusoidal positions `posemb_sincos_1d` with temperature 10000.

import { VOCAB_SIZE, SPECIAL } from './tokenizer';

export interface UmeConfig {
  /** e.g. "ume-mini"; recorded in saved weights' metadata. */
  name: string;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  vocabSize: number;
  normEps: number;
  /** Sinusoid temperature of lobster's posemb_sincos_1d. */
  posTemperature: number;
  padId: number;
  /** Longest input (tokens incl. cls/eos) the model was trained on; scoring truncates there. */
  maxLength?: number;
}

const base = { vocabSize: VOCAB_SIZE, normEps: 1e-5, posTemperature: 10000, padId: SPECIAL.pad };

export const UME_SIZES = {
  'ume-mini': { name: 'ume-mini', numLayers: 6, numHeads: 6, hiddenSize: 384, intermediateSize: 1536, ...base },
  'ume-small': { name: 'ume-small', numLayers: 12, numHeads: 12, hiddenSize: 768, intermediateSize: 3072, ...base },
  'ume-medium': { name: 'ume-medium', numLayers: 24, numHeads: 20, hiddenSize: 1280, intermediateSize: 5120, ...base },
  'ume-large': { name: 'ume-large', numLayers: 24, numHeads: 24, hiddenSize: 1728, intermediateSize: 6912, ...base },
  // Our embedded default, sized for CPU latency (see models/ume-tiny/MODEL_CARD.md).
  'ume-tiny': { name: 'ume-tiny', numLayers: 1, numHeads: 16, hiddenSize: 256, intermediateSize: 8192, maxLength: 256, ...base },
} satisfies Record<string, UmeConfig>;

export type UmeSizeName = keyof typeof UME_SIZES;

/** lobster's model_name for each published size (the names its configs and docs use). */
export const LOBSTER_MODEL_NAMES: Partial<Record<UmeSizeName, string>> = {
  'ume-mini': 'UME_mini',
  'ume-small': 'UME_small',
  'ume-medium': 'UME_medium',
  'ume-large': 'UME_large',
};

/** A config by size name, or a custom one from overrides (validated). */
export function umeConfig(size: UmeSizeName | (Partial<UmeConfig> & Pick<UmeConfig, 'hiddenSize' | 'numLayers' | 'numHeads' | 'intermediateSize'>)): UmeConfig {
  const c: UmeConfig = typeof size === 'string' ? { ...UME_SIZES[size] } : { name: 'ume-custom', ...base, ...size };
  validateConfig(c);
  return c;
}

export function validateConfig(c: UmeConfig): void {
  const problems: string[] = [];
  for (const k of ['hiddenSize', 'numLayers', 'numHeads', 'intermediateSize', 'vocabSize'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) problems.push(`${k} must be a positive integer (got ${c[k]})`);
  }
  if (c.hiddenSize % c.numHeads !== 0) problems.push(`hiddenSize ${c.hiddenSize} is not divisible by numHeads ${c.numHeads}`);
  // posemb_sincos_1d divides by (hidden/2 - 1): a width of 2 would give infinite frequencies.
  if (c.hiddenSize % 2 !== 0 || c.hiddenSize < 4) problems.push(`hiddenSize ${c.hiddenSize} must be even and >= 4 for the sinusoidal positions`);
  if (c.vocabSize < VOCAB_SIZE) problems.push(`vocabSize ${c.vocabSize} is smaller than UME's tokenizer (${VOCAB_SIZE} ids)`);
  if (!(c.normEps > 0)) problems.push(`normEps must be positive (got ${c.normEps})`);
  if (problems.length) throw new Error(`invalid UME config "${c.name}": ${problems.join('; ')}`);
}

/** Heads by hidden size for the published sizes: files without metadata only tell us the width. */
export function publishedSizeForHidden(hidden: number): UmeSizeName | undefined {
  return (Object.keys(UME_SIZES) as UmeSizeName[]).find((k) => k !== 'ume-tiny' && UME_SIZES[k].hiddenSize === hidden);
}

/** Number of scalar parameters (what lobster's model card reports). */
export function umeParamCount(c: UmeConfig): number {
  const H = c.hiddenSize;
  const perLayer = 3 * H * H + H * H + 2 * H * c.intermediateSize + 2 * H;
  return c.vocabSize * H + H + c.numLayers * perLayer + H * H + H + H * c.vocabSize + c.vocabSize;
}
