// Property-based tests of the document parsers (fast-check, issue 17): for any document of any
// language, mutated the way editors and generators produce them, findSequences does not throw, every
// occurrence's segments tile its text and map back onto the exact document text (the `find` helper
// checks that), ranges are in order and inside the document, and the limits hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineIndex } from '../positions';
import { document, EXTENSION } from '../../../../../test/fuzz/generators';
import { find } from './testing';

const RUNS = Number(process.env.UME_PROPERTY_RUNS ?? 300);

test('any document, any language: occurrences map back onto the document exactly, in order, inside it', () => {
  fc.assert(
    fc.property(document(), fc.boolean(), (d, byExtension) => {
      const options = byExtension ? { extension: EXTENSION[d.language] } : { languageId: d.language };
      const r = find(d.text, options);
      const editorText = d.text.charCodeAt(0) === 0xfeff ? d.text.slice(1) : d.text;
      const lines = new LineIndex(editorText);
      const end = lines.positionAt(editorText.length);
      for (const o of r.occurrences) {
        assert.ok(o.text.length > 0, 'no empty occurrence');
        for (const p of [o.range.start, o.range.end]) {
          assert.ok(p.line >= 0 && p.character >= 0, 'positions are not negative');
          assert.ok(p.line < end.line || (p.line === end.line && p.character <= end.character), 'inside the document');
        }
      }
      for (const p of r.fileProblems) assert.match(p.code, /^UME00\d$/);
    }),
    { numRuns: RUNS, seed: 17 },
  );
});

test('the sequence and size limits hold for any document', () => {
  fc.assert(
    fc.property(document(), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 16, max: 4096 }), (d, maxSequences, maxBytes) => {
      const r = find(d.text, { languageId: d.language, maxSequences, maxBytes });
      assert.ok(r.occurrences.length <= maxSequences);
      if (r.truncated) assert.ok(r.fileProblems.some((p) => p.code === 'UME004'), 'a cut says so (UME004)');
      const cut = Buffer.byteLength(d.text, 'utf8') > maxBytes;
      if (cut) assert.equal(r.truncated, true);
    }),
    { numRuns: RUNS, seed: 18 },
  );
});

test('line breaks: CRLF, CR and LF versions of a document find the same sequences', () => {
  fc.assert(
    fc.property(document(), (d) => {
      if (d.text.includes('\r')) return;
      const lf = find(d.text, { languageId: d.language }).occurrences.map((o) => [o.text, o.range.start.line]);
      const crlf = find(d.text.replace(/\n/g, '\r\n'), { languageId: d.language }).occurrences.map((o) => [o.text, o.range.start.line]);
      assert.deepEqual(crlf, lf);
    }),
    { numRuns: RUNS, seed: 19 },
  );
});
