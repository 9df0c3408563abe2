// fast-check arbitraries for the fuzz and the property tests: sequence-file documents of every
// language the server reads, built from real fragments (valid and broken SMILES, proteins, DNA, tags,
// FASTA headers, CSV rows, JSON values) and then mutated (truncation, NUL and control bytes, lone
// surrogates, CR/LF mixes, random unicode, splices), plus the shapes that broke the server before:
// molecules that crash RDKit's wasm, huge ring numbers, deep JSON, very long lines.
import fc from 'fast-check';

export const LANGUAGES = ['fasta', 'smiles', 'csv', 'tsv', 'json', 'jsonl', 'plaintext', 'markdown', 'python'] as const;
export type FuzzLanguage = (typeof LANGUAGES)[number];

export const EXTENSION: Record<FuzzLanguage, string> = {
  fasta: '.fasta', smiles: '.smi', csv: '.csv', tsv: '.tsv', json: '.json', jsonl: '.jsonl', plaintext: '.txt', markdown: '.md', python: '.py',
};

export const VALID_SMILES = [
  'CCO', 'c1ccccc1', 'CC(=O)Oc1ccccc1C(=O)O', 'CN1C=NC2=C1C(=O)N(C(=O)N2C)C', 'C[C@@H](N)C(=O)O', 'F/C=C/F', '[NH4+]', 'Clc1ccc(Br)cc1',
  'OC(=O)CCc1ccncc1', 'C1CC2CCC1C2', 'c1ccc2ccccc2c1', 'O=C([O-])C', '[2H]C([2H])([2H])O', 'C%10CCCCC%10', 'N#Cc1ccccc1', 'CC(C)(C)OC(=O)N',
];
export const BROKEN_SMILES = ['C1CC', 'CC(C', 'CCCC)(', 'N(C)(C)(C)C', 'c1ccnc1', 'cc', 'CCXC', 'C==C', 'C%(99999)CC%(99999', 'C%1', 'C[Xx]C', '[C@@@@H]'];
export const PROTEINS = ['MKTAYIAKQRQISFVKSHFSRQLEERLGLIEV', 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG', 'mktayiakqrqisfvk', 'MKT*AYIAK', 'MKTXBZUO', 'ACDEFGHIKLMNPQRSTVWY'];
export const NUCLEOTIDES = ['ACGTACGTTAGCATCG', 'acgtnnnnACGT', 'AUGGCCAUUGUAAUG', 'ACGTRYSWKMBDHV', 'ACGT ACGT 1234', 'ACGU-ACGT..'];
export const TAGS = ['smiles', 'protein', 'amino_acid', 'dna', 'rna', 'peptide', 'SMILES'];

/** Molecules that crashed RDKit's wasm or made it spin (issue 17); the server must refuse them cleanly. */
export function poisonSmiles(kind: number, size: number): string {
  const n = Math.max(10, size);
  switch (kind % 7) {
    case 0:
      return Array.from({ length: n }, (_, i) => `C%${10 + (i % 30)}`).join('');
    case 1:
      return 'c'.repeat(n);
    case 2:
      return `c1${'c'.repeat(n)}c1`;
    case 3:
      return `C(${'C'.repeat(n)})O`;
    case 4:
      return 'c1ccccc1'.repeat(Math.ceil(n / 6));
    case 5:
      return `${'C('.repeat(n)}C${')'.repeat(n)}`;
    default:
      return `C%(${10 ** Math.min(9, 2 + (n % 8))})CC%(${10 ** Math.min(9, 2 + (n % 8))})`;
  }
}

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);

/** A sequence-like fragment: valid, broken, other modalities, poison, or random text. */
export const fragment: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: pick(VALID_SMILES) },
  { weight: 2, arbitrary: pick(BROKEN_SMILES) },
  { weight: 3, arbitrary: pick(PROTEINS) },
  { weight: 2, arbitrary: pick(NUCLEOTIDES) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(6), fc.integer({ min: 50, max: 1500 })).map(([k, n]) => poisonSmiles(k, n)) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'CNOcnos()[]=#@+-123%'.split('')), maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);

const tagged = fc.tuple(pick(TAGS), fragment, fc.boolean()).map(([t, f, closed]) => (closed ? `<${t}>${f}</${t}>` : `<${t}>${f}`));
const word = fc.oneof(fragment, tagged, pick(['the', 'compound', 'information', 'was', 'dissolved', '2024-01-02', 'v1.2.3', '**CCO**', '(CCO)', 'CCO.', '`c1ccccc1`']));
const line = (n: number) => fc.array(word, { maxLength: n }).map((ws) => ws.join(' '));

const fasta = fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.array(fragment, { maxLength: 4 })), { maxLength: 12 }).map((recs) =>
  recs.map(([h, ls]) => `>${h}\n${ls.join('\n')}`).join('\n'),
);
const smi = fc.array(fc.tuple(fragment, fc.string({ maxLength: 12 })), { maxLength: 30 }).map((rows) => rows.map(([s, name]) => (name ? `${s} ${name}` : s)).join('\n'));
const header = pick(['smiles,name', 'id,sequence', 'name,protein,dna', 'completion,reward', 'a,b,c', 'SMILES']);
const delimited = (sep: string) =>
  fc.tuple(header, fc.array(fc.array(fc.oneof(fragment, fc.constant('"x,y"'), fc.constant('"unterminated')), { maxLength: 4 }), { maxLength: 25 })).map(([h, rows]) =>
    [h.replace(/,/g, sep), ...rows.map((r) => r.join(sep))].join('\n'),
  );
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fragment,
    tagged,
    fc.integer(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(pick(['smiles', 'sequence', 'protein', 'text', 'completion', 'id', 'name', 'meta']), tie('v'), { maxKeys: 4 }),
  ),
})).v;
const json = jsonValue.map((v) => JSON.stringify(v, null, 1) ?? 'null');
const jsonl = fc.array(jsonValue, { maxLength: 20 }).map((vs) => vs.map((v) => JSON.stringify(v) ?? 'null').join('\n'));
const prose = fc.array(line(12), { maxLength: 25 }).map((ls) => ls.join('\n'));
const python = prose.map((p) => `# notes\ns = """${p}"""\nprint(s)\n`);

const BY_LANGUAGE: Record<FuzzLanguage, fc.Arbitrary<string>> = {
  fasta, smiles: smi, csv: delimited(','), tsv: delimited('\t'), json, jsonl, plaintext: prose, markdown: prose, python,
};

/** Mutations that turn a well-formed document into the inputs editors really see. */
export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'newlines'; style: 'crlf' | 'cr' | 'mixed' }
  | { kind: 'deep-json'; depth: number }
  | { kind: 'long-line'; chars: number }
  | { kind: 'repeat'; times: number };

const specials = pick(['\u0000', '\u0001\u0002', '\ud800', '\udfff', '\ud83d', '\r', '\r\n', '\n\r', '\ufeff', '\u2028', '"', '\\', '<smiles>', '</smiles>', '%(999999999)', '\u00e9\u0301', '\u{1f600}']);

export const mutation = (big: boolean): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.nat().map((at) => ({ kind: 'truncate' as const, at })),
    fc.tuple(fc.nat(), fc.oneof(specials, fragment, fc.string({ unit: 'binary', maxLength: 8 }))).map(([at, text]) => ({ kind: 'insert' as const, at, text })),
    pick(['crlf', 'cr', 'mixed'] as const).map((style) => ({ kind: 'newlines' as const, style })),
    fc.integer({ min: 100, max: big ? 100_000 : 3000 }).map((depth) => ({ kind: 'deep-json' as const, depth })),
    fc.integer({ min: 1000, max: big ? 5 * 1024 * 1024 : 100_000 }).map((chars) => ({ kind: 'long-line' as const, chars })),
    fc.integer({ min: 2, max: big ? 60 : 8 }).map((times) => ({ kind: 'repeat' as const, times })),
  );

export function applyMutation(text: string, m: Mutation): string {
  const at = (n: number) => (text.length === 0 ? 0 : n % (text.length + 1));
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, at(m.at));
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'newlines':
      if (m.style === 'crlf') return text.replace(/\n/g, '\r\n');
      if (m.style === 'cr') return text.replace(/\n/g, '\r');
      return text.replace(/\n/g, (_, i: number) => (i % 3 === 0 ? '\r\n' : i % 3 === 1 ? '\r' : '\n'));
    case 'deep-json':
      return `${'['.repeat(m.depth)}"CCO"${']'.repeat(m.depth)}\n${text}`;
    case 'long-line': {
      const unit = ['CCO', 'c1ccccc1', 'MKTAYIAKQR', 'ACGT', 'CC(C)'][m.chars % 5] as string;
      return `${text}\n${unit.repeat(Math.ceil(m.chars / unit.length))}\n`;
    }
    case 'repeat':
      return text.repeat(Math.max(1, Math.min(m.times, Math.ceil((6 * 1024 * 1024) / Math.max(1, text.length)))));
  }
}

export interface FuzzDocument {
  language: FuzzLanguage;
  text: string;
  mutations: Mutation[];
}

/**
 * Documents stop at 6 MB: VS Code does not hand larger files to extensions (and the server analyses
 * the first umeStudio.maxFileSizeMB = 5 MB anyway); repeats of a 5 MB line would otherwise make 300 MB.
 */
export const MAX_DOCUMENT_CHARS = 6 * 1024 * 1024;

/** A document: a language, a well-formed body of that language, then 0-3 mutations. */
export const document = (big = false): fc.Arbitrary<FuzzDocument> =>
  pick(LANGUAGES).chain((language) =>
    fc.tuple(BY_LANGUAGE[language], fc.array(mutation(big), { maxLength: 3 })).map(([body, mutations]) => ({
      language,
      mutations,
      text: mutations.reduce((t, m) => applyMutation(t, m).slice(0, MAX_DOCUMENT_CHARS), body),
    })),
  );

/** An LSP position, mostly inside a document of `lines` lines, sometimes far outside or negative. */
export const position = (lines: number): fc.Arbitrary<{ line: number; character: number }> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ line: fc.nat(Math.max(0, lines - 1)), character: fc.nat(200) }) },
    { weight: 1, arbitrary: fc.record({ line: fc.integer({ min: lines, max: lines + 1_000_000 }), character: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ line: fc.integer({ min: -5, max: -1 }), character: fc.integer({ min: -5, max: 5 }) }) },
  );
