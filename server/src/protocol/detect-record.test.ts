import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSummary, summarize, toDetectRecords } from './detect-record';
import { analyzeDocument } from '../engine/seq/index';

test('records come in document order, file-level ones with null text, and summarize counts them', async () => {
  const analysis = await analyzeDocument('>empty\n>p\nMKTAYJAKQR\n>q\nACGTACGTACGTAAA\n', { mode: 'default', extension: '.fasta' });
  const records = toDetectRecords('x.fasta', analysis);
  assert.deepEqual(
    records.map((r) => [r.range.start.line, r.text, r.modality, r.diagnostics.map((d) => d.code)]),
    [
      [0, null, null, ['UME003']],
      [2, 'MKTAYJAKQR', 'amino_acid', ['UME104']],
      [4, 'ACGTACGTACGTAAA', 'nucleotide', []],
    ],
  );
  const summary = summarize(records);
  assert.deepEqual(summary.byModality, { SMILES: 0, amino_acid: 1, nucleotide: 1, undetermined: 0 });
  assert.equal(describeSummary(summary), '2 sequences (1 amino_acid, 1 nucleotide); 1 error, 1 warning');
  assert.equal(describeSummary(summarize([])), '0 sequences; no problems');
});
