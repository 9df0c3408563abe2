// Which modality a prompt asks for, read from the tags it asks the completion to carry
// ("... enclose the SMILES string in <smiles> and </smiles> tags" -> SMILES). A prompt naming tags
// of two modalities, or none, has no inferred modality (null): guessing would mislead the policy.

import { TAG_MODALITY } from '../seq/detect/hints';
import type { Modality } from '../modality';
import type { PromptText } from './types';

const TAG = /<\/?([A-Za-z_]+)>/g;

export interface TagReading {
  /** The one modality the prompt's tags name, or null. */
  modality: Modality | null;
  /** Every tag name found (lowercased), e.g. ["smiles"]; for messages about them. */
  tags: string[];
  /** Modalities named by tags, in order of first mention. */
  named: Modality[];
}

export function promptText(p: PromptText): string {
  return typeof p === 'string' ? p : p.map((m) => m.content).join('\n');
}

export function readPromptTags(prompt: PromptText): TagReading {
  const tags: string[] = [];
  const named: Modality[] = [];
  for (const m of promptText(prompt).matchAll(TAG)) {
    const name = m[1]!.toLowerCase();
    if (!tags.includes(name)) tags.push(name);
    const modality = TAG_MODALITY[name];
    if (modality && !named.includes(modality)) named.push(modality);
  }
  return { modality: named.length === 1 ? named[0]! : null, tags, named };
}

export function inferModality(prompt: PromptText): Modality | null {
  return readPromptTags(prompt).modality;
}
