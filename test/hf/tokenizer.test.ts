// Golden token ids: our tokenizer (HfTokenizer over @huggingface/tokenizers, pure JS) against the
// Rust implementation (the `tokenizers` npm package's native bindings) on the same hand-written
// tokenizer.json, for byte-level BPE, WordPiece and Unigram, with and without special tokens, on
// strings with unicode, whitespace runs, emoji and special tokens inside the text. Decoding must
// agree too. Then the chat template: the rendered ChatML text exactly, and its ids.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { HfTokenizer } from '../../server/src/engine/policy/hf';
import { bpeTokenizerConfig, byteLevelBpe, GOLDEN_STRINGS, unigram, wordPiece } from './tokenizer-fixtures';

const root = mkdtempSync(join(tmpdir(), 'hf-tok-'));
after(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, json: unknown, config: unknown = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return dir;
}

const kinds: Array<[string, () => Record<string, unknown>, Record<string, unknown>]> = [
  ['byte-level BPE', byteLevelBpe, bpeTokenizerConfig()],
  ['WordPiece', wordPiece, {}],
  ['Unigram', unigram, {}],
];

for (const [kind, make, config] of kinds) {
  test(`${kind}: ids and decoding equal the Rust tokenizers' for every golden string`, async () => {
    const json = make();
    const ours = (await HfTokenizer.load(folder(kind.replace(/\W+/g, '-'), json, config)))!;
    const rust = RustTokenizer.fromString(JSON.stringify(json));
    let tokens = 0;
    for (const text of GOLDEN_STRINGS) {
      for (const addSpecialTokens of [false, true]) {
        const want = (await rust.encode(text, null, { addSpecialTokens })).getIds();
        const got = ours.encode(text, addSpecialTokens);
        assert.deepEqual(got, want, `${JSON.stringify(text)} (add_special_tokens=${addSpecialTokens})`);
        tokens += got.length;
        assert.equal(ours.decode(got, true), await rust.decode(want, true), `decode of ${JSON.stringify(text)}`);
      }
    }
    assert.ok(tokens > 100, `only ${tokens} tokens over the golden strings`);
  });
}

test('byte-level BPE round-trips any text, and merges are really used (fewer ids than bytes)', async () => {
  const ours = (await HfTokenizer.load(folder('bpe-roundtrip', byteLevelBpe(), bpeTokenizerConfig())))!;
  for (const text of GOLDEN_STRINGS.filter((t) => !t.includes('<|'))) assert.equal(ours.decode(ours.encode(text)), text);
  const text = 'the quick brown fox jumps over the lazy dog';
  const n = ours.encode(text).length;
  assert.ok(n < 0.8 * Buffer.byteLength(text), `${n} ids for ${Buffer.byteLength(text)} bytes: the learned merges do not apply`);
});

test('chat template: ChatML rendered with the default system turn and the generation prompt, tokenized without extra specials', async () => {
  const ours = (await HfTokenizer.load(folder('chat', byteLevelBpe(), bpeTokenizerConfig())))!;
  const messages = [{ role: 'user', content: 'Write a SMILES for ethanol.' }];
  const text = ours.renderChat(messages, true);
  assert.equal(text, '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWrite a SMILES for ethanol.<|im_end|>\n<|im_start|>assistant\n');
  assert.equal(ours.renderChat(messages, false).endsWith('<|im_end|>\n'), true);
  const ids = ours.encodeChat(messages);
  const rust = RustTokenizer.fromString(JSON.stringify(byteLevelBpe()));
  assert.deepEqual(ids, (await rust.encode(text, null, { addSpecialTokens: false })).getIds());
  const imStart = ours.tokenToId('<|im_start|>')!;
  assert.equal(ids[0], imStart, 'the special token in the template becomes one id');
  assert.equal(ids.filter((i) => i === imStart).length, 3);
  assert.equal(ours.specialId('eos'), ours.tokenToId('<|im_end|>'));
});

test('a folder without a chat template refuses messages with a clear error; bad JSON names the file', async () => {
  const ours = (await HfTokenizer.load(folder('nochat', wordPiece(), {})))!;
  assert.throws(() => ours.encodeChat([{ role: 'user', content: 'hi' }]), /has no chat template .*plain text/);
  const bad = join(root, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'tokenizer.json'), '{ not json');
  await assert.rejects(HfTokenizer.load(bad), /tokenizer\.json is not valid JSON/);
  assert.equal(await HfTokenizer.load(join(root, 'missing-folder')), null);
});
