// ume-tiny's quality gate, reproducible: does pseudo-likelihood separate held-out real sequences
// from the same sequences shuffled (composition kept), and from lobster-style random synthetic
// sequences? AUROC per modality and PLL mode, plus the correlation of the unmasked and sampled
// modes with masked PLL, and the hover latency of a 100-residue protein.
//
//   nice -n 10 node --import tsx scripts/ume/eval-quality.ts [--weights PATH] [--n 200] [--max-length 256]
//
// Prints a table and writes runs/ume-tiny/quality.json. Gate: masked AUROC vs shuffled >= 0.90
// for every modality.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { MODALITIES, type Modality } from '../../server/src/engine/seq/types';
import type { PllMode } from '../../server/src/engine/ume/pll';
import { UmeScorer } from '../../server/src/engine/ume/scorer';
import type { Encoding } from '../../server/src/engine/ume/tokenizer';
import { loadCheckpoint } from '../../server/src/engine/checkpoint/checkpoint';
import { readCorpus } from './mlm-data';
import { MODEL_DIR, umeTinySized } from './ume-tiny-config';
import { auroc, compositionEntropy, gapForAuroc, pearson, pickHeldout, qualitySets, spearman, stdev } from './quality-sets';

const GATE = 0.9;
const MODES: PllMode[] = ['masked', 'unmasked', 'sampled'];

const { values: args } = parseArgs({
  options: {
    weights: { type: 'string', default: `${MODEL_DIR}/model.safetensors` },
    checkpoint: { type: 'string' },
    corpus: { type: 'string', default: 'data/ume-corpus' },
    n: { type: 'string', default: '200' },
    'max-length': { type: 'string', default: '256' },
    k: { type: 'string', default: '16' },
    seed: { type: 'string', default: '7' },
    out: { type: 'string', default: 'runs/ume-tiny/quality.json' },
    'latency-runs': { type: 'string', default: '20' },
    // With --checkpoint: the run's shape when it was not ume-tiny's (train-ume-tiny.ts --size).
    size: { type: 'string', default: '' },
  },
});

const n = Number(args.n);
const maxLength = Number(args['max-length']);
const k = Number(args.k);
const seed = Number(args.seed);

type SetName = 'real' | 'shuffled' | 'synthetic';
const SETS: SetName[] = ['real', 'shuffled', 'synthetic'];

async function scoreAll(scorer: UmeScorer, encs: Encoding[], mode: PllMode): Promise<number[]> {
  const res = await scorer.pllEncoded(encs, { mode, k, seed });
  return res.map((r, i) => {
    if (r.mean === null || !Number.isFinite(r.mean)) throw new Error(`sequence ${i} could not be scored in ${mode} mode: ${r.reason ?? 'unknown reason'}`);
    return r.mean;
  });
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function hoverLatency(scorer: UmeScorer, protein: string, runs: number): Promise<Record<string, number>> {
  const out: Record<string, number> = { residues: protein.length };
  for (const mode of ['masked', 'unmasked'] as PllMode[]) {
    await scorer.pll([{ text: protein, modality: 'amino_acid' }], { mode }); // session compiled, as in a running server
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await scorer.pll([{ text: protein, modality: 'amino_acid' }], { mode });
      times.push(performance.now() - t0);
    }
    out[`${mode}_p50_ms`] = Math.round(percentile(times, 50) * 10) / 10;
    out[`${mode}_p95_ms`] = Math.round(percentile(times, 95) * 10) / 10;
  }
  return out;
}

async function main(): Promise<void> {
  const heldout = readCorpus(join(args.corpus, 'heldout.jsonl'));
  const t0 = performance.now();
  // --checkpoint scores a training checkpoint directly (internal names), e.g. while a run is going.
  const scorer = args.checkpoint
    ? UmeScorer.fromParams(umeTinySized(args.size), (await loadCheckpoint(args.checkpoint)).params, { device: 'cpu', maxLength, name: `ume-tiny@${args.checkpoint}` })
    : await UmeScorer.fromFile(args.weights, { device: 'cpu', maxLength });
  const compileStart = performance.now();
  await scorer.pll([{ text: 'MKV', modality: 'amino_acid' }], { mode: 'masked' });
  const sessionMs = performance.now() - compileStart;

  const results: Record<string, unknown> = {};
  const rows: string[][] = [];
  let gateOk = true;
  const shortfalls: string[] = [];
  for (const modality of MODALITIES) {
    const sets = qualitySets(heldout, modality as Modality, n, seed, maxLength);
    const scores: Record<string, Record<SetName, number[]>> = {};
    for (const mode of MODES) {
      const m0 = performance.now();
      scores[mode] = { real: [], shuffled: [], synthetic: [] };
      for (const s of SETS) scores[mode]![s] = await scoreAll(scorer, sets[s], mode);
      console.error(`${modality} ${mode}: ${Math.round(performance.now() - m0)} ms`);
    }
    const perMode: Record<string, unknown> = {};
    for (const mode of MODES) {
      const sc = scores[mode]!;
      const vsShuffled = auroc(sc.real, sc.shuffled);
      const vsSynthetic = auroc(sc.real, sc.synthetic);
      // Paired: each real sequence against its own shuffle (composition held fixed exactly).
      const pairedWins = sc.real.filter((v, i) => v > sc.shuffled[i]!).length / sc.real.length;
      // What separates the sets, and what the gate would need at these spreads (normal approximation).
      const spread = { sdReal: stdev(sc.real), sdShuffled: stdev(sc.shuffled), gap: mean(sc.real) - mean(sc.shuffled), gapFor90: gapForAuroc(stdev(sc.real), stdev(sc.shuffled), GATE) };
      perMode[mode] = { aurocVsShuffled: vsShuffled, aurocVsSynthetic: vsSynthetic, pairedWinRate: pairedWins, meanPll: { real: mean(sc.real), shuffled: mean(sc.shuffled), synthetic: mean(sc.synthetic) }, spread };
      rows.push([modality, mode, vsShuffled.toFixed(3), pairedWins.toFixed(3), vsSynthetic.toFixed(3), mean(sc.real).toFixed(3), mean(sc.shuffled).toFixed(3), mean(sc.synthetic).toFixed(3)]);
      if (mode === 'masked' && vsShuffled < GATE) {
        gateOk = false;
        shortfalls.push(`${modality}: masked AUROC vs shuffled ${vsShuffled.toFixed(3)} < ${GATE} (short by ${(GATE - vsShuffled).toFixed(3)})`);
      }
    }
    // Correlation with masked PLL over every scored sequence of this modality (all three sets).
    const flat = (mode: string): number[] => SETS.flatMap((s) => scores[mode]![s]);
    const corr = Object.fromEntries(
      (['unmasked', 'sampled'] as const).map((mode) => [mode, { pearson: pearson(flat('masked'), flat(mode)), spearman: spearman(flat('masked'), flat(mode)), realOnlyPearson: pearson(scores['masked']!.real, scores[mode]!.real), realOnlySpearman: spearman(scores['masked']!.real, scores[mode]!.real) }]),
    );
    // How much of the spread between real sequences is their composition (which a shuffle keeps).
    const negEntropy = sets.real.map((e) => -compositionEntropy(e));
    const composition = { meanEntropy: -mean(negEntropy), sdEntropy: stdev(negEntropy), pearsonMaskedReal: pearson(scores['masked']!.real, negEntropy), pearsonMaskedShuffled: pearson(scores['masked']!.shuffled, negEntropy) };
    results[modality] = { composition, n: { real: sets.real.length, shuffled: sets.shuffled.length, synthetic: sets.synthetic.length }, meanTokens: sets.real.reduce((a, e) => a + e.ids.length, 0) / sets.real.length, modes: perMode, correlationWithMasked: corr };
  }

  // Hover latency of a held-out protein cut to 100 residues.
  const protein = pickHeldout(heldout, 'amino_acid', 50, seed).find((r) => r.text.length >= 100)!.text.slice(0, 100);
  const latency = await hoverLatency(scorer, protein, Number(args['latency-runs']));
  await scorer.release();

  const report = {
    weights: args.checkpoint ?? args.weights,
    settings: { n, maxLength, k, seed },
    gate: { threshold: GATE, metric: 'masked PLL AUROC, held-out real vs shuffled', passed: gateOk, shortfalls },
    results,
    hoverLatency: { ...latency, sessionCreateMs: Math.round(sessionMs), note: 'single 100-residue protein, session already compiled, result not cached; measured on a shared 2-core machine' },
    wallSeconds: Math.round((performance.now() - t0) / 1000),
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(report, null, 2) + '\n');

  const header = ['modality', 'mode', 'AUROC real>shuffled', 'paired wins', 'AUROC real>synthetic', 'PLL real', 'PLL shuffled', 'PLL synthetic'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  for (const m of MODALITIES) {
    const c = (results[m] as { correlationWithMasked: Record<string, { pearson: number; spearman: number }> }).correlationWithMasked;
    console.log(`${m}: corr with masked — unmasked pearson ${c['unmasked']!.pearson.toFixed(3)} spearman ${c['unmasked']!.spearman.toFixed(3)}; sampled pearson ${c['sampled']!.pearson.toFixed(3)} spearman ${c['sampled']!.spearman.toFixed(3)}`);
  }
  for (const m of MODALITIES) {
    const r = results[m] as { composition: { sdEntropy: number; pearsonMaskedReal: number }; modes: Record<string, { spread: { sdReal: number; sdShuffled: number; gap: number; gapFor90: number } }> };
    const sp = r.modes['masked']!.spread;
    console.log(`${m}: masked PLL real sd ${sp.sdReal.toFixed(3)}, shuffled sd ${sp.sdShuffled.toFixed(3)}, gap ${sp.gap.toFixed(3)} (AUROC ${GATE} needs ~${sp.gapFor90.toFixed(3)}); real PLL vs -composition entropy (sd ${r.composition.sdEntropy.toFixed(3)}): pearson ${r.composition.pearsonMaskedReal.toFixed(3)}`);
  }
  console.log(`hover (100-residue protein): masked p50 ${latency['masked_p50_ms']} ms p95 ${latency['masked_p95_ms']} ms; unmasked p50 ${latency['unmasked_p50_ms']} ms p95 ${latency['unmasked_p95_ms']} ms`);
  console.log(gateOk ? `GATE PASSED (masked AUROC vs shuffled >= ${GATE} for every modality)` : `GATE NOT MET: ${shortfalls.join('; ')}`);
  console.log(`wrote ${args.out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});

