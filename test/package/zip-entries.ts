// The entries of a zip file (a .vsix), read from its central directory: name, compressed and
// uncompressed size. Enough for a contents check without a zip library (Zip64 is not needed: a
// .vsix here is far below 4 GB and 65,535 entries, and the reader says so if one is not).
import { readFileSync } from 'node:fs';

export interface ZipEntry {
  name: string;
  compressed: number;
  size: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

export function zipEntries(file: string): ZipEntry[] {
  const buf = readFileSync(file);
  // The end-of-central-directory record sits in the last 22 + 65,535 bytes (it may carry a comment).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) throw new Error(`${file} is a Zip64 archive; this reader does not read those`);
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(at) !== CENTRAL) throw new Error(`${file}: central directory entry ${k} is corrupt`);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLength), compressed, size });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}
