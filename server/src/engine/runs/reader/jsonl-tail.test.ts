// JsonlTail on files appended to between reads: partial last lines, multi-byte characters cut at
// chunk edges, damaged lines, truncation and replacement (a resume), a file that appears later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlTail } from './jsonl-tail';

const tmp = () => mkdtempSync(join(tmpdir(), 'ume-tail-'));

test('returns only complete new lines; a partial last line waits for its newline', async () => {
  const f = join(tmp(), 'm.jsonl');
  const t = new JsonlTail<{ step: number }>(f);
  assert.deepEqual(await t.read(), { rows: [], problems: [], reset: false, missing: true });
  writeFileSync(f, '{"step":1}\n{"step":2}\n{"st');
  let r = await t.read();
  assert.deepEqual(r.rows, [{ step: 1 }, { step: 2 }]);
  assert.equal(t.bytes, 22);
  assert.deepEqual((await t.read()).rows, [], 'nothing new: the partial line is not returned');
  appendFileSync(f, 'ep":3}\n');
  r = await t.read();
  assert.deepEqual(r.rows, [{ step: 3 }]);
  assert.equal(r.reset, false);
  assert.equal(t.lines, 3);
});

test('a last line without newline is taken when the writer is done', async () => {
  const f = join(tmp(), 'm.jsonl');
  writeFileSync(f, '{"a":1}\n{"a":2}');
  const t = new JsonlTail(f);
  assert.equal((await t.read()).rows.length, 1);
  assert.deepEqual((await t.read({ acceptUnterminated: true })).rows, [{ a: 2 }]);
  assert.deepEqual((await t.read({ acceptUnterminated: true })).rows, []);
});

test('multi-byte characters split across read chunks decode intact', async () => {
  const f = join(tmp(), 'm.jsonl');
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, s: 'Ω→é😀'.repeat(i % 17) }));
  writeFileSync(f, lines.join('\n') + '\n');
  const r = await new JsonlTail<{ i: number; s: string }>(f).read({ chunkBytes: 4096 });
  assert.equal(r.rows.length, 300);
  assert.deepEqual(r.rows.map((x) => x.s), lines.map((l) => (JSON.parse(l) as { s: string }).s));
});

test('damaged lines are reported by number and skipped; blank and CRLF lines are fine', async () => {
  const f = join(tmp(), 'm.jsonl');
  writeFileSync(f, '{"a":1}\r\n\n{"a":\n{"a":3}\n');
  const r = await new JsonlTail(f).read();
  assert.deepEqual(r.rows, [{ a: 1 }, { a: 3 }]);
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0]!.line, 3);
  assert.match(r.problems[0]!.message, /line 3 is not valid JSON/);
});

test('a truncated file (resume rewinding metrics.jsonl) is read again from the start', async () => {
  const f = join(tmp(), 'm.jsonl');
  writeFileSync(f, '{"s":1}\n{"s":2}\n{"s":3}\n');
  const t = new JsonlTail<{ s: number }>(f);
  assert.equal((await t.read()).rows.length, 3);
  truncateSync(f, 8);
  appendFileSync(f, '{"s":2}\n');
  const r = await t.read();
  assert.equal(r.reset, true);
  assert.deepEqual(r.rows.map((x) => x.s), [1, 2]);
});

test('a file rewritten to the same or a larger size is noticed (bytes before the cursor changed)', async () => {
  const f = join(tmp(), 'm.jsonl');
  writeFileSync(f, '{"s":1}\n{"s":2}\n');
  const t = new JsonlTail<{ s: number }>(f);
  await t.read();
  const other = join(tmp(), 'x.jsonl');
  writeFileSync(other, '{"s":7}\n{"s":8}\n{"s":9}\n');
  renameSync(other, f); // replaced: new inode
  let r = await t.read();
  assert.equal(r.reset, true);
  assert.deepEqual(r.rows.map((x) => x.s), [7, 8, 9]);
  // Same inode, same length, different bytes before the cursor.
  writeFileSync(f, '{"s":4}\n{"s":5}\n{"s":6}\n{"s":0}\n');
  r = await t.read();
  assert.equal(r.reset, true);
  assert.deepEqual(r.rows.map((x) => x.s), [4, 5, 6, 0]);
});

test('a deleted file resets the cursor and reads as missing', async () => {
  const f = join(tmp(), 'm.jsonl');
  writeFileSync(f, '{"s":1}\n');
  const t = new JsonlTail(f);
  await t.read();
  rmSync(f);
  const r = await t.read();
  assert.equal(r.missing, true);
  assert.equal(r.reset, true);
  assert.equal(t.bytes, 0);
});

test('many appends read in pieces equal one read of the whole file', async () => {
  const f = join(tmp(), 'm.jsonl');
  writeFileSync(f, '');
  const t = new JsonlTail<{ i: number }>(f);
  const seen: number[] = [];
  let text = '';
  for (let i = 0; i < 200; i++) text += JSON.stringify({ i, pad: 'x'.repeat(i % 50) }) + '\n';
  // Append in uneven slices that cut lines anywhere, reading after each.
  for (let at = 0; at < text.length; ) {
    const n = 1 + ((at * 7919) % 173);
    appendFileSync(f, text.slice(at, at + n));
    at += n;
    seen.push(...(await t.read()).rows.map((r) => r.i));
  }
  assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => i));
});
