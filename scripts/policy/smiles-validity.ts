// SMILES validity of the shipped policy-tiny (or --model-dir) from <cls_smiles>, with the SMILES
// grammar off and on (smiles-grammar.ts): --n samples per setting at --temperature, at most
// --max-new completion tokens (the grammar's closing budget is the same number), classified by
// RDKit.js (engine/seq/rdkit.ts): valid, parse error (syntax, unclosed ring or branch), kekulize /
// aromaticity, valence, other, truncated (no <eos> by --max-new); plus the unique share of the
// completions' texts, the unique share of valid canonical SMILES, mean completion length, and the
// sampling time.
//
//   node --import tsx scripts/policy/smiles-validity.ts [--n 512] [--grammar off,on] [--max-new 128] [--temperature 1]

import { parseArgs } from 'node:util';
import { PolicyTiny, CLS_ID } from '../../server/src/engine/policy/tiny';
import type { SampledCompletion } from '../../server/src/engine/policy/types';
import { extractTagged } from '../../server/src/engine/reward/extract';
import { loadRDKit } from '../../server/src/engine/seq/rdkit';
import { Rng } from '../../server/src/engine/train/rng';
import { MODEL_DIR } from './policy-data';

const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: MODEL_DIR },
    n: { type: 'string', default: '512' },
    grammar: { type: 'string', default: 'off,on' },
    'max-new': { type: 'string', default: '128' },
    temperature: { type: 'string', default: '1' },
    batch: { type: 'string', default: '64' },
    seed: { type: 'string', default: '11' },
    threads: { type: 'string', default: '2' },
    examples: { type: 'string', default: '0' },
  },
});

type Outcome = 'valid' | 'parse' | 'kekulize' | 'valence' | 'other' | 'truncated';
const PARSE_KINDS = new Set(['syntax', 'unclosed-ring', 'unmatched-parentheses', 'empty']);

async function main(): Promise<void> {
  const rdkit = await loadRDKit();
  const n = Number(args.n);
  const maxNew = Number(args['max-new']);
  const temperature = Number(args.temperature);
  const report: Record<string, unknown>[] = [];
  for (const setting of args.grammar.split(',')) {
    const on = setting === 'on';
    const policy = await PolicyTiny.load(args['model-dir'], { threads: Number(args.threads), smilesGrammar: on, ...(on ? { smilesGrammarBudget: maxNew } : {}) });
    const rng = new Rng(Number(args.seed));
    const samples: SampledCompletion[] = [];
    const t0 = performance.now();
    for (let s = 0; s < n; s += Number(args.batch)) {
      const rows = Array.from({ length: Math.min(Number(args.batch), n - s) }, () => [CLS_ID.SMILES]);
      samples.push(...(await policy.sample(rows, { maxNewTokens: maxNew, temperature }, rng)));
    }
    const ms = performance.now() - t0;
    await policy.release();
    const counts: Record<Outcome, number> = { valid: 0, parse: 0, kekulize: 0, valence: 0, other: 0, truncated: 0 };
    const canon = new Set<string>();
    const bad: Partial<Record<Outcome, string[]>> = {};
    for (const s of samples) {
      const span = extractTagged(s.text).spans[0];
      let outcome: Outcome;
      if (s.finish !== 'stop' || !span) outcome = 'truncated';
      else {
        const v = rdkit.validate(span.content, { canonical: true });
        if (v.ok) {
          outcome = 'valid';
          canon.add(v.canonical ?? span.content);
        } else if (PARSE_KINDS.has(v.kind ?? '')) outcome = 'parse';
        else if (v.kind === 'kekulize' || v.kind === 'aromaticity') outcome = 'kekulize';
        else if (v.kind === 'valence') outcome = 'valence';
        else outcome = 'other';
      }
      counts[outcome]++;
      if (outcome !== 'valid') (bad[outcome] ??= []).push(span?.content ?? s.text);
    }
    const pct = (x: number): number => Math.round((1000 * x) / samples.length) / 10;
    const row = {
      grammar: setting,
      n: samples.length,
      temperature,
      maxNewTokens: maxNew,
      ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [`${k}%`, pct(v)])),
      'uniqueTexts%': pct(new Set(samples.map((s) => s.text)).size),
      'uniqueValid%': pct(canon.size),
      meanTokens: Math.round((10 * samples.reduce((a, s) => a + s.ids.length, 0)) / samples.length) / 10,
      sampleSeconds: Math.round(ms / 100) / 10,
    };
    report.push(row);
    console.log(JSON.stringify(row));
    const k = Number(args.examples);
    if (k > 0) for (const [o, xs] of Object.entries(bad)) console.log(`  ${o}: ${xs.slice(0, k).join('  ')}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
