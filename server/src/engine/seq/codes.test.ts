import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, DIAGNOSTIC_CODES, codeInfo, codesMarkdownTable, defaultSeverity } from './codes';

test('codes are unique, well-formed and named uniquely', () => {
  const codes = new Set<string>();
  const names = new Set<string>();
  for (const c of DIAGNOSTIC_CODES) {
    assert.match(c.code, /^UME\d{3}$/);
    assert.match(c.name, /^[a-z][a-z0-9-]*$/);
    assert.ok(!codes.has(c.code), `duplicate code ${c.code}`);
    assert.ok(!names.has(c.name), `duplicate name ${c.name}`);
    assert.equal(c.scope, c.code < 'UME100' ? 'file' : 'sequence');
    assert.ok(c.description.length > 20 && !c.description.includes('\n'));
    codes.add(c.code);
    names.add(c.name);
  }
});

test('every named constant points at a table entry, and every entry has a constant', () => {
  const values = Object.values(Code);
  for (const v of values) assert.ok(codeInfo(v), `${v} missing from the table`);
  assert.equal(new Set(values).size, DIAGNOSTIC_CODES.length);
});

test('file codes UME001-006 belong to the parsers', () => {
  for (const n of [1, 2, 3, 4, 5, 6]) assert.equal(codeInfo(`UME00${n}`)?.scope, 'file');
});

test('lookup by name, default severities and unknown codes', () => {
  assert.equal(codeInfo('invalid-smiles')?.code, 'UME103');
  assert.equal(defaultSeverity('UME103'), 'error');
  assert.equal(defaultSeverity('UME108'), 'hint');
  assert.deepEqual(codeInfo('UME108')?.fixes, ['canonicalize-smiles']);
  assert.equal(codeInfo('UME999'), undefined);
  assert.throws(() => defaultSeverity('UME999'), /Unknown diagnostic code UME999/);
});

test('markdown table has one row per code', () => {
  const lines = codesMarkdownTable().split('\n');
  assert.equal(lines.length, DIAGNOSTIC_CODES.length + 2);
  assert.match(lines[2] ?? '', /^\| UME001 \| binary-content-skipped \| warning \|/);
});
