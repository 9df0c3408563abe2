// Test helpers for the format parsers (imported by *.test.ts only).
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range, SequenceOccurrence } from '../types';
import { findSequences, type FindOptions, type FindResult } from './index';

/** "line:char-line:char", the compact form expectations are written in. */
export function rangeStr(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** (text, range) pairs of every occurrence. */
export function found(result: FindResult): Array<[string, string]> {
  return result.occurrences.map((o) => [o.text, rangeStr(o.range)]);
}

/**
 * Runs findSequences and checks the invariants every occurrence must satisfy against the document
 * as the editor holds it (without BOM): segments tile `text` in order, and each verbatim segment's
 * range holds exactly its piece of `text`.
 */
export function find(text: string, options: FindOptions): FindResult {
  const result = findSequences(text, options);
  const editorText = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const doc = TextDocument.create('file:///t', 'plaintext', 1, editorText);
  for (const o of result.occurrences) checkSegments(doc, o);
  return result;
}

function checkSegments(doc: TextDocument, o: SequenceOccurrence): void {
  let at = 0;
  for (const seg of o.segments) {
    assert.equal(seg.offset, at, `segments of ${JSON.stringify(o.text)} must tile its text`);
    const inDoc = doc.getText(seg.range);
    const piece = o.text.slice(seg.offset, seg.offset + seg.length);
    if (inDoc.length === piece.length) assert.equal(inDoc, piece, `segment ${rangeStr(seg.range)} of ${JSON.stringify(o.text)}`);
    at += seg.length;
  }
  assert.equal(at, o.text.length);
  assert.deepEqual(o.range.start, o.segments[0]?.range.start);
  assert.deepEqual(o.range.end, o.segments[o.segments.length - 1]?.range.end);
}

export function codes(result: FindResult): string[] {
  return result.fileProblems.map((p) => p.code);
}
