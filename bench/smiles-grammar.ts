// `npm run bench -- smiles-grammar`: CPU per mask of policy-tiny's SMILES grammar (allowedNext along
// every prefix of real molecules, RDKit's NCI set, each at a tight budget of its own length + 1 and
// with none), the optimised grammar against the plain version it must equal
// (test/policy/reference/, the peer), same prefixes, one pass each (the optimised one interns
// states, so a second pass would only measure its cache). Last line: one JSON object.

import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as fast from '../server/src/engine/policy/tiny/smiles-grammar';
import * as plain from '../test/policy/reference/smiles-grammar';
import { encode, SPECIAL } from '../server/src/engine/ume/tokenizer';
import { machine, parseOptions, type Bench } from './lib/bench';

const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';

interface Grammar {
  SMILES_START: fast.SmilesGrammarState;
  withBudget(s: fast.SmilesGrammarState, tokens: number): fast.SmilesGrammarState;
  allowedNext(s: fast.SmilesGrammarState): Uint8Array;
  advance(s: fast.SmilesGrammarState, id: number): fast.SmilesGrammarState;
}

/** CPU milliseconds per mask over the prefixes of `molecules`. */
function cpuPerMask(g: Grammar, molecules: readonly number[][]): { msPerMask: number; masks: number } {
  const t0 = process.cpuUsage();
  let masks = 0;
  for (const ids of molecules) {
    for (const budget of [ids.length + 1, Infinity]) {
      let s = g.withBudget(g.SMILES_START, budget);
      for (const id of ids) {
        g.allowedNext(s);
        masks++;
        s = g.advance(s, id);
      }
    }
  }
  const t = process.cpuUsage(t0);
  return { msPerMask: (t.user + t.system) / 1000 / masks, masks };
}

export const bench: Bench = {
  description: 'SMILES grammar masks (CPU per mask) along NCI prefixes vs the plain reference implementation',
  async run(args) {
    const o = parseOptions(args, { molecules: 150 });
    if (!existsSync(NCI)) throw new Error(`${NCI} is missing: install Debian's rdkit-data`);
    const m = machine();
    console.log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const molecules = readFileSync(NCI, 'utf8').split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean)
      .map((smi) => encode(smi, 'SMILES').ids.slice(1, -1)).filter((ids) => !ids.includes(SPECIAL.unk)).slice(0, o.molecules);
    const peer = cpuPerMask(plain as unknown as Grammar, molecules);
    const ours = cpuPerMask(fast, molecules);
    console.log(`plain reference: ${peer.msPerMask.toFixed(3)} ms CPU per mask (${peer.masks} masks)`);
    console.log(`optimised:       ${ours.msPerMask.toFixed(3)} ms CPU per mask`);
    console.log(JSON.stringify({ bench: 'smiles-grammar', molecules: molecules.length, masks: ours.masks, msPerMask: ours.msPerMask, peerMsPerMask: peer.msPerMask, speedup: peer.msPerMask / ours.msPerMask }));
  },
};
