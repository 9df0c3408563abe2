// The UME reward as a RewardFunction: PLL / temperature of each completion's tagged sequence
// (UmeRewardFunction, lobster's defaults: temperature 0.1, untagged completions penalised).
//
// What this adapter adds is the rule for sequences UME cannot read. A sequence with `<unk>`
// tokens (e.g. a lowercase protein: UME's amino-acid vocabulary is uppercase only) has no
// meaningful PLL: the model predicts `<unk>` for `<unk>` with ease, so lowercase ubiquitin used
// to score far ABOVE the real one (-9.3 vs -27.9 with ume-tiny). Such rows, and rows the scorer
// could not score at all (a scoring error, a non-finite PLL), get value null with a reason: this
// function abstains rather than ranking them. Rows the policy can be blamed for (no tag, invalid
// SMILES, overlong, empty tag ...) keep the penalty value UmeRewardFunction gives them, with kind.
// The `<unk>` check is made twice: by UmeRewardFunction's preparation, and again here on the
// encoding of every sequence it did score, so no scored row can carry an `<unk>`.

import type { Device } from '../onnx/runtime/providers';
import { resolveModel, UmeRewardFunction, type PllScorer, type RewardRow, type UmeRewardOptions } from '../reward/index';
import type { PllMode } from '../ume/pll';
import { UmeScorer } from '../ume/scorer';
import { encode, SPECIAL } from '../ume/tokenizer';
import type { RewardFunction, RewardInput, RewardResult, RewardScoreOptions } from './types';

export interface CreateUmeRewardOptions extends Omit<UmeRewardOptions, 'name'> {
  /** UME weights: a .safetensors file or a folder holding one (default: the embedded ume-tiny). */
  model?: string;
  /** A scorer to share (e.g. the language server's); `model` and `device` are then ignored and close() leaves it open. */
  scorer?: PllScorer;
  /** PLL mode (default 'sampled', UmeRewardFunction's). */
  mode?: PllMode;
  /** reward = PLL / temperature (default 0.1, lobster's). */
  temperature?: number;
  /** Execution provider for a scorer created here (default 'auto'). */
  device?: Device;
  /** ORT threads for a scorer created here. */
  threads?: number;
  /** Name in logs (default "ume"). */
  name?: string;
}

/** Kinds whose rows get null (the function abstains) instead of a penalty. */
const UNSCORABLE_KINDS: Record<string, string> = {
  'unknown-tokens': 'unk-tokens',
  'scoring-error': 'scoring-error',
  'non-finite': 'non-finite',
};

function unkIn(text: string, modality: RewardRow['sequences'][number]['modality']): number {
  const ids = encode(text, modality).ids;
  let n = 0;
  for (let t = 1; t < ids.length - 1; t++) if (ids[t] === SPECIAL.unk) n++;
  return n;
}

/** One RewardRow as a RewardResult, with the abstention rules above. */
export function umeRowResult(row: RewardRow): RewardResult {
  const base: RewardResult = { value: row.reward, modality: row.modality };
  const nullKind = row.kind ? UNSCORABLE_KINDS[row.kind] : undefined;
  if (nullKind) return { ...base, value: null, kind: nullKind, reason: `${row.reason ?? row.kind}; UME cannot score it, so this reward abstains` };
  for (const s of row.sequences) {
    const n = unkIn(s.text, s.modality);
    if (n > 0) {
      return { ...base, value: null, kind: 'unk-tokens', reason: `the ${s.modality} sequence has ${n} <unk> token${n === 1 ? '' : 's'} under UME's tokenizer; its PLL would be meaningless, so this reward abstains` };
    }
  }
  if (row.kind) return { ...base, kind: row.kind, ...(row.reason ? { reason: row.reason } : {}) };
  if (row.reward === null) return { ...base, reason: row.reason ?? 'not scored' };
  if (row.truncated) return { ...base, kind: 'truncated', ...(row.reason ? { reason: row.reason } : {}) };
  return base;
}

export interface UmeReward extends RewardFunction {
  /** The wrapped function (its `last` batch holds PLLs, token counts and lobster's metrics). */
  readonly inner: UmeRewardFunction;
}

/** Builds the UME reward; loads the weights (the embedded default unless `model` is given). */
export async function createUmeReward(options: CreateUmeRewardOptions = {}): Promise<UmeReward> {
  const { model, scorer: given, device, threads, ...rest } = options;
  const owned = given ? undefined : await UmeScorer.fromFile(resolveModel(model).path, { ...(device ? { device } : {}), ...(threads !== undefined ? { threads } : {}) });
  const scorer: PllScorer = given ?? owned!;
  let inner: UmeRewardFunction;
  try {
    inner = new UmeRewardFunction(scorer, { temperature: 0.1, noTag: 'penalty', ...rest, name: options.name ?? 'ume' });
  } catch (e) {
    await owned?.release();
    throw e;
  }
  return {
    name: inner.options.name,
    inner,
    async score(inputs: readonly RewardInput[], opts: RewardScoreOptions = {}): Promise<RewardResult[]> {
      const batch = await inner.score(
        inputs.map((x) => x.completion),
        opts.signal ? { signal: opts.signal } : {},
      );
      return batch.rows.map(umeRowResult);
    },
    async close(): Promise<void> {
      await owned?.release();
    },
  };
}
