// `npm run bench -- grpo-step`: one whole GRPO step of policy-tiny, what `ume-studio train` runs
// per optimizer step (engine/training: generationRound -> microBatchTensors -> Trainer.trainStep),
// against the same step in eager PyTorch CPU (bench/torch/grpo_step.py) in the same run:
//   generation  batched KV-cache sampling of prompts x num_generations completions, temperature 1,
//               stop at <eos> or max_completion_length, restricted to the prompt's modality;
//   reward      the UME reward (ume-tiny, unmasked PLL / 0.1, lobster's tags, RDKit validity), in the
//               reward worker process training uses (--in-process-reward: on this process);
//   update      TRL's advantages, dapo loss, backward, clip 1.0, AdamW (one fused ONNX graph here).
// policy-tiny's SMILES grammar is off on both sides (the peer has none), so they sample alike.
// Both start from the same weights (ours written to safetensors, [in, out] -> torch's [out, in]),
// draw from the same seeded generator with the same inverse-CDF rule, and take the same prompts in
// the trainer's data order, so they sample (nearly always) the same completions: the bench reports
// how many match and the reward / loss differences on them, as its same-step check.
// One of our steps alternates with one of PyTorch's so machine load hits both alike.
// Then, at completion length 128 with stopping off, our sampling through the KV cache against the
// same loop recomputing the whole prefix (a full causal forward) for every token.
// Last line: one JSON object with the figures; `ratio` = ours / PyTorch step time at length 128.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '../server/src/engine/checkpoint/safetensors';
import type { TensorData } from '../server/src/engine/onnx/ir';
import { compile, type CompiledModel } from '../server/src/engine/onnx/runtime';
import { generate } from '../server/src/engine/policy/generate';
import { PolicyTiny, POLICY_TINY } from '../server/src/engine/policy/tiny';
import type { PolicyTinyConfig } from '../server/src/engine/policy/tiny/config';
import { KvArena } from '../server/src/engine/policy/tiny/kv-arena';
import { buildPrefillGraph } from '../server/src/engine/policy/tiny/kv-graphs';
import { allowedTable, MODALITY_RANGE, restrictionRow } from '../server/src/engine/policy/tiny/vocab';
import type { StepDecoder } from '../server/src/engine/policy/types';
import { resolveModel } from '../server/src/engine/reward';
import { createUmeReward } from '../server/src/engine/rewards';
import { adamw } from '../server/src/engine/train/optimizers/adamw';
import type { ParameterSet } from '../server/src/engine/train/params';
import { Rng } from '../server/src/engine/train/rng';
import { makeSchedule } from '../server/src/engine/train/schedule';
import { Trainer } from '../server/src/engine/train/trainer';
import { advantagesFor } from '../server/src/engine/training/advantages';
import { PRESETS, resolveConfig, type ResolvedGrpoConfig } from '../server/src/engine/training/config';
import { DataOrder } from '../server/src/engine/training/data-order';
import { generationRound, type GenerationContext, type PromptRow } from '../server/src/engine/training/generation';
import { activeTokens, microBatchTensors } from '../server/src/engine/training/micro-batch';
import { grpoStepModel } from '../server/src/engine/training/step-graph';
import { UmeScorer } from '../server/src/engine/ume/scorer';
import { loadTrainingData } from '../server/src/trainer/data-choice';
import { loadTrainingRewards } from '../server/src/trainer/reward-choice';
import { SPECIAL } from '../server/src/engine/ume/tokenizer';
import { UME_SMILES_PATTERN, UME_TOKENS } from '../server/src/engine/vocab/vocab.generated';
import { fmt, machine, median, parseOptions, type Bench } from './lib/bench';
import { TorchPeer, torchUnavailable } from './lib/torch-peer';

/** One step's figures from either side (ms, tokens). */
interface StepFigures {
  ms: number;
  cpu_ms: number;
  gen_ms: number;
  reward_ms: number;
  update_ms: number;
  tokens: number;
}

interface PeerStep extends StepFigures {
  completions: number[][];
  rewards: Array<number | null>;
  loss: number;
  grad_norm: number;
}

interface OurStep extends StepFigures {
  completions: number[][];
  rewards: Array<number | null>;
  loss: number;
  grad_norm: number;
}

const load1 = (): number => loadavg()[0]!;
const loads = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The settings a quick-test run trains with, at this batch and completion length, on the CPU. */
function benchConfig(prompts: number, generations: number, length: number): ResolvedGrpoConfig {
  return resolveConfig([PRESETS['quick-test'], { per_device_train_batch_size: prompts * generations, num_generations: generations, max_completion_length: length, device: 'cpu', run_name: 'bench' }]);
}

/** Our GRPO step: the trainer's generation round, micro-batch and fused update. */
class OurStepRunner {
  private constructor(
    private readonly c: ResolvedGrpoConfig,
    readonly policy: PolicyTiny,
    private readonly trainer: Trainer,
    private readonly ctx: GenerationContext,
  ) {}

  static async create(c: ResolvedGrpoConfig, config: PolicyTinyConfig, initial: ParameterSet, reward: GenerationContext['rewards'][number]['fn'], threads: number): Promise<OurStepRunner> {
    const policy = await PolicyTiny.create(config, initial.clone(), { threads, smilesGrammar: false });
    const { spec, lossFn } = grpoStepModel(policy, c);
    // As engine/training/grpo-trainer.ts builds it (constant schedule: the quick-test preset).
    const trainer = await Trainer.create(spec, lossFn, policy.params, {
      optimizer: adamw({ beta1: c.adam_beta1, beta2: c.adam_beta2, eps: c.adam_epsilon, weightDecay: c.weight_decay }),
      schedule: makeSchedule({ kind: 'constant' }, c.learning_rate),
      ...(c.max_grad_norm > 0 ? { maxGradNorm: c.max_grad_norm } : {}),
      nanGuard: 'flag',
      runtime: { device: 'cpu', threads },
    });
    const sampling = { maxNewTokens: c.max_completion_length, temperature: c.temperature, topP: c.top_p, topK: c.top_k, repetitionPenalty: c.repetition_penalty };
    const ctx: GenerationContext = { policy, ref: null, rewards: [{ fn: reward, weight: 1 }], advantages: advantagesFor(c), sampling, numGenerations: c.num_generations, needOldLogps: false };
    return new OurStepRunner(c, policy, trainer, ctx);
  }

  async step(rows: ReadonlyArray<{ index: number; row: PromptRow }>, seed: number): Promise<OurStep> {
    const c = this.c;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const round = await generationRound(this.ctx, { take: () => [...rows], promptsPerRound: rows.length, dynamicSampling: false, maxExtraRounds: 0 }, new Rng(seed));
    const tu = performance.now();
    // One generation batch = one micro-batch = one optimizer step (steps_per_generation 1), so the
    // trainer's shuffle of the batch changes nothing the step computes and is left out.
    const numItems = round.rollouts.reduce((n, r) => n + activeTokens(r, c.mask_truncated_completions), 0);
    const batch = microBatchTensors(round.rollouts, { padId: SPECIAL.pad, maskTruncated: c.mask_truncated_completions, withOld: false, withRef: false, numItemsInBatch: numItems });
    const r = await this.trainer.trainStep([batch]);
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    if (r.skipped) throw new Error(`our step was skipped: loss ${r.loss}, grad norm ${r.gradNorm} are not finite`);
    return {
      ms: t1 - t0,
      cpu_ms: (cpu.user + cpu.system) / 1000,
      gen_ms: round.times.generation * 1000,
      reward_ms: round.times.reward * 1000,
      update_ms: t1 - tu,
      tokens: round.times.generatedTokens,
      completions: round.rollouts.map((x) => x.completionIds),
      rewards: round.rollouts.map((x) => x.rewards[0] ?? null),
      loss: r.loss,
      grad_norm: r.gradNorm,
    };
  }

  async release(): Promise<void> {
    await this.trainer.release();
    await this.policy.release();
  }
}

const ALLOWED = allowedTable();

/**
 * The no-cache peer of our sampling: every step runs policy-tiny's full causal forward (its prefill
 * graph) over prompt + every token so far, and reads the last position's logits.
 */
class RecomputeDecoder implements StepDecoder<number[][]> {
  constructor(
    private readonly model: CompiledModel,
    private readonly params: Record<string, TensorData>,
    readonly vocabSize: number,
  ) {}
  private async lastLogits(seqs: number[][]): Promise<Float32Array> {
    const N = seqs.length;
    const L = seqs[0]!.length;
    if (seqs.some((s) => s.length !== L)) throw new Error('the recompute peer runs equal-length rows only (stopping off)');
    const ids = BigInt64Array.from(seqs.flat(), BigInt);
    const pos = BigInt64Array.from({ length: N * L }, (_, i) => BigInt(i % L));
    const mask = new BigInt64Array(N * L).fill(1n);
    const out = await this.model.run({ ...this.params, input_ids: { dtype: 'int64', shape: [N, L], data: ids }, position_ids: { dtype: 'int64', shape: [N, L], data: pos }, attention_mask: { dtype: 'int64', shape: [N, L], data: mask } });
    const logits = new Float32Array(out['logits']!.data as Float32Array);
    const V = this.vocabSize;
    seqs.forEach((s, j) => {
      const row = restrictionRow(s[0]) * V;
      if (row) for (let t = 0; t < V; t++) if (!ALLOWED[row + t]) logits[j * V + t] = -Infinity;
    });
    return logits;
  }
  async prefill(prompts: readonly (readonly number[])[]) {
    const seqs = prompts.map((p) => [...p]);
    return { logits: await this.lastLogits(seqs), cache: seqs };
  }
  async step(cache: number[][], tokens: readonly number[], keep: readonly number[]) {
    const seqs = keep.map((k, j) => [...cache[k]!, tokens[j]!]);
    return { logits: await this.lastLogits(seqs), cache: seqs };
  }
}

/** Tokens/s of our sampling with the KV cache and with the prefix recomputed, stopping off. */
async function kvVersusRecompute(policy: PolicyTiny, prompts: number[][], length: number, threads: number, reps: number): Promise<{ kv_ms: number; recompute_ms: number; tokens: number }> {
  const tokens = prompts.length * length;
  const arena = new KvArena();
  const kv: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const rows = await generate(policy.decoder(length, true, arena), prompts, { maxNewTokens: length }, new Rng(100 + r), { stopIds: [] });
    const ms = performance.now() - t0;
    if (rows.some((x) => x.ids.length !== length)) throw new Error('a row stopped early with stopping off');
    if (r > 0) kv.push(ms);
    console.log(`  kv-cache  run ${r}${r === 0 ? ' (warm-up)' : ''}: ${fmt(ms, 0)} ms, ${fmt((tokens / ms) * 1000, 0)} tokens/s`);
  }
  const model = await compile(buildPrefillGraph(policy.config, policy.paramSpecs), { device: 'cpu', threads });
  const dec = new RecomputeDecoder(model, Object.fromEntries(policy.params.entries()), policy.config.vocabSize);
  await generate(dec, prompts.slice(0, 4), { maxNewTokens: 8 }, new Rng(0), { stopIds: [] }); // warm-up
  const t0 = performance.now();
  await generate(dec, prompts, { maxNewTokens: length }, new Rng(100), { stopIds: [] });
  const recompute = performance.now() - t0;
  console.log(`  recompute run 1: ${fmt(recompute, 0)} ms, ${fmt((tokens / recompute) * 1000, 0)} tokens/s`);
  await model.release();
  return { kv_ms: median(kv), recompute_ms: recompute, tokens };
}

/** Median figures of a side's measured steps. */
function summarize(steps: readonly StepFigures[], completions: number) {
  const m = (f: (s: StepFigures) => number) => median(steps.map(f));
  return {
    step_ms: m((s) => s.ms),
    cpu_ms: m((s) => s.cpu_ms),
    gen_ms: m((s) => s.gen_ms),
    reward_ms: m((s) => s.reward_ms),
    update_ms: m((s) => s.update_ms),
    tokens: m((s) => s.tokens),
    gen_tokens_per_s: m((s) => (s.tokens / s.gen_ms) * 1000),
    reward_seq_per_s: m((s) => (completions / s.reward_ms) * 1000),
  };
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

export const bench: Bench = {
  description: 'one GRPO step of policy-tiny (KV-cache generation, UME reward, dapo update), ours vs PyTorch CPU; KV cache vs recompute',
  async run(args) {
    const o = parseOptions(args, { threads: 2, warmup: 2, iters: 7, prompts: 4, generations: 8, length: 128, 'also-length': 96, seed: 1, 'kv-reps': 3, 'torch-threads': 0, 'in-process-reward': false, random: false, 'no-torch': false, 'no-recompute': false });
    const mach = machine();
    const loadStart = loads();
    console.log(`machine: ${mach.cpu}, ${mach.cores} cores, node ${mach.node}, threads ${o.threads}; load average ${loadStart}`);
    if (load1() > 1.5) console.log(`note: load average ${fmt(load1(), 2)} > 1.5: other work shares the ${mach.cores} cores; wall-clock figures move with it (steps alternate, so both sides see it alike; compare CPU time too)`);

    let weights = 'shipped';
    let policy: PolicyTiny;
    try {
      if (o.random) throw new Error('--random');
      policy = await PolicyTiny.load(undefined, { threads: o.threads, smilesGrammar: false });
    } catch (e) {
      weights = 'random (seed 1, same config)';
      if (!o.random) console.log(`shipped policy-tiny not loadable (${(e as Error).message.split('\n')[0]}); using random weights`);
      policy = await PolicyTiny.random(POLICY_TINY, 1, { threads: o.threads, smilesGrammar: false });
    }
    const pc = policy.config;
    const initial = policy.params.clone();
    const model = `${pc.name} ${pc.nLayers}x${pc.dModel}x${pc.nHeads}x${pc.dFF}, ${(policy.info.parameters / 1e6).toFixed(2)}M params (${weights} weights)`;
    console.log(`policy: ${model}`);

    const G = o.generations;
    const B = o.prompts * G;
    const lengths = [o.length, ...(o['also-length'] > 0 && o['also-length'] !== o.length ? [o['also-length']] : [])];
    const c0 = benchConfig(o.prompts, G, o.length);
    console.log(`step: ${o.prompts} prompts x ${G} generations = ${B} completions, max_completion_length ${lengths.join(' and ')}, temperature ${c0.temperature}, loss ${c0.loss_type}, scale_rewards ${c0.scale_rewards}, lr ${c0.learning_rate}, clip ${c0.max_grad_norm}; reward ume ${c0.ume_mode} PLL / ${c0.ume_temperature}`);
    console.log(`runs: ${o.warmup} warm-up + ${o.iters} measured steps per length, ours and PyTorch alternating; prompts in the trainer's data order over the synthetic train split`);

    const umePath = resolveModel().path;
    const scorer = await UmeScorer.fromFile(umePath, { device: 'cpu', threads: o.threads });
    // What `ume-studio train` scores with: the reward worker process (trainer/reward-choice.ts);
    // --in-process-reward scores on this process instead (createUmeReward, the same function).
    const worker = o['in-process-reward'] ? null : await loadTrainingRewards(c0);
    const reward = worker ? worker.rewards[0]!.fn : await createUmeReward({ scorer, mode: c0.ume_mode, temperature: c0.ume_temperature });
    console.log(`reward: ${worker ? worker.describe[0]! : `ume (${c0.ume_mode} PLL / ${c0.ume_temperature}), in this process`}`);
    const { train } = await loadTrainingData(c0); // the synthetic train split, as `ume-studio train` reads it

    // The issue's comparison is at the same threads; --torch-threads 1 gives PyTorch its best setting
    // on this 2-core machine (its OpenMP overhead on decode-sized ops grows with threads).
    const torchThreads = o['torch-threads'] > 0 ? o['torch-threads'] : o.threads;
    const dir = mkdtempSync(join(tmpdir(), 'ume-bench-grpo-'));
    let peer: TorchPeer | undefined;
    try {
      if (!o['no-torch']) {
        const why = torchUnavailable();
        if (why) console.log(`pytorch: unavailable: ${why}`);
        else {
          const policyPath = join(dir, 'policy.safetensors');
          writeFileSync(policyPath, Buffer.concat(encodeSafetensors(initial.entries())));
          const vocabPath = join(dir, 'vocab.json');
          writeFileSync(vocabPath, JSON.stringify({ tokens: UME_TOKENS, ranges: MODALITY_RANGE, smiles_pattern: UME_SMILES_PATTERN }));
          peer = await TorchPeer.start(
            join(__dirname, 'torch', 'grpo_step.py'),
            ['--policy', policyPath, '--policy-config', JSON.stringify(pc), '--ume', umePath, '--ume-config', JSON.stringify(scorer.config), '--vocab', vocabPath, '--train-config', JSON.stringify(c0), '--threads', String(torchThreads)],
            torchThreads,
          );
          console.log(`pytorch: torch ${String(peer.ready['torch'])}, ${String(peer.ready['threads'])} threads, BLAS ${String(peer.ready['blas'])}`);
        }
      }

      const result: Record<string, unknown> = { bench: 'grpo-step', model, batch: `${o.prompts}x${G}`, threads: o.threads, torch_threads: peer ? torchThreads : null };
      const perLength: Record<number, Record<string, number | null>> = {};
      let kvPrompts: number[][] = [];
      for (const L of lengths) {
        const c = benchConfig(o.prompts, G, L);
        const ours = await OurStepRunner.create(c, pc, initial, reward, o.threads);
        if (peer) await peer.send('{"cmd": "reset"}');
        const order = DataOrder.start(train.length, c.seed);
        const oursSteps: OurStep[] = [];
        const peerSteps: PeerStep[] = [];
        let same = 0;
        let compared = 0;
        let rewardDiff = 0;
        const lossDiffs: number[] = [];
        /** CPU our process burns while it waits for the peer (ORT threads spinning would steal the peer's cores). */
        const idleCpu: number[] = [];
        let first: { loss: number; norm: number } | null = null;
        const normDiffs: number[] = [];
        console.log(`\nmax_completion_length ${L}:`);
        for (let i = 0; i < o.warmup + o.iters; i++) {
          const rows = order.take(o.prompts).map((k) => ({ index: k, row: train[k]! }));
          const promptIds: number[][] = [];
          for (const r of rows) for (let g = 0; g < G; g++) promptIds.push(policy.tokenizePrompt(r.row.prompt, r.row.modality));
          if (kvPrompts.length === 0) kvPrompts = promptIds;
          const seed = o.seed + i;
          const a = await ours.step(rows, seed);
          let line = `  step ${i + 1}${i < o.warmup ? ' (warm-up)' : ''}: ours ${fmt(a.ms, 0)} ms (gen ${fmt(a.gen_ms, 0)}, reward ${fmt(a.reward_ms, 0)}, update ${fmt(a.update_ms, 0)}; ${a.tokens} tokens)`;
          if (peer) {
            const w0 = process.cpuUsage();
            const p = await peer.send<PeerStep>(JSON.stringify({ cmd: 'step', prompts: promptIds, seed, max_new_tokens: L }));
            const w = process.cpuUsage(w0);
            if (i >= o.warmup) idleCpu.push((w.user + w.system) / 1000);
            line += ` | pytorch ${fmt(p.ms, 0)} ms (gen ${fmt(p.gen_ms, 0)}, reward ${fmt(p.reward_ms, 0)}, update ${fmt(p.update_ms, 0)}; ${p.tokens} tokens)`;
            // Same-step check: the completions both drew from the same seed and weights.
            const match = a.completions.map((x, j) => x.length === p.completions[j]!.length && x.every((t, k) => t === p.completions[j]![k]));
            const n = match.filter(Boolean).length;
            same += n;
            compared += B;
            // Step 1 starts from identical weights; later steps' weights differ by float rounding that
            // AdamW's normalised update amplifies on near-zero gradient components.
            if (i === 0 && n === B) first = { loss: Math.abs(a.loss - p.loss), norm: Math.abs(a.grad_norm - p.grad_norm) / Math.max(1e-12, Math.abs(p.grad_norm)) };
            if (n === B) {
              a.rewards.forEach((r, j) => {
                const q = p.rewards[j]!;
                if ((r === null) !== (q === null)) rewardDiff = Infinity;
                else if (r !== null && q !== null) rewardDiff = Math.max(rewardDiff, Math.abs(r - q));
              });
              lossDiffs.push(Math.abs(a.loss - p.loss));
              normDiffs.push(Math.abs(a.grad_norm - p.grad_norm) / Math.max(1e-12, Math.abs(p.grad_norm)));
            }
            line += `; same completions ${n}/${B}`;
            if (i >= o.warmup) peerSteps.push(p);
          }
          console.log(`${line}; load ${fmt(load1(), 2)}`);
          if (i >= o.warmup) oursSteps.push(a);
        }
        await ours.release();
        const so = summarize(oursSteps, B);
        const report = (who: string, s: ReturnType<typeof summarize>) =>
          console.log(
            `  ${who} step ${fmt(s.step_ms, 0)} ms (CPU ${fmt(s.cpu_ms, 0)} ms) | generation ${fmt(s.gen_ms, 0)} ms, ${fmt(s.gen_tokens_per_s, 0)} tokens/s (${fmt(s.tokens, 0)} tokens) | reward ${fmt(s.reward_ms, 0)} ms, ${fmt(s.reward_seq_per_s, 1)} seq/s | update ${fmt(s.update_ms, 0)} ms`,
          );
        console.log(`  medians over ${oursSteps.length} steps:`);
        report('ours:   ', so);
        const fig: Record<string, number | null> = {
          ours_step_ms: r1(so.step_ms),
          ours_gen_tokens_per_s: Math.round(so.gen_tokens_per_s),
          ours_reward_seq_per_s: r1(so.reward_seq_per_s),
          ours_update_ms: r1(so.update_ms),
          ours_gen_ms: r1(so.gen_ms),
          ours_reward_ms: r1(so.reward_ms),
          ours_tokens: so.tokens,
        };
        if (peer) {
          const sp = summarize(peerSteps, B);
          report('pytorch:', sp);
          const ratio = so.step_ms / sp.step_ms;
          console.log(`  ratio ours/pytorch: step ${fmt(ratio, 3)} (target <= 1.0), CPU time ${fmt(so.cpu_ms / sp.cpu_ms, 3)}; generation ${fmt(so.gen_ms / sp.gen_ms, 3)}, reward ${fmt(so.reward_ms / sp.reward_ms, 3)}, update ${fmt(so.update_ms / sp.update_ms, 3)}`);
          console.log(
            `  same-step check: ${same}/${compared} completions identical; on steps where all were: max |reward diff| ${rewardDiff === 0 ? '0' : rewardDiff.toExponential(2)}, |loss diff| max ${lossDiffs.length ? Math.max(...lossDiffs).toExponential(2) : 'n/a'}, grad-norm rel diff max ${normDiffs.length ? Math.max(...normDiffs).toExponential(2) : 'n/a'} (${lossDiffs.length} steps)`,
          );
          if (first) console.log(`  step 1 (identical weights): |loss diff| ${first.loss.toExponential(2)}, grad-norm rel diff ${first.norm.toExponential(2)}`);
          console.log(`  our process's CPU while PyTorch ran: median ${fmt(median(idleCpu), 0)} ms per PyTorch step of ${fmt(sp.step_ms, 0)} ms`);
          Object.assign(fig, {
            pytorch_step_ms: r1(sp.step_ms),
            pytorch_gen_tokens_per_s: Math.round(sp.gen_tokens_per_s),
            pytorch_reward_seq_per_s: r1(sp.reward_seq_per_s),
            pytorch_update_ms: r1(sp.update_ms),
            pytorch_gen_ms: r1(sp.gen_ms),
            pytorch_reward_ms: r1(sp.reward_ms),
            pytorch_tokens: sp.tokens,
            ratio: +ratio.toFixed(3),
            cpu_ratio: +(so.cpu_ms / sp.cpu_ms).toFixed(3),
            same_completions: +(same / compared).toFixed(3),
            max_reward_diff: Number.isFinite(rewardDiff) ? +rewardDiff.toExponential(2) : null,
            max_loss_diff: lossDiffs.length ? +Math.max(...lossDiffs).toExponential(2) : null,
            step1_loss_diff: first ? +first.loss.toExponential(2) : null,
            step1_grad_norm_rel_diff: first ? +first.norm.toExponential(2) : null,
          });
        }
        perLength[L] = fig;
      }
      const head = perLength[o.length]!;
      Object.assign(result, head.ratio !== undefined ? { ratio: head.ratio } : { ratio: null });
      for (const L of lengths) result[`len${L}`] = perLength[L];

      if (!o['no-recompute']) {
        console.log(`\nKV cache vs recomputing the prefix, ${kvPrompts.length} rows x ${o.length} tokens, stopping off:`);
        const kvPolicy = await PolicyTiny.create(pc, initial.clone(), { threads: o.threads, smilesGrammar: false });
        const k = await kvVersusRecompute(kvPolicy, kvPrompts, o.length, o.threads, o['kv-reps']);
        await kvPolicy.release();
        const kvRatio = k.recompute_ms / k.kv_ms;
        console.log(`  kv-cache ${fmt((k.tokens / k.kv_ms) * 1000, 0)} tokens/s vs recompute ${fmt((k.tokens / k.recompute_ms) * 1000, 0)} tokens/s: ${fmt(kvRatio, 2)}x (target >= 5x)`);
        Object.assign(result, {
          kv_tokens_per_s: Math.round((k.tokens / k.kv_ms) * 1000),
          recompute_tokens_per_s: Math.round((k.tokens / k.recompute_ms) * 1000),
          kv_ratio: +kvRatio.toFixed(2),
        });
      }
      Object.assign(result, { load_avg_start: loadStart, load_avg_end: loads(), machine: mach });
      console.log(JSON.stringify(result));
    } finally {
      peer?.close();
      await (worker ? worker.close() : reward.close?.());
      await scorer.release();
      await policy.release();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
