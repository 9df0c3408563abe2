// Preparation with the real RDKit and the real tokenizer: which completions are scored, and the
// kind and reason of every refusal.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRDKit, type SmilesValidator } from '../seq/rdkit';
import { prepareCompletion, type PrepareOptions, type Prepared } from './prepare';

let rdkit: SmilesValidator;
before(async () => {
  rdkit = await loadRDKit();
});

const O: PrepareOptions = { detection: 'off', multiple: 'first', overlong: 'penalty', validateSmiles: true, maxLength: 64 };
const prep = (text: string, o: Partial<PrepareOptions> = {}) => prepareCompletion(text, rdkit, { ...O, ...o });
const failure = (p: Prepared) => (p.ok ? 'ok' : `${p.kind}: ${p.reason}`);

test('tagged sequences become candidates with ids from the UME tokenizer', () => {
  const p = prep('Sure! <smiles> CCO </smiles>');
  assert.ok(p.ok, failure(p));
  assert.deepEqual(p.candidates.map((c) => [c.modality, c.text, c.source, c.encoding.ids]), [['SMILES', 'CCO', 'smiles', [2, 54, 54, 58, 4]]]);
  const aa = prep('<amino_acid>VYF</amino_acid>');
  assert.ok(aa.ok);
  assert.deepEqual(aa.candidates[0]!.encoding.ids, [1, 30, 42, 41, 4]);
});

test('no tag, empty tag and unclosed tag each get their own kind and a reason', () => {
  assert.match(failure(prep('CCO')), /^no-tag: no <smiles>, <protein>, <amino_acid>, <dna> or <rna> tag pair/);
  assert.match(failure(prep('<smiles>  </smiles>')), /^empty-tag: the <smiles> tag is empty/);
  assert.match(failure(prep('<protein>MKTAYIAKQRQISFVKSH')), /^unclosed-tag: <protein> is never closed/);
  // An empty tag followed by a filled one: the filled one is used (lobster skipped empty tags too).
  const p = prep('<smiles></smiles><smiles>CCN</smiles>');
  assert.ok(p.ok && p.candidates[0]!.text === 'CCN');
});

test('invalid SMILES are refused with RDKit\'s reason; validation can be switched off', () => {
  assert.match(failure(prep('<smiles>C1CC</smiles>')), /^invalid-smiles: invalid SMILES "C1CC": .*ring/i);
  assert.match(failure(prep('<smiles>CCO ethanol</smiles>')), /^invalid-smiles: the SMILES contains whitespace/);
  assert.ok(prep('<smiles>C1CC</smiles>', { validateSmiles: false }).ok);
});

test('characters outside UME\'s alphabet (lowercase protein, literal specials) are refused, not scored as <unk>', () => {
  assert.match(failure(prep('<protein>mktayi</protein>')), /^unknown-tokens: <protein> content "mktayi" has 6 tokens outside UME's amino-acid alphabet \(uppercase one-letter codes\): "m" at 0, "k" at 1, "t" at 2, …/);
  assert.match(failure(prep('<protein>MKT<mask>AYI</protein>')), /literal <mask> at 3/);
  // DNA is lowercased by UME's tokenizer, so either case is fine; line-wrapped proteins are joined.
  assert.ok(prep('<dna>ACGTacgt</dna>').ok);
  const wrapped = prep('<protein>\nMKTAY\nIAKQR\n</protein>');
  assert.ok(wrapped.ok && wrapped.candidates[0]!.text === 'MKTAYIAKQR');
});

test('overlong: penalty by default with the real length; truncate keeps the first maxLength tokens', () => {
  const long = `<protein>${'MKTAYIAKQR'.repeat(10)}</protein>`;
  assert.equal(failure(prep(long)), "overlong: the amino_acid sequence is 102 tokens with cls and eos, over the scorer's max length 64; raise maxLength or set overlong: \"truncate\"");
  const t = prep(long, { overlong: 'truncate' });
  assert.ok(t.ok);
  assert.equal(t.candidates[0]!.encoding.ids.length, 64);
  assert.equal(t.candidates[0]!.encoding.truncated, true);
});

test("several tags: 'first' takes the first non-empty; 'mean'/'min' take all and need all valid", () => {
  const text = '<smiles>CCO</smiles> and <protein>MKT</protein>';
  const first = prep(text);
  assert.ok(first.ok && first.candidates.length === 1 && first.modality === 'SMILES');
  const all = prep(text, { multiple: 'mean' });
  assert.ok(all.ok);
  assert.deepEqual(all.candidates.map((c) => c.modality), ['SMILES', 'amino_acid']);
  assert.match(failure(prep('<smiles>CCO</smiles><smiles>C1C</smiles>', { multiple: 'min' })), /^invalid-smiles/);
  assert.ok(prep('<smiles>CCO</smiles><smiles>C1C</smiles>').ok, "'first' ignores the later invalid one");
});

test('detection fallback is opt-in: off -> no-tag; default/lobster detect the whole completion', () => {
  assert.match(failure(prep('MKTAYIAKQRQISFVKSHFSRQ')), /^no-tag/);
  const d = prep('  MKTAYIAKQRQISFVKSHFSRQ\n', { detection: 'default' });
  assert.ok(d.ok, failure(d));
  assert.deepEqual([d.modality, d.candidates[0]!.source, d.candidates[0]!.text], ['amino_acid', 'detected', 'MKTAYIAKQRQISFVKSHFSRQ']);
  const smi = prep('CC(=O)Oc1ccccc1C(=O)O', { detection: 'default' });
  assert.ok(smi.ok && smi.modality === 'SMILES');
  // lobster's rules: "ACGT" is DNA by order alone; RNA fails.
  const l = prep('ACGTACGT', { detection: 'lobster' });
  assert.ok(l.ok && l.modality === 'nucleotide');
  assert.match(failure(prep('Hello, how are you today?', { detection: 'default' })), /^undetected: no tag, and the completion "Hello, how are you today\?" is not a valid amino_acid sequence: ',' is not a valid amino-acid code/);
  assert.match(failure(prep('C1CC', { detection: 'default' })), /^undetected: .*not a valid SMILES sequence: Invalid SMILES: unclosed ring/);
  assert.match(failure(prep('Hello there', { detection: 'lobster' })), /^undetected: no tag, and lobster detection could not tell the modality of "Hello there"/);
  // Tags present but unclosed: the reason names the tag, detection is not attempted.
  assert.match(failure(prep('<smiles>CCO', { detection: 'default' })), /^unclosed-tag/);
});
