import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, find, found, rangeStr } from './testing';
import { documentFormat, findSequences } from './index';

test('a leading BOM is not counted: same ranges with and without it', () => {
  for (const [text, ext] of [
    ['>a\nMKV\n', '.fasta'],
    ['smiles\nCCO\n', '.csv'],
    ['{"smiles": "CCO"}', '.json'],
    ['CCO ethanol', '.smi'],
    ['see MKTAYIAKQRQISFVKSHFSRQ', '.txt'],
  ] as const) {
    const plain = find(text, { extension: ext });
    const bom = find('\uFEFF' + text, { extension: ext });
    assert.equal(plain.occurrences.length, 1, text);
    assert.deepEqual(found(bom), found(plain), text);
  }
  assert.deepEqual(found(find('\uFEFFCCO ethanol', { extension: '.smi' })), [['CCO', '0:0-0:3']]);
});

test('surrogate pairs and non-ASCII before a sequence count as UTF-16 units', () => {
  const r = find('😀😀 é <smiles>CCO</smiles> ü MKTAYIAKQRQISFVKSHFSRQ', { extension: '.txt' });
  assert.deepEqual(found(r), [['CCO', '0:15-0:18'], ['MKTAYIAKQRQISFVKSHFSRQ', '0:30-0:52']]);
});

test('CRLF and LF give the same columns on every line', () => {
  const lf = find('x\n<dna>ACGT</dna>\nMKTAYIAKQRQISFVKSHFSRQ\n', { extension: '.txt' });
  const crlf = find('x\r\n<dna>ACGT</dna>\r\nMKTAYIAKQRQISFVKSHFSRQ\r\n', { extension: '.txt' });
  assert.deepEqual(found(crlf), found(lf));
  assert.deepEqual(found(lf), [['ACGT', '1:5-1:9'], ['MKTAYIAKQRQISFVKSHFSRQ', '2:0-2:22']]);
});

test('binary bytes: one UME001, binary lines skipped, the rest analysed', () => {
  const r = find('>a\nMKV\n\u0000\u0001\u0002garbage\u0000\n>b\nACGT\n\u0000x\n', { extension: '.fasta' });
  assert.deepEqual(found(r), [['MKV', '1:0-1:3'], ['ACGT', '4:0-4:4']]);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, p.severity, rangeStr(p.range)]), [['UME001', 'warning', '2:0-2:11']]);
  assert.match(r.fileProblems[0]!.message, /2 lines.*line 3/);
});

test('a mostly binary file is not analysed', () => {
  const bytes = Array.from({ length: 4000 }, (_, i) => String.fromCharCode(i % 32)).join('');
  const r = find(bytes + ' MKTAYIAKQRQISFVKSHFSRQ', { extension: '.bin' });
  assert.deepEqual(found(r), []);
  assert.deepEqual(codes(r), ['UME001']);
  assert.equal(r.truncated, false);
});

test('maxSequences caps the occurrences with UME004', () => {
  const text = Array.from({ length: 50 }, (_, i) => `>s${i}\nMKV\n`).join('');
  const r = find(text, { extension: '.fasta', maxSequences: 10, limitSettingName: 'umeStudio.maxSequencesPerFile' });
  assert.equal(r.occurrences.length, 10);
  assert.equal(r.truncated, true);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, p.severity]), [['UME004', 'information']]);
  assert.match(r.fileProblems[0]!.message, /Stopped after 10 sequences.*"umeStudio\.maxSequencesPerFile"/);
});

test('maxBytes cuts at a record boundary and says how much was analysed', () => {
  const text = Array.from({ length: 100 }, (_, i) => `>s${i}\n${'ACGT'.repeat(10)}\n`).join(''); // 46-47 bytes per record
  const r = find(text, { extension: '.fasta', maxBytes: 1000 });
  assert.equal(r.truncated, true);
  assert.ok(r.occurrences.length >= 20 && r.occurrences.length <= 22, String(r.occurrences.length));
  assert.ok(r.occurrences.every((o) => o.text.length === 40), 'no half-read record');
  assert.deepEqual(codes(r), ['UME004']);
  assert.match(r.fileProblems[0]!.message, /Analysed the first \d+ bytes of 4\.\d KiB/);
});

test('a size cap inside a JSON value does not report malformed JSON', () => {
  const text = `{"smiles": ["CCO", "${'C'.repeat(5000)}"]}`;
  const r = find(text, { extension: '.json', maxBytes: 1000 });
  assert.deepEqual(found(r), [['CCO', '0:13-0:16']]);
  assert.deepEqual(codes(r), ['UME004']);
});

test('format choice: language id, then extension, then content', () => {
  assert.equal(documentFormat('', { languageId: 'smiles', extension: '.txt' }), 'smi');
  assert.equal(documentFormat('', { extension: '.FNA' }), 'fasta');
  assert.equal(documentFormat('', { extension: '.ndjson' }), 'jsonl');
  assert.equal(documentFormat('', { languageId: 'plaintext', extension: '.tsv' }), 'tsv');
  assert.equal(documentFormat('>x\nACGT\n', {}), 'fasta');
  assert.equal(documentFormat('hello', {}), 'plain');
});

test('a 1 MB single line of plain text is searched quickly', () => {
  const words = 'lorem ipsum dolor sit amet consectetur '.repeat(25_000);
  const text = words + 'CC(=O)Oc1ccccc1C(=O)O ' + words;
  const t0 = performance.now();
  const r = find(text, { extension: '.txt' });
  assert.ok(performance.now() - t0 < 2000, `${performance.now() - t0} ms`);
  assert.deepEqual(found(r), [['CC(=O)Oc1ccccc1C(=O)O', `0:${words.length}-0:${words.length + 21}`]]);
});

test('a 50 MB FASTA returns within seconds, capped with UME004', () => {
  const line = 'MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHFDLSHGSAQVKGHGKK';
  const record = `>sp|P69905|HBA_HUMAN Hemoglobin subunit alpha\n${`${line}\n`.repeat(4)}`;
  const text = record.repeat(Math.ceil((50 * 1024 * 1024) / record.length));
  const t0 = performance.now();
  const r = findSequences(text, { extension: '.fasta' });
  const ms = performance.now() - t0;
  assert.ok(ms < 10_000, `${ms} ms`);
  assert.equal(r.truncated, true);
  assert.deepEqual(r.fileProblems.map((p) => p.code), ['UME004']);
  assert.match(r.fileProblems[0]!.message, /Analysed the first 8\.0 MiB of 50\.\d MiB/);
  assert.ok(r.occurrences.length > 20_000);
  assert.equal(r.occurrences[r.occurrences.length - 1]!.text, line.repeat(4));
});
