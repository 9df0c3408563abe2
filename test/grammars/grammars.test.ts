// The TextMate grammars, run through the engine VS Code uses (vscode-textmate + Oniguruma wasm),
// so a regex VS Code would reject or a scope that drifts fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as tm from 'vscode-textmate';

const root = join(__dirname, '..', '..');
const GRAMMARS: Record<string, string> = {
  'source.fasta': 'syntaxes/fasta.tmLanguage.json',
  'source.smiles': 'syntaxes/smiles.tmLanguage.json',
};

let registry: tm.Registry | undefined;
async function grammar(scope: string): Promise<tm.IGrammar> {
  if (!registry) {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    registry = new tm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName) => {
        const path = GRAMMARS[scopeName];
        return path ? tm.parseRawGrammar(readFileSync(join(root, path), 'utf8'), join(root, path)) : null;
      },
    });
  }
  const g = await registry.loadGrammar(scope);
  assert.ok(g, `grammar ${scope} did not load`);
  return g;
}

/** [text, innermost scope] per token, for each line. */
async function tokenize(scope: string, text: string): Promise<Array<Array<[string, string]>>> {
  const g = await grammar(scope);
  let stack = tm.INITIAL;
  return text.split('\n').map((line) => {
    const r = g.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.at(-1)!] as [string, string]);
  });
}

test('FASTA: header id and description, comments, residues, soft-masking, gaps, stops, illegal characters', async () => {
  const [header, comment, seq, bad] = await tokenize('source.fasta', '>sp|P69905|HBA  Hemoglobin\n; a comment\nMVLSacgt-*\nMV1 K');
  assert.deepEqual(header, [
    ['>', 'punctuation.definition.header.fasta'],
    ['sp|P69905|HBA', 'entity.name.section.fasta'],
    ['  Hemoglobin', 'string.unquoted.description.fasta'],
  ]);
  assert.deepEqual(comment, [['; a comment', 'comment.line.semicolon.fasta']]);
  assert.deepEqual(seq, [
    ['MVLS', 'constant.other.residue.fasta'],
    ['acgt', 'markup.italic.soft-masked.fasta'],
    ['-', 'punctuation.separator.gap.fasta'],
    ['*', 'keyword.control.stop.fasta'],
  ]);
  assert.deepEqual(bad, [
    ['MV', 'constant.other.residue.fasta'],
    ['1', 'invalid.illegal.character.fasta'],
    [' ', 'source.fasta'],
    ['K', 'constant.other.residue.fasta'],
  ]);
});

test('SMILES: atoms, aromatic atoms, bonds, branches, ring closures, bracket atoms, names, comments', async () => {
  const [line, bracket, comment] = await tokenize('source.smiles', 'C1=CC(Cl)=cc%101 benzene thing\n[13CH3+][C@@H]\n# header');
  assert.deepEqual(line, [
    ['C', 'support.type.atom.smiles'],
    ['1', 'constant.numeric.ring-closure.smiles'],
    ['=', 'keyword.operator.bond.smiles'],
    ['C', 'support.type.atom.smiles'],
    ['C', 'support.type.atom.smiles'],
    ['(', 'punctuation.section.branch.smiles'],
    ['Cl', 'support.type.atom.smiles'],
    [')', 'punctuation.section.branch.smiles'],
    ['=', 'keyword.operator.bond.smiles'],
    ['c', 'support.type.atom.aromatic.smiles'],
    ['c', 'support.type.atom.aromatic.smiles'],
    ['%10', 'constant.numeric.ring-closure.smiles'],
    ['1', 'constant.numeric.ring-closure.smiles'],
    [' benzene thing', 'string.unquoted.name.smiles'],
  ]);
  assert.deepEqual(bracket, [
    ['[', 'punctuation.definition.bracket-atom.begin.smiles'],
    ['13', 'constant.numeric.isotope.smiles'],
    ['C', 'support.type.atom.smiles'],
    ['H3', 'support.type.hydrogen-count.smiles'],
    ['+', 'constant.numeric.charge.smiles'],
    [']', 'punctuation.definition.bracket-atom.end.smiles'],
    ['[', 'punctuation.definition.bracket-atom.begin.smiles'],
    ['C', 'support.type.atom.smiles'],
    ['@@', 'storage.modifier.chirality.smiles'],
    ['H', 'support.type.hydrogen-count.smiles'],
    [']', 'punctuation.definition.bracket-atom.end.smiles'],
  ]);
  assert.deepEqual(comment, [['# header', 'comment.line.number-sign.smiles']]);
});
