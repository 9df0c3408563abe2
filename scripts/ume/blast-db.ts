// Reads protein sequences out of a BLAST database (format version 4: .pin index + .psq residues),
// the form in which Debian's metastudent-data ships ~500k Swiss-Prot proteins. No NCBI tools are
// needed: the index is a small header and two offset tables, and residues are one byte each in
// NCBIstdaa, each sequence followed by a NUL.

import { readFileSync } from 'node:fs';

/** NCBIstdaa code -> one-letter residue ('-' gap and '*' stop are never part of a stored protein). */
const NCBI_STDAA = '-ABCDEFGHIKLMNPQRSTVWXYZU*OJ';

export interface BlastDbIndex {
  title: string;
  date: string;
  count: number;
  totalResidues: number;
  maxLength: number;
  /** count + 1 offsets into the .psq file. */
  seqOffsets: Uint32Array;
}

/** Parses a version-4 protein .pin file; throws with what was found when the file is anything else. */
export function readBlastIndex(pinPath: string): BlastDbIndex {
  const b = readFileSync(pinPath);
  let at = 0;
  const u32 = (): number => {
    const v = b.readUInt32BE(at);
    at += 4;
    return v;
  };
  const str = (): string => {
    const n = u32();
    const s = b.toString('latin1', at, at + n);
    at += n;
    return s;
  };
  const version = u32();
  const type = u32();
  if (version !== 4 || type !== 1) throw new Error(`${pinPath}: not a version-4 protein BLAST index (version ${version}, type ${type}); convert it with blastdbcmd -entry all`);
  const title = str();
  const date = str();
  const count = u32();
  const totalResidues = Number(b.readBigUInt64LE(at)); // the one little-endian field of the format
  at += 8;
  const maxLength = u32();
  at += (count + 1) * 4; // header (.phr) offsets: not needed
  const seqOffsets = new Uint32Array(count + 1);
  for (let i = 0; i <= count; i++) seqOffsets[i] = u32();
  return { title, date, count, totalResidues, maxLength, seqOffsets };
}

/** Every sequence of a protein BLAST database, in order, as upper-case one-letter strings. */
export function* blastSequences(basePath: string): Iterable<string> {
  const index = readBlastIndex(`${basePath}.pin`);
  const psq = readFileSync(`${basePath}.psq`);
  const letter = new Uint8Array(256).fill(0x58); // 'X' for codes outside NCBIstdaa
  for (let c = 0; c < NCBI_STDAA.length; c++) letter[c] = NCBI_STDAA.charCodeAt(c);
  for (let i = 0; i < index.count; i++) {
    const start = index.seqOffsets[i]!;
    const end = index.seqOffsets[i + 1]! - 1; // the NUL that ends each sequence
    const out = Buffer.allocUnsafe(end - start);
    for (let k = start; k < end; k++) out[k - start] = letter[psq[k]!]!;
    yield out.toString('latin1'); // flat strings: per-character concatenation would hold 10^8 rope nodes
  }
}
