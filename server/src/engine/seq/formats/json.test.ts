import { test } from 'node:test';
import assert from 'node:assert/strict';
import { find, found, rangeStr } from './testing';

test('nested objects and arrays: strings under sequence keys, array items inherit the key', () => {
  const text = '{\n  "data": [\n    {"id": 1, "smiles": ["CCO", "CCN"], "meta": {"protein": "MKV"}},\n    {"name": "CCCCCCCC", "sequence": " ACGT "}\n  ]\n}\n';
  const r = find(text, { extension: '.json' });
  assert.deepEqual(found(r), [
    ['CCO', '2:26-2:29'],
    ['CCN', '2:33-2:36'],
    ['MKV', '2:61-2:64'],
    ['ACGT', '3:39-3:43'],
  ]);
  assert.deepEqual(r.occurrences.map((o) => o.hints.column), ['smiles', 'smiles', 'protein', 'sequence']);
  assert.ok(r.occurrences.every((o) => o.format === 'json'));
  assert.deepEqual(r.fileProblems, []);
});

test('escaped strings decode with exact segments on the escaped text', () => {
  // Document text: {"smiles": "F/C=C\\F"} ; the SMILES is F/C=C\F.
  const r = find('{"smiles": "F/C=C\\\\F"}', { extension: '.json' });
  const o = r.occurrences[0]!;
  assert.equal(o.text, 'F/C=C\\F');
  assert.equal(rangeStr(o.range), '0:12-0:20');
  assert.deepEqual(o.segments.map((s) => [s.offset, s.length, rangeStr(s.range)]), [
    [0, 5, '0:12-0:17'],
    [5, 1, '0:17-0:19'],
    [6, 1, '0:19-0:20'],
  ]);
});

test('\\u escapes in keys and values', () => {
  const r = find('{"sm\\u0069les": "C\\u0043O"}', { extension: '.json' });
  assert.deepEqual(r.occurrences.map((o) => [o.text, o.hints.column, rangeStr(o.range)]), [['CCO', 'smiles', '0:17-0:25']]);
});

test('tagged text inside JSON strings, under any key, with escapes around it', () => {
  const text = '{"messages": [{"role": "assistant", "content": "Here:\\n<protein>MKTAYIAKQR</protein> and <smiles>C\\\\C</smiles>"}]}';
  const r = find(text, { extension: '.json' });
  assert.deepEqual(r.occurrences.map((o) => [o.text, o.format, o.hints.tag, o.hints.column, rangeStr(o.range)]), [
    ['MKTAYIAKQR', 'tagged', 'protein', 'content', '0:64-0:74'],
    ['C\\C', 'tagged', 'smiles', 'content', '0:97-0:101'],
  ]);
});

test('completion/text keys: reported only when the value looks like a sequence', () => {
  const r = find('{"prompt": "Write a molecule", "completion": "CC(=O)O", "text": "Hello information"}', { extension: '.json' });
  assert.deepEqual(found(r), [['CC(=O)O', '0:46-0:53']]);
});

test('malformed JSON: UME005 with the position; tags after it are still found', () => {
  const text = '{"smiles": "CCO",\n "x": tru,\n "t": "<dna>ACGT</dna>"}\n';
  const r = find(text, { extension: '.json' });
  assert.deepEqual(found(r), [['CCO', '0:12-0:15'], ['ACGT', '2:12-2:16']]);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, p.severity, rangeStr(p.range)]), [['UME005', 'error', '1:6-1:7']]);
  assert.match(r.fileProblems[0]!.message, /line 2, column 7/);
});

test('JSONL: one record per line, bad lines reported and skipped as a whole', () => {
  const text = '{"smiles": "CCO"}\r\n{"smiles": "CCN", oops}\r\n\r\n{"seq": "MKV"}\r\n[1, 2\r\n';
  const r = find(text, { extension: '.jsonl' });
  assert.deepEqual(found(r), [['CCO', '0:12-0:15'], ['MKV', '3:9-3:12']]);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, rangeStr(p.range)]), [
    ['UME005', '1:18-1:19'],
    ['UME005', '4:5-4:5'],
  ]);
  assert.ok(r.occurrences.every((o) => o.format === 'jsonl'));
});

test('a raw line break inside a JSONL string is a malformed line', () => {
  const r = find('{"smiles": "CC\nO"}\n', { extension: '.jsonl' });
  assert.equal(r.occurrences.length, 0);
  assert.deepEqual(r.fileProblems.map((p) => [p.code, rangeStr(p.range)]), [['UME005', '0:11-0:12'], ['UME005', '1:0-1:1']]);
});

test('a 1 MB string value on one line is read quickly', () => {
  const seq = 'MKTAYIAKQR'.repeat(100_000);
  const t0 = performance.now();
  const r = find(`{"id": "x", "protein": "${seq}"}`, { extension: '.json' });
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(r.occurrences[0]!.text.length, 1_000_000);
  assert.equal(rangeStr(r.occurrences[0]!.range), '0:24-0:1000024');
});

test('deep nesting is refused with UME005, not a stack overflow', () => {
  const r = find('['.repeat(5000) + ']'.repeat(5000), { extension: '.json' });
  assert.deepEqual(r.fileProblems.map((p) => p.code), ['UME005']);
  assert.match(r.fileProblems[0]!.message, /nesting deeper/);
});

// Found by the fuzz (issue 17): every occurrence walked every escape piece of its string, so one
// 3 MB string with 60k tags and an escaped line break per tag took 39 s (0.6 s now).
test('one long escaped string with many tags is read in linear time', () => {
  const n = 30_000;
  const value = Array.from({ length: n }, (_, i) => `<smiles>CC(=O)O</smiles> line ${i}\n`).join('');
  const text = JSON.stringify({ text: value });
  const t0 = performance.now();
  const r = find(text, { extension: '.json' });
  const ms = performance.now() - t0;
  assert.equal(r.occurrences.length, n);
  // Each occurrence maps onto its own place in the escaped document text.
  const last = r.occurrences[n - 1]!;
  assert.equal(text.slice(last.segments[0]!.range.start.character, last.segments[0]!.range.end.character), 'CC(=O)O');
  assert.ok(ms < 5000, `${ms.toFixed(0)} ms for ${n} tags (quadratic: ~10 s)`);
});
