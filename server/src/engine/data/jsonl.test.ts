import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PROBLEMS, parsePromptJsonl } from './jsonl';
import { inferModality } from './infer-modality';

const jsonl = (...rows: unknown[]): string => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

test('rows keep prompt, completion, preference pair, modality and every other column', () => {
  const r = parsePromptJsonl(
    jsonl(
      { prompt: 'Make a drug <smiles>', completion: 'CCO', target_logp: 2.5, id: 'a1' },
      { prompt: [{ role: 'system', content: 'You design proteins.' }, { role: 'user', content: 'One please' }], chosen: 'MKV', rejected: 'mkv', modality: 'amino_acid' },
      { prompt: 'anything', modality: 'dna' },
    ),
  );
  assert.equal(r.errorCount, 0, JSON.stringify(r.problems));
  assert.deepEqual(r.rows, [
    { prompt: 'Make a drug <smiles>', completion: 'CCO', modality: 'SMILES', columns: { target_logp: 2.5, id: 'a1' } },
    { prompt: [{ role: 'system', content: 'You design proteins.' }, { role: 'user', content: 'One please' }], chosen: 'MKV', rejected: 'mkv', modality: 'amino_acid' },
    { prompt: 'anything', modality: 'nucleotide' },
  ]);
  assert.equal(r.inferredModality, 1);
});

test('every bad line is reported with its 1-based line number, not just the first', () => {
  const text = [
    '{"prompt": "ok <dna>"}',
    '{"prompt": "broken',
    '',
    '["not", "an", "object"]',
    '{"completion": "CCO"}',
    '{"prompt": 42}',
    '{"prompt": "x <smiles>", "modality": "rna?"}',
    '{"prompt": [{"role": "user"}]}',
    '{"prompt": "fine <protein>"}',
    '{"prompt": "   "}',
  ].join('\r\n');
  const r = parsePromptJsonl(text);
  const errors = r.problems.filter((p) => p.severity === 'error');
  assert.deepEqual(errors.map((p) => p.line), [2, 4, 5, 6, 7, 8, 10]);
  assert.equal(r.errorCount, 7);
  assert.match(errors[0]!.message, /not valid JSON/);
  assert.match(errors[1]!.message, /expected a JSON object .* got an array/);
  assert.match(errors[2]!.message, /no "prompt" field \(fields: completion\)/);
  assert.match(errors[3]!.message, /"prompt" must be a string or a list of chat messages, got a number/);
  assert.match(errors[4]!.message, /"modality" must be one of SMILES, amino_acid, nucleotide/);
  assert.match(errors[5]!.message, /"prompt"\[0\] must be a chat message .* keys role/);
  assert.match(errors[6]!.message, /"prompt" is empty/);
  assert.deepEqual(r.rows.map((x) => x.modality), ['nucleotide', 'amino_acid']);
});

test('problems are listed up to a cap and all counted', () => {
  const r = parsePromptJsonl(Array.from({ length: MAX_PROBLEMS + 30 }, () => '{bad').join('\n'));
  assert.equal(r.errorCount, MAX_PROBLEMS + 30);
  assert.equal(r.problems.length, MAX_PROBLEMS);
  assert.equal(r.problems.at(-1)!.line, MAX_PROBLEMS);
});

test('an empty file and a JSON array file get one clear file-level error', () => {
  for (const empty of ['', '\n\n  \n', '\ufeff']) {
    const r = parsePromptJsonl(empty);
    assert.deepEqual(r.problems.map((p) => [p.line, p.severity]), [[null, 'error']]);
    assert.match(r.problems[0]!.message, /the file is empty: expected JSON Lines/);
  }
  const arr = parsePromptJsonl(JSON.stringify([{ prompt: 'a' }, { prompt: 'b' }], null, 2));
  assert.equal(arr.errorCount, 1);
  assert.match(arr.problems[0]!.message, /one JSON array .* jq -c/);
});

test('warnings: unknown modality, <amino_acid> tags, a modality that contradicts the tags, half a preference pair', () => {
  const r = parsePromptJsonl(
    jsonl(
      { prompt: 'write something' },
      { prompt: 'enclose it in <amino_acid> and </amino_acid> tags' },
      { prompt: 'give <smiles> or <dna>' },
      { prompt: 'give <dna>', modality: 'SMILES' },
      { prompt: 'x <dna>', chosen: 'ACGT' },
    ),
  );
  assert.equal(r.errorCount, 0);
  const w = r.problems.map((p) => [p.line, p.message.slice(0, 40)]);
  assert.deepEqual(w.map((x) => x[0]), [1, 2, 3, 4, 5]);
  assert.match(r.problems[0]!.message, /modality unknown \(no "modality" field/);
  assert.match(r.problems[1]!.message, /<amino_acid> tags, which the UME reward does not accept/);
  assert.match(r.problems[2]!.message, /tags of SMILES and nucleotide/);
  assert.match(r.problems[3]!.message, /"modality" is SMILES but the prompt asks for <dna> tags/);
  assert.match(r.problems[4]!.message, /"chosen" without "rejected"/);
  // The <amino_acid> prompt still infers its modality (lobster's users have such files).
  assert.deepEqual(r.rows.map((x) => x.modality), [null, 'amino_acid', null, 'SMILES', 'nucleotide']);
});

test('maxSamples keeps the first N rows and stops reading there', () => {
  const text = jsonl({ prompt: 'a <dna>' }, '', { prompt: 'b <dna>' }, { prompt: 'c <dna>' }, '{bad');
  const r = parsePromptJsonl(text, { maxSamples: 2 });
  assert.deepEqual(r.rows.map((x) => x.prompt), ['a <dna>', 'b <dna>']);
  assert.equal(r.errorCount, 0, 'the bad line after the cut is not read');
  assert.equal(r.linesRead, 3);
  assert.equal(parsePromptJsonl(text).errorCount, 1);
});

test('a "__proto__" column stays a column and does not touch the prototype', () => {
  const r = parsePromptJsonl('{"prompt": "p <smiles>", "__proto__": {"polluted": true}}');
  const row = r.rows[0]!;
  assert.deepEqual(Object.keys(row.columns!), ['__proto__']);
  assert.equal((row.columns as Record<string, unknown>).polluted, undefined);
});

test('inferModality reads the tags a prompt asks for, in text or in messages', () => {
  assert.equal(inferModality('Enclose the SMILES string in <smiles> and </smiles> tags.'), 'SMILES');
  assert.equal(inferModality('put it in <PROTEIN></PROTEIN>'), 'amino_acid');
  assert.equal(inferModality([{ role: 'user', content: 'a <rna> please' }]), 'nucleotide');
  assert.equal(inferModality('a SMILES string please'), null);
  assert.equal(inferModality('<smiles> then <protein>'), null);
  assert.equal(inferModality('<b>bold</b>'), null);
});
