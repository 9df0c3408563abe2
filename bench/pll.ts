// `npm run bench -- pll`: masked pseudo-log-likelihood throughput (sequences/s) on mixed sequences,
// ours (UmeScorer, ONNX Runtime) vs the identical encoder and algorithm in PyTorch CPU
// (bench/torch/ume_pll.py) with the same threads in the same run, PyTorch both padded to the max
// length as lobster does and dynamically padded; plus hover-like latency (warm and cold).
//
// The set is split into chunks of the same mix; each chunk runs on ours, then PyTorch dynamic,
// then (every --padded-every chunks) PyTorch padded, so machine load hits all of them alike.
// Padded PyTorch is so slow that it runs on a subset of the chunks; its throughput is measured on
// those sequences (the chunks have the same mix, so the figure stands for the whole set).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bertParamSpecs } from '../server/src/engine/models/bert';
import { initParams } from '../server/src/engine/models/params';
import { UME_SIZES, umeConfig, type UmeConfig, type UmeSizeName } from '../server/src/engine/ume/config';
import { bertConfigOf } from '../server/src/engine/ume/encoder';
import { residuePositions, PLL_MODES, type PllMode } from '../server/src/engine/ume/pll';
import { UmeScorer } from '../server/src/engine/ume/scorer';
import { saveUmeWeights } from '../server/src/engine/ume/weights';
import { fmt, machine, median, parseOptions, type Bench } from './lib/bench';
import { TorchPeer, torchUnavailable } from './lib/torch-peer';
import { coldSample, percentile, runColdChild, warmLatencies, type ColdJob } from './pll-latency';
import { benchSequences, type BenchSequence } from './pll-sequences';

const DEFAULT_MODEL = 'server/src/engine/ume/models/ume-tiny/model.safetensors';

interface TorchAnswer {
  ms: number;
  cpu_ms: number;
  means: Array<number | null>;
  logprobs?: Array<Array<number | null>>;
}

/** "ume-mini" etc., or LAYERSxHIDDENxHEADSxFFN for a custom size. */
function configFor(size: string): UmeConfig {
  if (size in UME_SIZES) return umeConfig(size as UmeSizeName);
  const m = /^(\d+)x(\d+)x(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`--size must be one of ${Object.keys(UME_SIZES).join(', ')} or LAYERSxHIDDENxHEADSxFFN (e.g. 2x128x4x512), got "${size}"`);
  return umeConfig({ name: `ume-${size}`, numLayers: +m[1]!, hiddenSize: +m[2]!, numHeads: +m[3]!, intermediateSize: +m[4]! });
}

/** Chunks of about `size` with the same mix: sorted by modality and length, dealt round-robin. */
function balancedChunks(xs: readonly BenchSequence[], size: number): BenchSequence[][] {
  const n = Math.max(1, Math.ceil(xs.length / size));
  const sorted = [...xs].sort((a, b) => a.modality.localeCompare(b.modality) || a.text.length - b.text.length);
  const out: BenchSequence[][] = Array.from({ length: n }, () => []);
  sorted.forEach((s, i) => out[i % n]!.push(s));
  return out;
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The hover sequences: a 100-residue protein and a 40-character SMILES from the set (or made). */
function hoverSequences(seqs: readonly BenchSequence[]): BenchSequence[] {
  const protein = seqs.find((s) => s.modality === 'amino_acid' && s.text.length >= 100)?.text.slice(0, 100) ?? 'M'.padEnd(100, 'KLVAEGST');
  const smiles = seqs.find((s) => s.modality === 'SMILES' && s.text.length === 40)?.text ?? 'CC(C)Cc1ccc(cc1)C(C)C(=O)OCCN(C)Cc1ccccc1'.slice(0, 40);
  return [
    { text: protein, modality: 'amino_acid' },
    { text: smiles, modality: 'SMILES' },
  ];
}

export const bench: Bench = {
  description: 'masked PLL throughput on mixed sequences, ours vs PyTorch (padded to max length / dynamic); hover latency',
  async run(args) {
    const o = parseOptions(args, {
      threads: 2,
      n: 1000,
      chunk: 50,
      'padded-every': 5,
      pad: 512,
      'max-tokens': 8192,
      model: '',
      size: 'ume-tiny',
      'no-torch': false,
      'no-throughput': false,
      'no-latency': false,
      'hover-iters': 30,
      'cold-runs': 5,
      'cold-child': '',
    });
    if (o['cold-child']) return runColdChild(JSON.parse(o['cold-child']) as ColdJob);

    const mach = machine();
    const load0 = load();
    console.log(`machine: ${mach.cpu}, ${mach.cores} cores, node ${mach.node}, threads ${o.threads}; load average ${load0}`);
    const dir = mkdtempSync(join(tmpdir(), 'ume-bench-pll-'));
    const modelPath = o.model || (existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : '');
    let weightsPath = modelPath;
    let scorer: UmeScorer;
    if (modelPath) {
      scorer = await UmeScorer.fromFile(modelPath, { threads: o.threads, device: 'cpu', maxTokens: o['max-tokens'] });
      console.log(`model: ${modelPath}`);
    } else {
      // Throughput does not depend on weight values; std 0.1 makes log-probs vary enough for the check.
      const c = configFor(o.size);
      const params = initParams(bertParamSpecs({ ...bertConfigOf(c), initStd: 0.1 }), 1);
      weightsPath = join(dir, 'ume.safetensors');
      await saveUmeWeights(weightsPath, c, params);
      scorer = UmeScorer.fromParams(c, params, { threads: o.threads, device: 'cpu', maxTokens: o['max-tokens'] });
      console.log(`model: ${c.name} random weights (no ${DEFAULT_MODEL} yet)`);
    }
    const c = scorer.config;
    console.log(`config: ${c.numLayers} layers, hidden ${c.hiddenSize}, ${c.numHeads} heads, FFN ${c.intermediateSize}, vocab ${c.vocabSize}`);

    const { seqs, source } = benchSequences(o.n);
    console.log(`sequences: ${seqs.length} from ${source}`);
    const result: Record<string, unknown> = { bench: 'pll', model: c.name, layers: c.numLayers, hidden: c.hiddenSize, threads: o.threads, n: seqs.length };

    let peer: TorchPeer | undefined;
    if (!o['no-torch'] && !o['no-throughput']) {
      const why = torchUnavailable();
      if (why) console.log(`pytorch: unavailable: ${why}`);
      else {
        peer = await TorchPeer.start(join(__dirname, 'torch', 'ume_pll.py'), ['--weights', weightsPath, '--config', JSON.stringify(c), '--threads', String(o.threads)], o.threads);
        console.log(`pytorch: torch ${String(peer.ready['torch'])}, ${String(peer.ready['threads'])} threads, BLAS ${String(peer.ready['blas'])}`);
      }
    }
    const torchPll = async (batch: readonly BenchSequence[], pad: number, logprobs = false): Promise<TorchAnswer> => {
      const encs = scorer.encode(batch);
      const cmd = { seqs: encs.map((e) => ({ ids: e.ids, positions: residuePositions(e) })), pad, max_tokens: o['max-tokens'], logprobs };
      return peer!.send<TorchAnswer>(JSON.stringify(cmd));
    };

    if (!o['no-throughput']) {
      const parts = balancedChunks(seqs, o.chunk);
      // Warmup (sessions, allocators, BLAS threads) on a few sequences, then the same-model check.
      const probe = [...hoverSequences(seqs), ...parts[0]!.slice(0, 4)];
      const oursProbe = await scorer.pll(probe, { mode: 'masked' });
      if (peer) {
        await torchPll(probe, o.pad);
        const t = await torchPll(probe, 0, true);
        let maxDiff = 0;
        let maxMeanDiff = 0;
        oursProbe.forEach((r, i) => {
          maxMeanDiff = Math.max(maxMeanDiff, Math.abs(r.mean! - t.means[i]!));
          r.logprobs.forEach((lp, j) => {
            if (lp !== null) maxDiff = Math.max(maxDiff, Math.abs(lp - t.logprobs![i]![j]!));
          });
        });
        console.log(`same model check on ${probe.length} sequences: PLL ours ${oursProbe.map((r) => r.mean!.toFixed(4)).join(', ')}`);
        console.log(`                                      pytorch ${t.means.map((m) => m!.toFixed(4)).join(', ')}`);
        console.log(`  max |diff| mean PLL ${maxMeanDiff.toExponential(2)}, per-token log-prob ${maxDiff.toExponential(2)} (tolerance 1e-3)`);
        if (maxDiff > 1e-3) throw new Error(`ours and PyTorch disagree on masked log-probs by ${maxDiff} (> 1e-3): the peer is not the same model`);
        result['check_max_abs_diff'] = +maxDiff.toExponential(2);
      }

      const times = { ours: [] as number[], dynamic: [] as number[], padded: [] as number[] };
      const cpu = { ours: [] as number[], dynamic: [] as number[], padded: [] as number[] };
      const counts = { ours: [] as number[], dynamic: [] as number[], padded: [] as number[] };
      const t0 = performance.now();
      for (const [i, part] of parts.entries()) {
        const row: string[] = [];
        const time = async (k: keyof typeof times, fn: () => Promise<{ ms: number; cpu_ms: number }>) => {
          const { ms, cpu_ms } = await fn();
          times[k].push(ms);
          cpu[k].push(cpu_ms);
          counts[k].push(part.length);
          row.push(`${k} ${fmt((part.length / ms) * 1000, 2)}`);
        };
        await time('ours', async () => {
          const t1 = performance.now();
          const c1 = process.cpuUsage();
          await scorer.pll(part, { mode: 'masked' });
          const c2 = process.cpuUsage(c1);
          return { ms: performance.now() - t1, cpu_ms: (c2.user + c2.system) / 1000 };
        });
        if (peer) await time('dynamic', () => torchPll(part, 0));
        if (peer && i % o['padded-every'] === 0) await time('padded', () => torchPll(part, o.pad));
        console.log(`  chunk ${i + 1}/${parts.length}: ${part.length} seqs, seq/s ${row.join(' | ')}  (${fmt((performance.now() - t0) / 1000, 0)} s, load ${load()})`);
      }
      const rate = (k: keyof typeof times) => {
        if (!times[k].length) return null;
        const total = (counts[k].reduce((a, b) => a + b, 0) / times[k].reduce((a, b) => a + b, 0)) * 1000;
        const perChunk = median(times[k].map((t, i) => (counts[k][i]! / t) * 1000));
        return { total, median: perChunk, seqs: counts[k].reduce((a, b) => a + b, 0) };
      };
      const r = { ours: rate('ours')!, dynamic: rate('dynamic'), padded: rate('padded') };
      const line = (who: string, x: { total: number; median: number; seqs: number } | null) =>
        x && console.log(`${who} ${fmt(x.median, 2)} seq/s median over chunks (${fmt(x.total, 2)} overall, ${x.seqs} sequences)`);
      line('ours:                        ', r.ours);
      line(`pytorch dynamic padding:     `, r.dynamic);
      line(`pytorch padded to ${o.pad}:      `, r.padded);
      result['ours_seq_s'] = +r.ours.median.toFixed(3);
      result['pytorch_dynamic_seq_s'] = r.dynamic ? +r.dynamic.median.toFixed(3) : null;
      result['pytorch_padded_seq_s'] = r.padded ? +r.padded.median.toFixed(3) : null;
      result['padded_n'] = r.padded?.seqs ?? 0;
      result['ratio_vs_padded'] = r.padded ? +(r.ours.median / r.padded.median).toFixed(3) : null;
      result['ratio_vs_dynamic'] = r.dynamic ? +(r.ours.median / r.dynamic.median).toFixed(3) : null;
      // CPU time per sequence, summed over the measured chunks (the fairer figure under heavy load).
      const cpuPerSeq = (k: keyof typeof times) => cpu[k].reduce((a, b) => a + b, 0) / Math.max(1, counts[k].reduce((a, b) => a + b, 0));
      if (r.dynamic) {
        const cr = { dynamic: cpuPerSeq('dynamic') / cpuPerSeq('ours'), padded: r.padded ? cpuPerSeq('padded') / cpuPerSeq('ours') : null };
        console.log(`CPU ms per sequence: ours ${fmt(cpuPerSeq('ours'))}, pytorch dynamic ${fmt(cpuPerSeq('dynamic'))}${r.padded ? `, padded ${fmt(cpuPerSeq('padded'))}` : ''}; CPU-time ratio (theirs/ours) vs dynamic ${fmt(cr.dynamic, 2)}${cr.padded === null ? '' : `, vs padded ${fmt(cr.padded, 2)}`}`);
        result['cpu_ratio_vs_dynamic'] = +cr.dynamic.toFixed(3);
        result['cpu_ratio_vs_padded'] = cr.padded === null ? null : +cr.padded.toFixed(3);
      }
      if (r.padded && r.dynamic) console.log(`ratio ours/pytorch: vs padded ${fmt(r.ours.median / r.padded.median, 2)} (target >= 2), vs dynamic ${fmt(r.ours.median / r.dynamic.median, 2)} (target >= 1)`);
      peer?.close();
    }

    if (!o['no-latency']) {
      const hover: Record<string, unknown> = {};
      for (const seq of hoverSequences(seqs)) {
        const label = seq.modality === 'SMILES' ? `smiles${seq.text.length}` : `protein${seq.text.length}`;
        for (const mode of PLL_MODES as readonly PllMode[]) {
          const warm = await warmLatencies(scorer, seq, mode, 3, o['hover-iters']);
          const cold = [];
          for (let i = 0; i < o['cold-runs']; i++) cold.push(await coldSample({ weights: weightsPath, threads: o.threads, text: seq.text, modality: seq.modality, mode }));
          const first = cold.map((s) => s.first_ms);
          const fig = { warm_p50: +percentile(warm, 50).toFixed(2), warm_p95: +percentile(warm, 95).toFixed(2), cold_p50: +percentile(first, 50).toFixed(1), cold_p95: +percentile(first, 95).toFixed(1), load_p50: +percentile(cold.map((s) => s.load_ms), 50).toFixed(1) };
          hover[`${label}_${mode}`] = fig;
          console.log(`hover ${label.padEnd(10)} ${mode.padEnd(8)} warm p50 ${fmt(fig.warm_p50, 2)} ms p95 ${fmt(fig.warm_p95, 2)} ms | cold first call p50 ${fmt(fig.cold_p50)} ms p95 ${fmt(fig.cold_p95)} ms (+ weights load p50 ${fmt(fig.load_p50)} ms)`);
        }
      }
      result['hover'] = hover;
    }
    await scorer.release();
    rmSync(dir, { recursive: true, force: true });
    result['loadavg'] = [load0, load()];
    console.log(`load average: start ${load0}, end ${load()}`);
    console.log(JSON.stringify(result));
  },
};
