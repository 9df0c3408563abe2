import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../positions';
import { SegmentStore } from './segment-store';
import { find, rangeStr } from './testing';

test('segments come from the packed store, correct after it grew, and serialize like plain data', () => {
  // 3000 records of 2 lines: 6000 segments, past the store's first 4096 numbers several times.
  const doc = Array.from({ length: 3000 }, (_, i) => `>r${i}\nMKV${i % 10}\nACD\n`).join('');
  const r = find(doc, { extension: '.fasta' });
  assert.equal(r.occurrences.length, 3000);
  const o = r.occurrences[2500]!;
  assert.deepEqual(o.segments.map((s) => [s.offset, s.length, rangeStr(s.range)]), [
    [0, 4, '7501:0-7501:4'],
    [4, 3, '7502:0-7502:3'],
  ]);
  assert.equal(o.segments, o.segments, 'built once, then the same array');
  const plain = JSON.parse(JSON.stringify(o)) as typeof o;
  assert.deepEqual(plain, { text: o.text, range: o.range, segments: o.segments, format: 'fasta', hints: o.hints }, 'JSON carries every field');
});

test('an occurrence without segments spans 0:0-0:0; segments can be replaced', () => {
  const store = new SegmentStore(new LineIndex('abc\ndef'));
  const empty = store.occurrence('', store.mark, 'plain', {});
  assert.equal(rangeStr(empty.range), '0:0-0:0');
  assert.deepEqual(empty.segments, []);
  const mark = store.mark;
  store.push(0, 2, 4, 6);
  store.extendLast(1, 7);
  const o = store.occurrence('def', mark, 'plain', {});
  assert.deepEqual(o.segments.map((s) => [s.offset, s.length, rangeStr(s.range)]), [[0, 3, '1:0-1:3']]);
  o.segments = [];
  assert.deepEqual(o.segments, []);
});
