import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { codes, find, found, rangeStr } from './testing';
import { CsvReader, fieldText } from './csv';
import { Sink } from './sink';
import { LineIndex } from '../positions';

test('sequence columns by header name; quoted fields cover the content inside quotes', () => {
  const text = 'id,Canonical_SMILES,name,protein_sequence\n1,"CCO",ethanol, MKV \n2,c1ccccc1,"benzene, ring","MKT"\n';
  const r = find(text, { extension: '.csv' });
  assert.deepEqual(found(r), [
    ['CCO', '1:3-1:6'],
    ['MKV', '1:17-1:20'],
    ['c1ccccc1', '2:2-2:10'],
    ['MKT', '2:28-2:31'],
  ]);
  assert.deepEqual(r.occurrences.map((o) => o.hints.column), ['canonical_smiles', 'protein_sequence', 'canonical_smiles', 'protein_sequence']);
  assert.ok(r.occurrences.every((o) => o.format === 'csv'));
});

test('non-sequence columns are ignored; ids like seq_id are not sequence columns', () => {
  const r = find('seq_id,sequence_length,mol_weight\nMKTAYIAKQRQ,12,46.07\n', { extension: '.csv' });
  assert.deepEqual(found(r), []);
});

test('a doubled quote inside a quoted field is one escaped character', () => {
  const r = find('smiles\n"C""C"\n', { extension: '.csv' });
  assert.equal(r.occurrences[0]!.text, 'C"C');
  assert.equal(rangeStr(r.occurrences[0]!.range), '1:1-1:5');
  assert.deepEqual(r.occurrences[0]!.segments.map((s) => [s.offset, s.length, rangeStr(s.range)]), [
    [0, 1, '1:1-1:2'],
    [1, 1, '1:2-1:4'],
    [2, 1, '1:4-1:5'],
  ]);
});

test('quoted field spanning lines and CRLF records', () => {
  const r = find('note,seq\r\n"multi\r\nline",ACGT\r\nx,GGCC\r\n', { extension: '.csv' });
  assert.deepEqual(found(r), [['ACGT', '2:6-2:10'], ['GGCC', '3:2-3:6']]);
});

test('unterminated quote: UME002 at the quote, reading resumes on the next line', () => {
  const r = find('smiles,name\nCCO,a\n"CCN,b\nCCC,c\n', { extension: '.csv' });
  assert.deepEqual(found(r), [['CCO', '1:0-1:3'], ['CCC', '3:0-3:3']]);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, p.severity, rangeStr(p.range)]), [['UME002', 'error', '2:0-2:6']]);
});

test('a stray quote that would swallow lines up to a later quoted field is caught where it is', () => {
  const r = find('smiles,name\n"CCO,ethanol\nCCN,"ethyl amine"\nCCC,propane\n', { extension: '.csv' });
  assert.deepEqual(r.fileProblems.map((p) => [p.code, rangeStr(p.range)]), [['UME002', '1:0-1:12']]);
  assert.deepEqual(found(r), [['CCN', '2:0-2:3'], ['CCC', '3:0-3:3']]);
});

test('TSV, and CSV with ; delimiter', () => {
  assert.deepEqual(found(find('name\tdna\nx\tACGT\n', { extension: '.tsv' })), [['ACGT', '1:2-1:6']]);
  assert.deepEqual(found(find('name;smiles\nx;CCO\n', { extension: '.csv' })), [['CCO', '1:2-1:5']]);
  assert.equal(find('name\tdna\nx\tACGT\n', { extension: '.tsv' }).occurrences[0]!.format, 'tsv');
});

test('completion column: tags inside fields, plain values only when they look like sequences', () => {
  const r = find('prompt,completion\nGive a molecule,<smiles>CCO</smiles>\nAnother,CC(=O)O\nChat,Sure thing\n', { extension: '.csv' });
  assert.deepEqual(found(r), [['CCO', '1:24-1:27'], ['CC(=O)O', '2:8-2:15']]);
  assert.deepEqual(r.occurrences.map((o) => [o.format, o.hints.tag, o.hints.column]), [
    ['tagged', 'smiles', 'completion'],
    ['csv', undefined, 'completion'],
  ]);
});

test('non-ASCII before a field: UTF-16 columns', () => {
  const r = find('名前,smiles\n😀é,CCO\n', { extension: '.csv' });
  assert.deepEqual(found(r), [['CCO', '1:4-1:7']]);
});

test('a 1 MB single field is read quickly', () => {
  const seq = 'ACGT'.repeat(250_000);
  const t0 = performance.now();
  const r = find(`id,dna\n1,"${seq}"\n`, { extension: '.csv' });
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(r.occurrences[0]!.text.length, 1_000_000);
  assert.equal(rangeStr(r.occurrences[0]!.range), '1:3-1:1000003');
  assert.deepEqual(codes(r), []);
});

test('field values agree with csv-parse on well-formed files', () => {
  const samples = [
    'a,b,c\n1,2,3\n',
    'smiles,name\r\n"C""O","x,y"\r\nCCO,"multi\nline"\r\n',
    'x,y\n,\n"",""\nlast,row',
    'q\n"a ""quoted"" word"\n',
  ];
  for (const text of samples) {
    const expected = parse(text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
    const lines = new LineIndex(text);
    const reader = new CsvReader(text, text.length, 44, new Sink(lines, undefined, 8, 100));
    const got: string[][] = [];
    while (!reader.done) {
      const fields = reader.next();
      assert.ok(fields, `no record dropped in ${JSON.stringify(text)}`);
      got.push(fields.map((f) => fieldText(text, f).text));
    }
    assert.deepEqual(got, expected, JSON.stringify(text));
  }
});
