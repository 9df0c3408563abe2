// The optimised SMILES grammar (engine/policy/tiny/smiles-grammar.ts, smiles-chem.ts: scratch
// typed arrays, interned states, memoised syntax rows) allows exactly what the plain version
// (test/policy/reference/) allows: the same mask after every prefix of random walks and of real
// molecules, for budgets from tight (the closing plans decide) to none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as fast from '../../server/src/engine/policy/tiny/smiles-grammar';
import * as ref from './reference/smiles-grammar';
import { Rng } from '../../server/src/engine/train/rng';
import { encode, SPECIAL, tokenString } from '../../server/src/engine/ume/tokenizer';

const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';
const COMMON = new Set(['C', 'c', 'N', 'n', 'O', 'o', 'S', 's', 'F', 'Cl', 'Br', '[nH]', '[N+]', '[O-]', '(', ')', '=', '#', '1', '2', '3', '4', '.', '-', '[C@@H]']);

function sameMask(a: Uint8Array, b: Uint8Array, what: string): void {
  if (Buffer.compare(a, b) === 0) return;
  const diff: string[] = [];
  for (let i = 0; i < a.length && diff.length < 8; i++) if (a[i] !== b[i]) diff.push(`${tokenString(i)}: fast ${a[i]} ref ${b[i]}`);
  assert.fail(`${what}: masks differ (${diff.join(', ')})`);
}

/** Walks `n` random prefixes under the reference grammar, checking both masks at every step. */
function walk(rng: Rng, budget: number, maxLen: number): number {
  let f = fast.withBudget(fast.SMILES_START, budget);
  let r = ref.withBudget(ref.SMILES_START, budget);
  const ids: number[] = [];
  for (let t = 0; t < maxLen; t++) {
    const mr = ref.allowedNext(r);
    sameMask(fast.allowedNext(f), mr, `budget ${budget}, prefix ${ids.map(tokenString).join('')}`);
    const allowed: number[] = [];
    for (let i = 0; i < mr.length; i++) if (mr[i]) allowed.push(i);
    const common = allowed.filter((i) => COMMON.has(tokenString(i)));
    const pool = common.length > 0 && rng.uniform() < 0.85 ? common : allowed;
    const id = pool[rng.int(pool.length)]!;
    if (id === SPECIAL.eos) return t + 1;
    ids.push(id);
    f = fast.advance(f, id);
    r = ref.advance(r, id);
  }
  return maxLen;
}

test('random walks: the optimised masks equal the reference masks at every step, tight budgets to none', () => {
  const rng = new Rng(5);
  let positions = 0;
  for (const budget of [6, 10, 16, 24, 40, Infinity]) for (let k = 0; k < 8; k++) positions += walk(rng, budget, 32);
  assert.ok(positions > 600, `${positions} positions compared`);
});

test('real molecules (NCI set): the same masks along every prefix', { skip: existsSync(NCI) ? false : `${NCI} missing (Debian package rdkit-data)` }, () => {
  const lines = readFileSync(NCI, 'utf8').split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean);
  let positions = 0;
  for (const smi of lines.slice(0, 25)) {
    const ids = encode(smi, 'SMILES').ids.slice(1, -1);
    if (ids.includes(SPECIAL.unk)) continue;
    for (const budget of [ids.length + 1, Infinity]) {
      let f = fast.withBudget(fast.SMILES_START, budget);
      let r = ref.withBudget(ref.SMILES_START, budget);
      for (const id of [...ids, SPECIAL.eos]) {
        sameMask(fast.allowedNext(f), ref.allowedNext(r), `${smi} (budget ${budget})`);
        positions++;
        if (id === SPECIAL.eos) break;
        f = fast.advance(f, id);
        r = ref.advance(r, id);
      }
    }
  }
  assert.ok(positions > 600, `${positions} positions compared`);
});
