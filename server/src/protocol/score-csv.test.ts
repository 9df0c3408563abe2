import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { scoresCsv, scoresCsvPath } from './score-csv';
import type { ScoredSequenceRecord } from './score';

const rec = (text: string, line: number): ScoredSequenceRecord => ({
  range: { start: { line, character: 4 }, end: { line, character: 4 + text.length } },
  text,
  modality: 'SMILES',
  confidence: 1,
  length: text.length,
  reward: -12.5,
  pll: -1.25,
  perplexity: Math.exp(1.25),
  mode: 'masked',
  model: 'ume,"tiny"',
  temperature: 0.1,
  n_tokens: text.length + 2,
  truncated: false,
  least_likely: [],
  tokens: [],
});

test('CSV: header, 1-based positions, quoting that a CSV parser reads back, formula-looking text kept as text', () => {
  const csv = scoresCsv([rec('CC(=O)O', 0), rec('C"C,O\nx', 9), rec('=CMD()', 2)]);
  const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(Object.keys(rows[0]!), ['line', 'character', 'modality', 'length', 'reward', 'pll', 'perplexity', 'mode', 'model', 'text']);
  assert.deepEqual(rows.map((r) => [r['line'], r['character'], r['text']]), [
    ['1', '5', 'CC(=O)O'],
    ['10', '5', 'C"C,O\nx'],
    ['3', '5', "'=CMD()"],
  ]);
  assert.equal(rows[0]!['model'], 'ume,"tiny"');
  assert.equal(Number(rows[0]!['reward']), -12.5);
  assert.equal(Number(rows[0]!['perplexity']), Math.exp(1.25));
  assert.equal(scoresCsvPath('/d/mols.smi'), '/d/mols.smi.ume-scores.csv');
});
