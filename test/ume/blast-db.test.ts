import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blastSequences, readBlastIndex } from '../../scripts/ume/blast-db';

const STDAA = '-ABCDEFGHIKLMNPQRSTVWXYZU*OJ';

/** A version-4 protein BLAST database as makeblastdb lays it out (headers left empty). */
function writeBlastDb(base: string, seqs: string[], version = 4): void {
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return b;
  };
  const str = (s: string): Buffer => Buffer.concat([u32(s.length), Buffer.from(s, 'latin1')]);
  const residues = seqs.reduce((n, s) => n + s.length, 0);
  const total = Buffer.alloc(8);
  total.writeBigUInt64LE(BigInt(residues));
  const psq: number[] = [0]; // the file starts with a NUL
  const seqOffsets: number[] = [];
  for (const s of seqs) {
    seqOffsets.push(psq.length);
    for (const c of s) psq.push(STDAA.indexOf(c));
    psq.push(0);
  }
  seqOffsets.push(psq.length);
  const pin = Buffer.concat([
    u32(version),
    u32(1),
    str('test db'),
    str('Jan 1, 2014'),
    u32(seqs.length),
    total,
    u32(Math.max(...seqs.map((s) => s.length))),
    ...seqs.concat('').map(() => u32(0)),
    ...seqOffsets.map(u32),
  ]);
  writeFileSync(`${base}.pin`, pin);
  writeFileSync(`${base}.psq`, Buffer.from(psq));
}

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'blastdb-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a version-4 protein BLAST database reads back residue for residue, with its header fields', () => {
  withDir((dir) => {
    const seqs = ['MKVLAAGIVG', 'MSTNPKPQRKTKRNTNRRPQDVKFPGG', 'MXUBZOJW'];
    writeBlastDb(join(dir, 'db'), seqs);
    const index = readBlastIndex(join(dir, 'db.pin'));
    assert.equal(index.title, 'test db');
    assert.equal(index.date, 'Jan 1, 2014');
    assert.equal(index.count, 3);
    assert.equal(index.totalResidues, seqs.join('').length);
    assert.equal(index.maxLength, 27);
    assert.deepEqual([...blastSequences(join(dir, 'db'))], seqs);
  });
});

test('a BLAST database of another version is refused with what was found and what to do', () => {
  withDir((dir) => {
    writeBlastDb(join(dir, 'db'), ['MKV'], 5);
    assert.throws(() => readBlastIndex(join(dir, 'db.pin')), /not a version-4 protein BLAST index \(version 5, type 1\); convert it with blastdbcmd/);
  });
});

const REAL = '/usr/share/metastudent-data/dataset_201401/CCO/goasp.fasta';
test('Debian metastudent-data: every sequence decodes to residues and the lengths add up to the index total', { skip: !existsSync(`${REAL}.pin`) && 'metastudent-data is not installed' }, () => {
  const index = readBlastIndex(`${REAL}.pin`);
  let count = 0;
  let residues = 0;
  let startsWithMet = 0;
  for (const s of blastSequences(REAL)) {
    count++;
    residues += s.length;
    if (s.startsWith('M')) startsWithMet++;
    assert.match(s, /^[A-Z]+$/);
  }
  assert.equal(count, index.count);
  assert.equal(residues, index.totalResidues);
  assert.ok(startsWithMet / count > 0.9, `most Swiss-Prot entries start with Met (${startsWithMet}/${count})`);
});
