// Whole-document analysis through the real parsers, RDKit and detection: diagnostics land on the
// exact document ranges, and every quick fix, applied to the text, gives the expected document,
// which re-analyses clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument, removeSpacesAndDigits, type AnalyzeOptions } from './analyze';
import { LineIndex } from './positions';
import type { QuickFix, SequenceDiagnostic, TextEdit } from './types';

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits
    .map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.newText + out.slice(s.end);
  return out;
}

async function diagnostics(text: string, options: Partial<AnalyzeOptions>): Promise<SequenceDiagnostic[]> {
  const a = await analyzeDocument(text, { mode: 'default', ...options });
  return a.reports.flatMap((r) => r.diagnostics);
}

function rangeText(text: string, d: SequenceDiagnostic): string {
  const lines = new LineIndex(text);
  return text.slice(lines.offsetAt(d.range.start), lines.offsetAt(d.range.end));
}

function fix(d: SequenceDiagnostic | undefined, kind: string): QuickFix {
  const f = d?.fixes?.find((x) => x.kind === kind);
  assert.ok(f, `no ${kind} fix on ${d?.code}`);
  return f;
}

test('multi-line FASTA: a bad residue on the third line gets that line and column', async () => {
  const text = '>sp|P1|TEST protein\nMKVLAAGIVA\nLLAAGCSSSA\nGGKJLLAAGA\n';
  const ds = await diagnostics(text, { extension: '.fasta' });
  assert.deepEqual(ds.map((d) => [d.code, d.severity, d.range.start, d.range.end]), [
    ['UME104', 'error', { line: 3, character: 3 }, { line: 3, character: 4 }],
  ]);
  assert.equal(rangeText(text, ds[0] as SequenceDiagnostic), 'J');
});

test('lowercase protein across lines: uppercase fix keeps the line breaks and re-checks clean', async () => {
  const text = '>tr|Q1|X\r\nmkvlaagiva\r\nllaagcsssa\r\n';
  const ds = await diagnostics(text, { extension: '.faa' });
  const d = ds.find((x) => x.code === 'UME106');
  assert.deepEqual(d?.range, { start: { line: 1, character: 0 }, end: { line: 2, character: 10 } });
  const fixed = applyEdits(text, fix(d, 'uppercase-protein').edits);
  assert.equal(fixed, '>tr|Q1|X\r\nMKVLAAGIVA\r\nLLAAGCSSSA\r\n');
  assert.deepEqual(await diagnostics(fixed, { extension: '.faa' }), []);
});

test('whitespace and digits inside a FASTA record: removal fix', async () => {
  const text = '>x mRNA\nACGTACGT ACGTAC 20\nGGCCAATT\n';
  const ds = await diagnostics(text, { extension: '.fasta' });
  assert.deepEqual(ds.map((d) => [d.code, rangeText(text, d)]), [['UME105', ' '], ['UME105', ' 20']]);
  const fixed = applyEdits(text, fix(ds[0], 'remove-whitespace-digits').edits);
  assert.equal(fixed, '>x mRNA\nACGTACGTACGTAC\nGGCCAATT\n');
  assert.deepEqual(await diagnostics(fixed, { extension: '.fasta' }), []);
});

test('.smi: invalid SMILES with the RDKit reason on the offending atom; canonicalize fix', async () => {
  const text = 'C1=CC=CC=C1 benzene\nCC(=O)N(C)(C)(C)C bad\nCCO ethanol\n';
  const ds = await diagnostics(text, { extension: '.smi' });
  assert.deepEqual(ds.map((d) => [d.code, d.severity, rangeText(text, d)]), [
    ['UME108', 'hint', 'C1=CC=CC=C1'],
    ['UME103', 'error', 'N'],
  ]);
  assert.match(ds[1]?.message ?? '', /Explicit valence for atom # 3 N, 5, is greater than permitted/);
  const fixed = applyEdits(text, fix(ds[0], 'canonicalize-smiles').edits);
  assert.equal(fixed, 'c1ccccc1 benzene\nCC(=O)N(C)(C)(C)C bad\nCCO ethanol\n');
});

test('canonical SMILES with a backslash is escaped inside JSON', async () => {
  const text = '{"smiles": "C\\\\C=C/C"}\n';
  const ds = await diagnostics(text, { extension: '.json' });
  const d = ds.find((x) => x.code === 'UME108');
  const fixed = applyEdits(text, fix(d, 'canonicalize-smiles').edits);
  const canonical = (JSON.parse(fixed) as { smiles: string }).smiles;
  assert.match(canonical, /\\/);
  assert.notEqual(canonical, 'C\\C=C/C');
  assert.deepEqual((await diagnostics(fixed, { extension: '.json' })).map((x) => x.code), []);
});

test('JSONL completions: untagged gets a wrap fix, <amino_acid> a retag, wrong tag a retag', async () => {
  const text = [
    '{"prompt": "p", "completion": "MKVLAAGIVALLLAAGCSSSA"}',
    '{"prompt": "p", "completion": "Here: <amino_acid>MKVLAAGIVALLL</amino_acid>"}',
    '{"prompt": "p", "completion": "<smiles>MKVLAAGIVALLLAAGCSSS</smiles>"}',
    '',
  ].join('\n');
  const ds = await diagnostics(text, { extension: '.jsonl' });
  assert.deepEqual(ds.map((d) => [d.code, d.range.start.line]), [['UME110', 0], ['UME116', 1], ['UME109', 2]]);
  let fixed = applyEdits(text, fix(ds[0], 'wrap-in-tag').edits);
  fixed = applyEdits(fixed, fix(ds[1], 'retag').edits);
  fixed = applyEdits(fixed, fix(ds[2], 'retag').edits);
  assert.equal(
    fixed,
    [
      '{"prompt": "p", "completion": "<protein>MKVLAAGIVALLLAAGCSSSA</protein>"}',
      '{"prompt": "p", "completion": "Here: <protein>MKVLAAGIVALLL</protein>"}',
      '{"prompt": "p", "completion": "<protein>MKVLAAGIVALLLAAGCSSS</protein>"}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(await diagnostics(fixed, { extension: '.jsonl' }), []);
});

test('ambiguous plain-text sequence offers one wrap fix per reading', async () => {
  const text = 'primer: <dna>ACGTAC</dna> and also GATCGA here\n';
  const ds = await diagnostics(text, { extension: '.txt', minPlainLength: 6 });
  const d = ds.find((x) => x.code === 'UME102');
  assert.ok(d, JSON.stringify(ds));
  assert.equal(rangeText(text, d), 'GATCGA');
  assert.deepEqual(d.fixes?.map((f) => f.kind), ['wrap-in-tag', 'wrap-in-tag']);
  assert.equal(applyEdits(text, d.fixes?.[0]?.edits ?? []), 'primer: <dna>ACGTAC</dna> and also <dna>GATCGA</dna> here\n');
});

test('severity overrides by code or name; off drops the diagnostic', async () => {
  const text = 'C1=CC=CC=C1 benzene\nC1CC bad\n';
  const ds = await diagnostics(text, { extension: '.smi', severityOverrides: { UME108: 'off', 'invalid-smiles': 'warning' } });
  assert.deepEqual(ds.map((d) => [d.code, d.severity]), [['UME103', 'warning']]);
});

test('canonical SMILES are computed only while UME108 is on (they serve only it and its fix)', async () => {
  // Off first: the validator caches per string, and a cached canonical form would be kept.
  const text = 'OC1=CC=CC=C1CCS thiol\n';
  const off = await analyzeDocument(text, { mode: 'default', extension: '.smi', severityOverrides: { 'non-canonical-smiles': 'off' } });
  assert.equal(off.reports[0]?.detection.modality, 'SMILES');
  assert.equal(off.reports[0]?.detection.canonicalSmiles, undefined);
  assert.deepEqual(off.reports[0]?.diagnostics, []);
  const on = await analyzeDocument(text, { mode: 'default', extension: '.smi' });
  assert.equal(on.reports[0]?.detection.canonicalSmiles, 'Oc1ccccc1CCS');
  assert.equal(applyEdits(text, fix(on.reports[0]?.diagnostics[0], 'canonicalize-smiles').edits), 'Oc1ccccc1CCS thiol\n');
});

test('lobster mode in a document: uppercasing warning, RNA error, file diagnostics pass through', async () => {
  const text = '>a\nugagguaguagguuguauaguu\n>b\n\n>c\nACGT\n';
  const a = await analyzeDocument(text, { mode: 'lobster', extension: '.fasta' });
  assert.deepEqual(a.reports.map((r) => r.detection.modality), [null, 'nucleotide']);
  assert.deepEqual(a.reports[0]?.diagnostics.map((d) => [d.code, d.severity, d.range.start.line]), [['UME114', 'error', 1]]);
  assert.deepEqual(a.fileDiagnostics.map((d) => d.code), ['UME003']);
  const smi = await analyzeDocument('c1ccccc1 benzene\n', { mode: 'lobster', extension: '.smi' });
  assert.deepEqual(smi.reports[0]?.diagnostics.map((d) => d.code), ['UME115']);
});

// A sanity bound, not a benchmark (npm run bench measures): about 1 s when the machine is idle.
test('100k FASTA records analyse in seconds', async (t) => {
  const residues = 'ACDEFGHIKLMNPQRSTVWY';
  const parts: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    let s = '';
    for (let j = 0; j < 60; j++) s += residues[(i * 7 + j * 13) % 20];
    parts.push(`>sp|P${i}|T protein\n${s}\n`);
  }
  const text = parts.join('');
  const t0 = performance.now();
  const a = await analyzeDocument(text, { mode: 'default', extension: '.fasta', maxBytes: 64 * 1024 * 1024, maxSequences: 1e6 });
  const ms = performance.now() - t0;
  assert.equal(a.reports.length, 100_000);
  assert.ok(a.reports.every((r) => r.detection.modality === 'amino_acid'));
  t.diagnostic(`${ms.toFixed(0)} ms for 100k records`);
  assert.ok(ms < 30_000, `${ms.toFixed(0)} ms`);
});

// Found by the fuzz (issue 17): a 3 MB sequence with digits got its whole-sequence fix rebuilt for
// each of its 20 located UME105 problems, character by character: 15-40 s and gigabytes of RSS.
test('a long sequence with many UME105 places: one shared fix, built in linear time', async () => {
  const seq = 'MKTAYIAKQ1'.repeat(200_000);
  const t0 = performance.now();
  const a = await analyzeDocument(`>p\n${seq}\n`, { mode: 'default', extension: '.fasta' });
  const ms = performance.now() - t0;
  const ume105 = a.reports[0]!.diagnostics.filter((d) => d.code === 'UME105');
  assert.equal(ume105.length, 20);
  assert.ok(ume105.every((d) => d.fixes === ume105[0]!.fixes), 'the fix is computed once per sequence and code');
  assert.equal(ume105[0]!.fixes![0]!.edits.map((e) => e.newText).join(''), 'MKTAYIAKQ'.repeat(200_000));
  assert.ok(ms < 10_000, `${ms.toFixed(0)} ms`);
  assert.equal(removeSpacesAndDigits(' A1 B\t2C '), 'ABC');
  assert.equal(removeSpacesAndDigits('ABC'), 'ABC');
});
