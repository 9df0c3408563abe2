import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nonOverlapping, rangesOverlap } from './convert';

const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

test('nonOverlapping sorts edits and drops overlaps and duplicate insert points', () => {
  const edits = [
    { range: r(2, 0, 2, 5), newText: 'b' },
    { range: r(0, 0, 0, 3), newText: 'a' },
    { range: r(2, 3, 2, 8), newText: 'overlaps b' },
    { range: r(3, 1, 3, 1), newText: 'ins' },
    { range: r(3, 1, 3, 1), newText: 'ins again' },
    { range: r(2, 5, 2, 6), newText: 'touches b' },
  ];
  assert.deepEqual(
    nonOverlapping(edits).map((e) => e.newText),
    ['a', 'b', 'touches b', 'ins'],
  );
});

test('rangesOverlap counts touching ranges, for cursors at a diagnostic end', () => {
  assert.equal(rangesOverlap(r(1, 0, 1, 4), r(1, 4, 1, 4)), true);
  assert.equal(rangesOverlap(r(1, 0, 1, 4), r(1, 5, 1, 6)), false);
  assert.equal(rangesOverlap(r(0, 0, 3, 0), r(1, 2, 1, 3)), true);
});
