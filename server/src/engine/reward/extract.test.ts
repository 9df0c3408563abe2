import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionText, extractTagged } from './extract';

test('all five tags (and the engine aliases) are found with their modality, in order, case-insensitively', () => {
  const text = 'a <smiles>CCO</smiles> b <protein>MKT</protein> <amino_acid>VYF</amino_acid> <DNA>acgt</DNA> <Rna>ACGU</Rna> <peptide>GG</peptide>';
  const { spans, unclosed } = extractTagged(text);
  assert.deepEqual(
    spans.map((s) => [s.tag, s.modality, s.content]),
    [
      ['smiles', 'SMILES', 'CCO'],
      ['protein', 'amino_acid', 'MKT'],
      ['amino_acid', 'amino_acid', 'VYF'],
      ['dna', 'nucleotide', 'acgt'],
      ['rna', 'nucleotide', 'ACGU'],
      ['peptide', 'amino_acid', 'GG'],
    ],
  );
  assert.deepEqual(unclosed, []);
  for (const s of spans) assert.equal(text.slice(s.offset, s.offset + s.content.length), s.content);
});

test('mismatched closing tags do not pair; an opened tag never closed is reported', () => {
  assert.deepEqual(extractTagged('<smiles>CCO</protein>').spans, []);
  assert.deepEqual(extractTagged('<smiles>CCO</protein>').unclosed, ['smiles']);
  assert.deepEqual(extractTagged('<protein>MKTAYIAK').unclosed, ['protein']);
  assert.deepEqual(extractTagged('<foo>CCO</foo>'), { spans: [], unclosed: [] });
});

test("content may contain '<' and line breaks (validated later, not dropped as 'no tag')", () => {
  const { spans } = extractTagged('<smiles>C<C</smiles>\n<protein>MKT\nAYI</protein>');
  assert.deepEqual(spans.map((s) => s.content), ['C<C', 'MKT\nAYI']);
});

test('completionText: strings as is, chat messages -> assistant contents (string or text parts)', () => {
  assert.equal(completionText('<dna>acgt</dna>'), '<dna>acgt</dna>');
  assert.equal(completionText([{ role: 'assistant', content: '<smiles>CCO</smiles>' }]), '<smiles>CCO</smiles>');
  assert.equal(
    completionText([
      { role: 'user', content: 'ignored <smiles>N</smiles>' },
      { role: 'assistant', content: [{ type: 'text', text: '<protein>' }, { type: 'image' }, { type: 'text', text: 'MKT</protein>' }] },
    ]),
    '<protein>MKT</protein>',
  );
  assert.throws(() => completionText(42 as unknown as string), /string or a list of chat messages/);
});
