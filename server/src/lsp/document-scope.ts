// Which documents the server analyses, and how. Files of the sequence languages are analysed
// completely; in any other language (Markdown, Python, notebooks...) only tagged sequences such as
// `<smiles>CCO</smiles>` are looked at, because plain-text detection would flag identifiers in code.

import { posix } from 'node:path';

/** Language ids whose whole content is analysed. */
export const SEQUENCE_LANGUAGES = ['fasta', 'smiles', 'csv', 'tsv', 'json', 'jsonl', 'plaintext'] as const;

/** URI schemes analysed: files on disk and unsaved editors. */
export const ANALYSED_SCHEMES = ['file', 'untitled'] as const;

export interface DocumentScope {
  /** Lowercased extension with the dot (".fasta"), or undefined (e.g. an untitled editor). */
  extension: string | undefined;
  languageId: string;
  /** Only tagged sequences are reported for this document. */
  taggedOnly: boolean;
}

const TAG_PATTERN = /<(smiles|protein|amino_acid|dna|rna)>/i;

export function extensionOf(uri: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(uri).pathname);
  } catch {
    path = uri;
  }
  const ext = posix.extname(path).toLowerCase();
  return ext === '' ? undefined : ext;
}

export function schemeOf(uri: string): string {
  const colon = uri.indexOf(':');
  return colon > 0 ? uri.slice(0, colon).toLowerCase() : '';
}

/**
 * How to analyse a document, or null to leave it alone (other schemes such as git: or output:,
 * or another language when tagged text outside sequence files is turned off).
 */
export function documentScope(uri: string, languageId: string, taggedTextInAllFiles: boolean): DocumentScope | null {
  if (!(ANALYSED_SCHEMES as readonly string[]).includes(schemeOf(uri))) return null;
  const full = (SEQUENCE_LANGUAGES as readonly string[]).includes(languageId);
  if (!full && !taggedTextInAllFiles) return null;
  return { extension: extensionOf(uri), languageId, taggedOnly: !full };
}

/** Cheap check before a tagged-only analysis: most code files hold no tag at all. */
export function mayContainTags(text: string): boolean {
  return TAG_PATTERN.test(text);
}
