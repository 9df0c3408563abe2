import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { find, found } from './testing';
import { looksLikeSequenceToken } from './looks-like-sequence';

const txt = { extension: '.txt' };

test('sequences in prose are found, English words are not', () => {
  const text = 'Hello! This information matters.\nThe protein MKTAYIAKQRQISFVKSHFSRQ binds (aspirin: CC(=O)Oc1ccccc1C(=O)O).\n';
  assert.deepEqual(found(find(text, txt)), [
    ['MKTAYIAKQRQISFVKSHFSRQ', '1:12-1:34'],
    ['CC(=O)Oc1ccccc1C(=O)O', '1:51-1:72'],
  ]);
});

test('conservative token test', () => {
  const yes = ['MKTAYIAKQRQISFVKSHFSRQ', 'CC(=O)Oc1ccccc1C(=O)O', 'ACGTACGTAC', 'acgtacgtnn', 'AUGGCCAUUG', 'MKTAYI--AKQ*', 'C[C@H](N)C(=O)O', 'CCCCCCCCCCO', '[Na+].[Cl-]CCCC'];
  const no = ['Hello', 'information', 'INFORMATION', 'HEADLINES', 'STRENGTHS', 'DOCUMENTATION', 'https://example.org', '2024-01-01', 'v1.2.3-beta', 'ENSG00000139618',
    'state-of-the-art', 'C6H12O6', 'Bonobos', 'well-known', 'IMPORTANT', 'CHARACTERISTIC', 'ACCEPTANCE', 'PROTEINS', 'SEQUENCES', 'DEADBEEF', '/usr/bin/python3', 'hello_world'];
  for (const t of yes) assert.ok(looksLikeSequenceToken(t, 8), `${t} should be a sequence`);
  for (const t of no) assert.ok(!looksLikeSequenceToken(t, 8), `${t} should not be a sequence`);
});

const HUNSPELL_EN = '/usr/share/hunspell/en_US.dic'; // Debian hunspell-en-us (.ci/run installs it)
const SEEDS = join(import.meta.dirname, '../../../../../../shared/seeds'); // the user's documents, beside the repo

test('English words of 10+ letters, upper-cased, are rarely taken for sequences (hunspell list)', { skip: !existsSync(HUNSPELL_EN) && `needs ${HUNSPELL_EN} (apt-get install hunspell-en-us)` }, () => {
  const dic = readFileSync(HUNSPELL_EN, 'latin1');
  const words = dic.split('\n').slice(1).map((l) => (l.split('/')[0] ?? '').toUpperCase()).filter((w) => /^[A-Z]{10,}$/.test(w));
  const taken = words.filter((w) => looksLikeSequenceToken(w, 8));
  assert.ok(words.length > 10_000);
  assert.ok(taken.length / words.length < 0.01, `${taken.length} of ${words.length}: ${taken.slice(0, 20).join(' ')}`);
  for (const w of words.slice(0, 3000)) assert.ok(!looksLikeSequenceToken(w.toLowerCase(), 8), w.toLowerCase());
});

test('minPlainLength setting', () => {
  assert.deepEqual(found(find('peptide MKTAYIA here', { ...txt, minPlainLength: 6 })), [['MKTAYIA', '0:8-0:15']]);
  assert.deepEqual(found(find('peptide MKTAYIA here', txt)), []);
});

test('tagged text in any file takes precedence over plain tokens, and may span lines', () => {
  const text = 'Answer: <smiles> CC(=O)Oc1ccccc1C(=O)O </smiles> <PROTEIN>MKT</PROTEIN>\n<dna>\nACGTAC\nGGTT\n</dna> <rna></rna>';
  const r = find(text, { extension: '.md' });
  assert.deepEqual(r.occurrences.map((o) => [o.text, o.format, o.hints.tag]), [
    ['CC(=O)Oc1ccccc1C(=O)O', 'tagged', 'smiles'],
    ['MKT', 'tagged', 'protein'],
    ['ACGTACGGTT', 'tagged', 'dna'],
  ]);
  assert.deepEqual(found(r).map((f) => f[1]), ['0:17-0:38', '0:58-0:61', '2:0-3:4']);
  assert.equal(r.occurrences[2]!.segments.length, 2);
});

test('Markdown around sequences: bold, table cells, trailing ellipsis, code quotes', () => {
  const text = '| **MKTVRQERLKSIVRILERSKEPVSGAQLAE** | CC(C)CC1=CC=C(C=C1)C(C)C(=O)O... |\nsequence = "CC(C)CC1=CC=C(C=C1)C(C)C(=O)O"\n';
  assert.deepEqual(found(find(text, { extension: '.md' })), [
    ['MKTVRQERLKSIVRILERSKEPVSGAQLAE', '0:4-0:34'],
    ['CC(C)CC1=CC=C(C=C1)C(C)C(=O)O', '0:39-0:68'],
    ['CC(C)CC1=CC=C(C=C1)C(C)C(=O)O', '1:12-1:41'],
  ]);
});

test("the user's own seed documents yield only real sequences", { skip: !existsSync(SEEDS) && `needs ${SEEDS} (shared/ beside the checkout)` }, () => {
  const files = readdirSync(SEEDS).filter((f) => f.endsWith('.txt'));
  assert.ok(files.length > 0, `no seed documents in ${SEEDS}`);
  const all = files.flatMap((f) => find(readFileSync(join(SEEDS, f), 'utf8'), { extension: '.md' }).occurrences.map((o) => o.text));
  const unique = [...new Set(all)].sort();
  assert.deepEqual(unique, ['ATGCGATCGATCGATCGATCGATCGATCG', 'CC(C)CC1=CC=C(C=C1)C(C)C(=O)O', 'MKTVRQERLKSIVRILERSKEPVSGAQLAE']);
});
