// `npm run bench -- policy-generate`: policy-tiny's batched generation through the KV cache
// (prefill once, one token per row per step) against the same generation loop recomputing the
// whole prefix at every step (a full causal forward over prompt + tokens so far, logits of the last
// position only), both at completion length 128 with stopping off (every row runs the full length),
// same rows, same sampling, same threads. Last line: one JSON object with the figures.

import { Graph, type TensorData } from '../server/src/engine/onnx/ir';
import { compile, type CompiledModel } from '../server/src/engine/onnx/runtime';
import { constant, gather, sub } from '../server/src/engine/onnx/ops';
import { gptParamSpecs } from '../server/src/engine/models/gpt';
import { paramInputs } from '../server/src/engine/models/params';
import { generate } from '../server/src/engine/policy/generate';
import { PolicyTiny, POLICY_TINY } from '../server/src/engine/policy/tiny';
import { fullHidden, lmHead } from '../server/src/engine/policy/tiny/forward';
import { KvArena } from '../server/src/engine/policy/tiny/kv-arena';
import { allowedTable, restrictionRow } from '../server/src/engine/policy/tiny/vocab';
import type { StepDecoder } from '../server/src/engine/policy/types';
import { Rng } from '../server/src/engine/train/rng';
import { machine, median, parseOptions, type Bench } from './lib/bench';

const ALLOWED = allowedTable();

/** The no-cache peer: every step runs the whole sequence again. */
class RecomputeDecoder implements StepDecoder<number[][]> {
  readonly vocabSize: number;
  constructor(
    private readonly model: CompiledModel,
    private readonly params: Record<string, TensorData>,
  ) {
    this.vocabSize = POLICY_TINY.vocabSize;
  }
  private async last(seqs: number[][]): Promise<Float32Array> {
    const L = seqs[0]!.length;
    if (seqs.some((s) => s.length !== L)) throw new Error('the recompute peer runs equal-length rows only');
    const ids: TensorData = { dtype: 'int64', shape: [seqs.length, L], data: BigInt64Array.from(seqs.flat(), BigInt) };
    const logits = new Float32Array((await this.model.run({ ...this.params, input_ids: ids }))['logits']!.data as Float32Array);
    const V = this.vocabSize;
    seqs.forEach((s, j) => {
      const row = restrictionRow(s[0]) * V;
      if (row) for (let t = 0; t < V; t++) if (!ALLOWED[row + t]) logits[j * V + t] = -Infinity;
    });
    return logits;
  }
  async prefill(prompts: readonly (readonly number[])[]) {
    const seqs = prompts.map((p) => [...p]);
    return { logits: await this.last(seqs), cache: seqs };
  }
  async step(cache: number[][], tokens: readonly number[], keep: readonly number[]) {
    const seqs = keep.map((k, j) => [...cache[k]!, tokens[j]!]);
    return { logits: await this.last(seqs), cache: seqs };
  }
}

async function recomputeModel(threads: number): Promise<CompiledModel> {
  const c = POLICY_TINY;
  const g = new Graph('policy_tiny_recompute');
  const p = paramInputs(g, gptParamSpecs(c));
  const ids = g.input('input_ids', 'int64', ['N', 'L']);
  const h = fullHidden(c, p, ids);
  const last = sub(gather(g.op1('Shape', [ids]), constant(g, 'int64', [], [1])), constant(g, 'int64', [], [1]));
  g.output(lmHead(c, p, gather(h, last, 1)), 'logits');
  return compile(g, { device: 'cpu', threads });
}

export const bench: Bench = {
  description: 'policy-tiny generation tokens/s: KV-cache decode vs recomputing the prefix (length 128)',
  async run(args) {
    const o = parseOptions(args, { rows: 64, length: 128, reps: 3, threads: 2, 'no-peer': false, random: false });
    let policy: PolicyTiny;
    let weights = 'shipped';
    try {
      if (o.random) throw new Error('--random');
      policy = await PolicyTiny.load(undefined, { threads: o.threads });
    } catch (e) {
      weights = 'random (seed 1)';
      if (!o.random) console.log(`shipped policy-tiny not loadable (${(e as Error).message.split('\n')[0]}); using random weights`);
      policy = await PolicyTiny.random(POLICY_TINY, 1, { threads: o.threads });
    }
    const prompts = Array.from({ length: o.rows }, (_, i) => [[2], [1], [3]][i % 3]!);
    const sampling = { maxNewTokens: o.length };
    const tokens = o.rows * o.length;
    const arena = new KvArena();
    const kvTimes: number[] = [];
    for (let r = 0; r < o.reps + 1; r++) {
      const t0 = performance.now();
      const rows = await generate(policy.decoder(o.length, true, arena), prompts, sampling, new Rng(r), { stopIds: [] });
      const ms = performance.now() - t0;
      if (rows.some((x) => x.ids.length !== o.length)) throw new Error('a row stopped early with stopping off');
      if (r > 0) kvTimes.push(ms); // the first run warms the sessions up
      console.log(`kv-cache   run ${r}${r === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms, ${((tokens / ms) * 1000).toFixed(0)} tokens/s`);
    }
    const kvMs = median(kvTimes);
    let peerMs: number | undefined;
    if (!o['no-peer']) {
      const model = await recomputeModel(o.threads);
      const dec = new RecomputeDecoder(model, Object.fromEntries(policy.params.entries()));
      await generate(dec, prompts.slice(0, 4), { maxNewTokens: 8 }, new Rng(0), { stopIds: [] }); // warm-up
      const t0 = performance.now();
      await generate(dec, prompts, sampling, new Rng(1), { stopIds: [] });
      peerMs = performance.now() - t0;
      console.log(`recompute  run 1: ${peerMs.toFixed(0)} ms, ${((tokens / peerMs) * 1000).toFixed(0)} tokens/s`);
      await model.release();
    }
    await policy.release();
    const result = {
      bench: 'policy-generate',
      model: `${POLICY_TINY.name} ${POLICY_TINY.nLayers}x${POLICY_TINY.dModel}x${POLICY_TINY.nHeads}x${POLICY_TINY.dFF} (${weights})`,
      rows: o.rows,
      length: o.length,
      threads: o.threads,
      kv_ms: Math.round(kvMs),
      kv_tokens_per_s: Math.round((tokens / kvMs) * 1000),
      ...(peerMs !== undefined ? { recompute_ms: Math.round(peerMs), recompute_tokens_per_s: Math.round((tokens / peerMs) * 1000), ratio: Number((peerMs / kvMs).toFixed(2)) } : {}),
      machine: machine(),
    };
    console.log(JSON.stringify(result));
  },
};
