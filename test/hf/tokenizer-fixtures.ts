// tokenizer.json files written by hand (no model hub here), in the three shapes real models use:
//   byteLevelBpe  GPT-2 / Llama 3 / Qwen style: ByteLevel pre-tokenizer and decoder, BPE merges
//                 learned here from a small corpus, special tokens (<|begin_of_text|>, ChatML's
//                 <|im_start|>/<|im_end|>) and a TemplateProcessing post-processor adding BOS.
//   wordPiece     BERT style: BertNormalizer (lowercase, accents), BertPreTokenizer, ## pieces,
//                 [CLS] $A [SEP].
//   unigram       SentencePiece style: Metaspace, scored pieces, <unk>.
// plus tokenizer_config.json contents with a ChatML chat template (Qwen2's layout).

const CORPUS = [
  'Write a SMILES string for aspirin: CC(=O)Oc1ccccc1C(=O)O',
  'Generate a protein sequence: MKTAYIAKQRQISFVKSHFSRQ and a DNA sequence ACGTTGCA',
  'the quick brown fox jumps over the lazy dog, the end of the story',
  'Hello world! Hello there, general Kenobi. <smiles>CCO</smiles> <protein>MKV</protein>',
];

/** GPT-2's bytes_to_unicode: every byte as a printable character. */
export function byteToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => (out[b] = String.fromCodePoint(cs[i]!)));
  return out;
}

/** A few BPE merges learned from CORPUS (most frequent adjacent pair first, words split at spaces). */
function learnMerges(count: number, table: string[]): Array<[string, string]> {
  const words = new Map<string, number>();
  for (const line of CORPUS) {
    line.split(' ').forEach((w, i) => {
      const bytes = Buffer.from((i > 0 ? ' ' : '') + w, 'utf8');
      const key = Array.from(bytes, (b) => table[b]!).join('\u0000');
      words.set(key, (words.get(key) ?? 0) + 1);
    });
  }
  let split = [...words.entries()].map(([k, n]) => ({ parts: k.split('\u0000'), n }));
  const merges: Array<[string, string]> = [];
  for (let m = 0; m < count; m++) {
    const pairs = new Map<string, number>();
    for (const w of split) for (let i = 0; i + 1 < w.parts.length; i++) pairs.set(`${w.parts[i]}\u0000${w.parts[i + 1]}`, (pairs.get(`${w.parts[i]}\u0000${w.parts[i + 1]}`) ?? 0) + w.n);
    const best = [...pairs.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (!best) break;
    const [a, b] = best[0].split('\u0000') as [string, string];
    merges.push([a, b]);
    split = split.map((w) => {
      const parts: string[] = [];
      for (let i = 0; i < w.parts.length; i++) {
        if (i + 1 < w.parts.length && w.parts[i] === a && w.parts[i + 1] === b) {
          parts.push(a + b);
          i++;
        } else parts.push(w.parts[i]!);
      }
      return { parts, n: w.n };
    });
  }
  return merges;
}

const added = (id: number, content: string, special = true): Record<string, unknown> => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special });

export const BPE_SPECIALS = ['<|begin_of_text|>', '<|end_of_text|>', '<|im_start|>', '<|im_end|>'];

export function byteLevelBpe(merges = 60): Record<string, unknown> {
  const table = byteToUnicode();
  const vocab: Record<string, number> = {};
  table.forEach((ch) => (vocab[ch] = Object.keys(vocab).length));
  const learned = learnMerges(merges, table);
  for (const [a, b] of learned) if (!((a + b) in vocab)) vocab[a + b] = Object.keys(vocab).length;
  const base = Object.keys(vocab).length;
  const bos = BPE_SPECIALS[0]!;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BPE_SPECIALS.map((t, i) => added(base + i, t)),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: bos, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { [bos]: { id: bos, ids: [base], tokens: [bos] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: learned.map(([a, b]) => `${a} ${b}`) },
  };
}

/** Qwen2's ChatML template (system default, add_generation_prompt). */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

export function bpeTokenizerConfig(): Record<string, unknown> {
  return {
    add_bos_token: false,
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: '<|end_of_text|>',
    unk_token: null,
    chat_template: CHATML_TEMPLATE,
    clean_up_tokenization_spaces: false,
    model_max_length: 128,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
}

export function wordPiece(): Record<string, unknown> {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const words = ['the', 'quick', 'brown', 'fox', 'protein', 'sequence', 'hello', 'world', 'cafe', 'naive', 'smiles', '##s', '##ing', '##ed', '##er'];
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789!?.,:;()=[]<>/-#@+'.split('');
  const vocab: Record<string, number> = {};
  for (const t of [...specials, ...chars, ...chars.filter((c) => /[a-z0-9]/.test(c)).map((c) => `##${c}`), ...words]) if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((t) => added(vocab[t]!, t)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

export function unigram(): Record<string, unknown> {
  const pieces: Array<[string, number]> = [['<unk>', 0], ['<s>', 0], ['</s>', 0]];
  const words = ['▁the', '▁protein', '▁sequence', '▁hello', '▁world', '▁a', 'ing', 'er', '▁qu', 'ick', '▁br', 'own', 'CC', 'O', '▁C'];
  words.forEach((w, i) => pieces.push([w, -2 - i * 0.1]));
  const chars = '▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!?.,:;()=[]<>/-#@+ïé'.split('');
  chars.forEach((c, i) => pieces.push([c, -5 - i * 0.01]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')],
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 0, vocab: pieces, byte_fallback: false },
  };
}

/** Strings the golden tests tokenize: ASCII, chemistry, biology, whitespace, accents, CJK, emoji, specials in text. */
export const GOLDEN_STRINGS = [
  'Hello world',
  'the quick brown fox jumps over the lazy dog',
  'CC(=O)Oc1ccccc1C(=O)O',
  '<smiles>CCO</smiles>',
  'MKTAYIAKQRQISFVKSHFSRQ',
  '  two leading spaces and trailing  ',
  'tabs\tand\nnew lines\n\n',
  'naïve café Ünïcödé',
  '日本語のテキスト、中文',
  'emoji 🧬🧪 and 👩‍🔬',
  "it's 2025's best: don't, we'll",
  '<|im_start|>user\nhi there<|im_end|>',
  '',
];
