// Property test of the run-folder tail reader (issue 17: fuzz the run-folder readers): whatever a
// writer appends (whole lines, lines split at any byte, multi-byte characters cut in two, blank
// lines, CRLF, lines that are not JSON, lines longer than a read chunk) and whenever it is read,
// the rows a reader has after its reads (dropping what came before a reset) are exactly the JSON
// lines of the file, in order, and the problems are exactly its non-JSON lines with their 1-based
// numbers. A file replaced by a new one (resume rewrites metrics.jsonl) resets the reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlTail } from './jsonl-tail';

const jsonLine = fc.oneof(
  fc.record({ step: fc.nat(), reward: fc.double({ noNaN: true, noDefaultInfinity: true }), text: fc.string({ unit: 'grapheme', maxLength: 12 }) }).map((o) => JSON.stringify(o)),
  // Longer than a 4 KiB read chunk.
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }).map((s) => JSON.stringify({ long: s.repeat(1500) })),
);
const line = fc.oneof(
  { weight: 6, arbitrary: jsonLine },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '{"step": 1', 'not json', '[1,2', '\u00e9\u00e9') },
);
const lineEnd = fc.constantFrom('\n', '\n', '\n', '\r\n');

type Op = { kind: 'append'; lines: string[]; ends: string[]; cut: number } | { kind: 'read'; chunk: number } | { kind: 'replace'; lines: string[] };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), lines: fc.array(line, { maxLength: 5 }), ends: fc.array(lineEnd, { minLength: 5, maxLength: 5 }), cut: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), chunk: fc.constantFrom(4096, 5000, 1 << 20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), lines: fc.array(jsonLine, { maxLength: 3 }) }) },
);

/** What a reader should hold for `content`: rows of its complete lines and the non-JSON line numbers. */
function expected(content: Buffer): { rows: unknown[]; bad: number[] } {
  const text = content.toString('utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').slice(0, -1);
  const rows: unknown[] = [];
  const bad: number[] = [];
  complete.forEach((l, i) => {
    const t = l.replace(/\r$/, '');
    if (t.trim() === '') return;
    try {
      rows.push(JSON.parse(t));
    } catch {
      bad.push(i + 1);
    }
  });
  return { rows, bad };
}

test('a tail reader ends with exactly the file\'s JSON lines and its bad lines, however the writes and reads interleave', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-tail-prop-'));
  try {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const file = join(dir, `metrics-${run++}.jsonl`);
        const tail = new JsonlTail(file);
        let content = Buffer.alloc(0);
        let pendingBytes = Buffer.alloc(0); // appended bytes not yet written (a line cut mid-way)
        let rows: unknown[] = [];
        let bad: number[] = [];
        const apply = (r: Awaited<ReturnType<JsonlTail['read']>>) => {
          if (r.reset) {
            rows = [];
            bad = [];
          }
          rows.push(...r.rows);
          bad.push(...r.problems.map((p) => p.line));
        };
        for (const o of ops) {
          if (o.kind === 'append') {
            const bytes = Buffer.concat([pendingBytes, Buffer.from(o.lines.map((l, i) => l + o.ends[i]!).join(''), 'utf8')]);
            // Write all but a tail cut at any byte (maybe inside a UTF-8 character); the rest comes later.
            const at = bytes.length === 0 ? 0 : o.cut % (bytes.length + 1);
            appendFileSync(file, bytes.subarray(0, at));
            content = Buffer.concat([content, bytes.subarray(0, at)]);
            pendingBytes = Buffer.from(bytes.subarray(at));
          } else if (o.kind === 'read') {
            apply(await tail.read({ chunkBytes: o.chunk }));
          } else {
            // Written beside and renamed over the file, as a resume rewrites metrics.jsonl.
            const next = Buffer.from(o.lines.map((l) => `${l}\n`).join(''), 'utf8');
            writeFileSync(`${file}.tmp`, next);
            renameSync(`${file}.tmp`, file);
            content = next;
            pendingBytes = Buffer.alloc(0);
          }
        }
        apply(await tail.read());
        const want = expected(content);
        assert.deepEqual(rows, want.rows);
        assert.deepEqual(bad, want.bad);
      }),
      { numRuns: 300, seed: 21 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
