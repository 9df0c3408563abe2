// ume-tiny's architecture and paths, shared by the training, export and evaluation scripts.
// Why this size: see server/src/engine/ume/models/ume-tiny/MODEL_CARD.md (measured by measure-size.ts).

import { umeConfig, type UmeConfig } from '../../server/src/engine/ume/config';

export const UME_TINY: UmeConfig = umeConfig({ name: 'ume-tiny', numLayers: 2, hiddenSize: 128, numHeads: 4, intermediateSize: 512 });
export const MAX_LENGTH = 256;
export const MODEL_DIR = 'server/src/engine/ume/models/ume-tiny';
