import { test } from 'node:test';
import assert from 'node:assert/strict';
import { find, found } from './testing';

const opts = { extension: '.smi' };

test('SMILES with names, comments, header line, tabs and CRLF', () => {
  const r = find('SMILES\tName\r\n# a comment\r\nCCO ethanol\r\n\r\n  c1ccccc1\tbenzene ring \r\nC[C@H](N)C(=O)O\r\n', opts);
  assert.deepEqual(found(r), [
    ['CCO', '2:0-2:3'],
    ['c1ccccc1', '4:2-4:10'],
    ['C[C@H](N)C(=O)O', '5:0-5:15'],
  ]);
  assert.deepEqual(r.occurrences.map((o) => o.hints.name), ['ethanol', 'benzene ring', undefined]);
  assert.ok(r.occurrences.every((o) => o.format === 'smi' && o.hints.extension === '.smi'));
});

test('an invalid SMILES is still reported (diagnostics judge it)', () => {
  assert.deepEqual(found(find('C1CC(\n', opts)), [['C1CC(', '0:0-0:5']]);
});

test('the first line is data when it is not a header', () => {
  assert.deepEqual(found(find('CCN amine\n', opts)), [['CCN', '0:0-0:3']]);
});

test('tagged text on a line of a .smi file', () => {
  const r = find('<smiles>CCO</smiles>\n', { languageId: 'smiles' });
  assert.deepEqual(found(r), [['CCO', '0:8-0:11']]);
  assert.equal(r.occurrences[0]!.hints.tag, 'smiles');
});
