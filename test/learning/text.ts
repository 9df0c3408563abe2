// Character-level text for the learning tests: English licence texts that Debian's essential
// base-files package installs on every system (/usr/share/common-licenses), so the tests need no
// downloads and no data files in the repository.

import { readFileSync } from 'node:fs';

export const LICENSES = '/usr/share/common-licenses';

/** Lower-cased text with whitespace runs collapsed to one space. */
export function readText(name: string): string {
  const path = `${LICENSES}/${name}`;
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`learning-test text ${path} is missing (${(e as Error).message}); it ships with Debian's base-files package`, { cause: e });
  }
  return raw.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A character vocabulary: ids 0..(specials-1) are reserved, then a-z, digits, space and punctuation; anything else -> unk. */
export class CharVocab {
  static readonly PAD = 0;
  static readonly MASK = 1;
  static readonly UNK = 2;
  static readonly SPECIALS = 3;
  readonly chars = 'abcdefghijklmnopqrstuvwxyz0123456789 .,;:()"\'-/';
  get size(): number {
    return CharVocab.SPECIALS + this.chars.length;
  }
  encode(text: string): number[] {
    return Array.from(text, (ch) => {
      const i = this.chars.indexOf(ch);
      return i < 0 ? CharVocab.UNK : CharVocab.SPECIALS + i;
    });
  }
  decode(ids: readonly number[]): string {
    return ids.map((id) => (id >= CharVocab.SPECIALS ? this.chars[id - CharVocab.SPECIALS] : '?')).join('');
  }
}

/** Non-overlapping windows of `len` ids. */
export function windows(ids: readonly number[], len: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + len <= ids.length; i += len) out.push(ids.slice(i, i + len));
  return out;
}
