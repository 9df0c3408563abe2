// Property-based tests of UME's tokenizer (fast-check, issue 17): for any text and modality, encode
// does not throw, ids are in the vocabulary, <cls_MODALITY> first and <eos> last, token offsets are
// in order, inside the text and cover every non-space character, and maxLength truncates to exactly
// maxLength tokens keeping the same prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encode, isSpecial, SPECIAL, tokenString, VOCAB_SIZE } from '../../server/src/engine/ume/tokenizer';
import { foreignTokens } from '../../server/src/engine/ume/unknown-tokens';
import { MODALITIES } from '../../server/src/engine/seq/types';
import { fragment } from './generators';

const RUNS = Number(process.env.UME_PROPERTY_RUNS ?? 300);
const text = fc.oneof(fragment, fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: fc.constantFrom(...'ACGTacgtMKVLcnO()=#[]<>'.split('')), maxLength: 80 }));

test('encode: ids in the vocabulary, cls first, eos last, offsets ordered inside the text and covering it', () => {
  fc.assert(
    fc.property(text, fc.constantFrom(...MODALITIES), (s, modality) => {
      const e = encode(s, modality);
      assert.equal(e.ids.length, e.offsets.length);
      assert.equal(e.ids[0], { SMILES: SPECIAL.cls_smiles, amino_acid: SPECIAL.cls_amino_acid, nucleotide: SPECIAL.cls_nucleotide }[modality]);
      assert.equal(e.ids.at(-1), SPECIAL.eos);
      for (const id of e.ids) assert.ok(Number.isInteger(id) && id >= 0 && id < VOCAB_SIZE, `id ${id}`);
      let last = 0;
      const covered = new Uint8Array(s.length);
      for (let t = 1; t < e.offsets.length - 1; t++) {
        const [a, b] = e.offsets[t]!;
        assert.ok(a >= last && b >= a && b <= s.length, `token ${t} [${a}, ${b}) of ${JSON.stringify(s)}`);
        covered.fill(1, a, b);
        last = b;
      }
      for (let i = 0; i < s.length; i++) {
        if (!/\s/.test(s[i]!)) assert.equal(covered[i], 1, `character ${i} (${JSON.stringify(s[i])}) of ${JSON.stringify(s)} belongs to no token`);
      }
    }),
    { numRuns: RUNS, seed: 31 },
  );
});

test('encode with maxLength: at most maxLength tokens, the same prefix, eos last, truncated said', () => {
  fc.assert(
    fc.property(text, fc.constantFrom(...MODALITIES), fc.integer({ min: 2, max: 40 }), (s, modality, maxLength) => {
      const full = encode(s, modality);
      const cut = encode(s, modality, { maxLength });
      assert.ok(cut.ids.length <= maxLength);
      assert.equal(cut.truncated, full.ids.length > maxLength);
      assert.deepEqual(cut.ids.slice(0, -1), full.ids.slice(0, cut.ids.length - 1));
      assert.deepEqual(cut.offsets.slice(0, -1), full.offsets.slice(0, cut.ids.length - 1));
      assert.equal(cut.ids.at(-1), SPECIAL.eos);
    }),
    { numRuns: RUNS, seed: 32 },
  );
});

test('foreignTokens (streamed) finds exactly the special and <unk> tokens encode gives', () => {
  fc.assert(
    fc.property(fc.oneof(text, fc.string({ unit: fc.constantFrom(...'ACGTUacgtunMKxİ\u{1f600}<>'.split('')), maxLength: 80 })), fc.constantFrom(...MODALITIES), (s, modality) => {
      const e = encode(s, modality);
      const want = [];
      for (let t = 1; t < e.ids.length - 1; t++) {
        const id = e.ids[t]!;
        if (id < 0 || !isSpecial(id)) continue;
        const [a, b] = e.offsets[t]!;
        want.push({ offset: a, length: b - a, text: id === SPECIAL.unk ? s.slice(a, b) : tokenString(id), unk: id === SPECIAL.unk });
      }
      assert.deepEqual(foreignTokens(s, modality), { tokens: e.ids.length - 2, foreign: want });
    }),
    { numRuns: RUNS, seed: 33 },
  );
});
