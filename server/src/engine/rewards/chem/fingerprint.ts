// Tanimoto similarity of packed fingerprints (RDKit.js `get_morgan_fp_as_uint8array`: 8 bits a byte).

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

export function popcount(fp: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < fp.length; i++) n += POPCOUNT[fp[i]!]!;
  return n;
}

/** |a & b| / |a | b|; 0 when both are empty (RDKit's TanimotoSimilarity convention). */
export function tanimoto(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`fingerprints of different lengths (${a.length * 8} and ${b.length * 8} bits) cannot be compared`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += POPCOUNT[a[i]! & b[i]!]!;
    union += POPCOUNT[a[i]! | b[i]!]!;
  }
  return union === 0 ? 0 : inter / union;
}
