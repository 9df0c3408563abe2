import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, find, found, rangeStr } from './testing';

const opts = { extension: '.fasta' };

test('multi-line records become one occurrence with a segment per line', () => {
  const r = find('>sp|P69905|HBA_HUMAN Hemoglobin alpha\nMVLSPADKTN\nVKAAWGKVGA\nHAG\n>seq2\nACGTACGT\n', opts);
  assert.deepEqual(found(r), [
    ['MVLSPADKTNVKAAWGKVGAHAG', '1:0-3:3'],
    ['ACGTACGT', '5:0-5:8'],
  ]);
  const first = r.occurrences[0]!;
  assert.deepEqual(first.segments.map((s) => [s.offset, s.length, rangeStr(s.range)]), [
    [0, 10, '1:0-1:10'],
    [10, 10, '2:0-2:10'],
    [20, 3, '3:0-3:3'],
  ]);
  assert.deepEqual(first.hints, { fastaHeader: 'sp|P69905|HBA_HUMAN Hemoglobin alpha', name: 'sp|P69905|HBA_HUMAN', extension: '.fasta' });
  assert.equal(first.format, 'fasta');
  assert.deepEqual(r.fileProblems, []);
});

test('CRLF, comments, blank lines and trailing spaces', () => {
  const r = find('; old-style comment\r\n>a desc\r\nACGU  \r\n\r\n; inner comment\r\nACGU\r\n', opts);
  assert.deepEqual(found(r), [['ACGUACGU', '2:0-5:4']]);
  assert.deepEqual(r.occurrences[0]!.segments.map((s) => rangeStr(s.range)), ['2:0-2:4', '5:0-5:4']);
});

test('spaces inside a sequence line are kept so diagnostics can flag them', () => {
  const r = find('>x\nMKT AYI\n', opts);
  assert.deepEqual(found(r), [['MKT AYI', '1:0-1:7']]);
});

test('empty record: UME003 on its header, the next record still read', () => {
  const r = find('>empty one\n\n>full\nMKV\n>last\n', opts);
  assert.deepEqual(found(r), [['MKV', '3:0-3:3']]);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, p.severity, rangeStr(p.range)]), [
    ['UME003', 'warning', '0:0-0:10'],
    ['UME003', 'warning', '4:0-4:5'],
  ]);
  assert.match(r.fileProblems[0]!.message, /"empty"/);
});

test('sequence before the first header: UME006 with an insert-header fix, still reported', () => {
  const r = find('ACGTAC\n>b\nGG\n', opts);
  assert.deepEqual(found(r), [['ACGTAC', '0:0-0:6'], ['GG', '2:0-2:2']]);
  assert.deepEqual(codes(r), ['UME006']);
  const fix = r.fileProblems[0]!.fixes?.[0];
  assert.equal(fix?.kind, 'insert-fasta-header');
  assert.deepEqual(fix?.edits, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '>sequence_1\n' }]);
});

test('prose before the first header: UME006, not reported as a sequence', () => {
  const r = find('This file holds globins.\n>b\nGG\n', opts);
  assert.deepEqual(found(r), [['GG', '2:0-2:2']]);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, rangeStr(p.range), p.fixes]), [['UME006', '0:0-0:24', undefined]]);
});

test('indented header: UME006, read as a header', () => {
  const r = find('  >a\nMK\n', opts);
  assert.deepEqual(found(r), [['MK', '1:0-1:2']]);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, rangeStr(p.range)]), [['UME006', '0:0-0:2']]);
});

test('a 1 MB single-line record is read quickly', () => {
  const seq = 'MKTAYIAKQR'.repeat(100_000);
  const t0 = performance.now();
  const r = find(`>big\n${seq}\n`, opts);
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(r.occurrences.length, 1);
  assert.equal(r.occurrences[0]!.text.length, 1_000_000);
  assert.equal(rangeStr(r.occurrences[0]!.range), '1:0-1:1000000');
});

test('languageId fasta and a sniffed .txt file use the FASTA parser', () => {
  assert.deepEqual(found(find('>a\nMKV\n', { languageId: 'fasta', extension: '.txt' })), [['MKV', '1:0-1:3']]);
  assert.deepEqual(found(find('>a\nMKVLAAGG\n', { extension: '.txt' })), [['MKVLAAGG', '1:0-1:8']]);
  // A Markdown quote is not FASTA.
  assert.equal(find('> a quote\nplain words here\n', { extension: '.md' }).occurrences.length, 0);
});
