// Diversity of generated sequences, to catch a policy that collapses into low-complexity repeats
// (a reward hole GRPO finds quickly): distinct k-mers over all k-mers of the completions' contents.

import { extractTagged } from '../reward/extract';

/** The sequence content of a completion: the text inside its first tag, else the whole text. */
export function sequenceContent(completion: string): string {
  const span = extractTagged(completion).spans[0];
  if (span) return span.content;
  return completion.replace(/<\/?[a-z_]+>/gi, '');
}

/** Distinct k-mers / all k-mers (1 when every k-mer is new; near 0 for "AAAAAA..."); NaN without any k-mer. */
export function kmerDiversity(texts: readonly string[], k = 3): number {
  const seen = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const s = sequenceContent(t);
    for (let i = 0; i + k <= s.length; i++) {
      seen.add(s.slice(i, i + k));
      total++;
    }
  }
  return total ? seen.size / total : NaN;
}
