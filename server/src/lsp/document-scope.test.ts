import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentScope, extensionOf, mayContainTags } from './document-scope';

test('extension comes from the URI path, lowercased and percent-decoded', () => {
  assert.equal(extensionOf('file:///home/a/Proteins.FASTA'), '.fasta');
  assert.equal(extensionOf('file:///home/a%20b/mols.smi'), '.smi');
  assert.equal(extensionOf('untitled:Untitled-1'), undefined);
  assert.equal(extensionOf('file:///data/README'), undefined);
});

test('sequence languages are analysed fully, others only for tags, other schemes not at all', () => {
  assert.deepEqual(documentScope('file:///x/a.fa', 'fasta', true), { extension: '.fa', languageId: 'fasta', taggedOnly: false });
  assert.deepEqual(documentScope('untitled:Untitled-2', 'plaintext', true), {
    extension: undefined,
    languageId: 'plaintext',
    taggedOnly: false,
  });
  assert.deepEqual(documentScope('file:///x/notes.md', 'markdown', true), {
    extension: '.md',
    languageId: 'markdown',
    taggedOnly: true,
  });
  assert.equal(documentScope('file:///x/notes.md', 'markdown', false), null);
  assert.equal(documentScope('git:/x/a.fa?ref', 'fasta', true), null);
  assert.equal(documentScope('output:extension-output-1', 'log', true), null);
});

test('tag pre-check', () => {
  assert.equal(mayContainTags('x = "<SMILES>CCO</SMILES>"'), true);
  assert.equal(mayContainTags('const smiles = "CCO";'), false);
});
