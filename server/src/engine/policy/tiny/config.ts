// policy-tiny's configuration: a GPT (engine/models/gpt.ts) over UME's 1280-id vocabulary, with
// learned positions up to maxLen (prompt + completion). The shipped shape is POLICY_TINY; its
// reasons (speed of KV-cache sampling on 2 CPU cores) are in models/policy-tiny/MODEL_CARD.md.

import { gptConfig, type GptConfig } from '../../models/gpt';
import { VOCAB_SIZE } from '../../ume/tokenizer';

export interface PolicyTinyConfig extends GptConfig {
  name: string;
}

export const ARCHITECTURE = 'GPT (pre-norm RMSNorm, causal attention, GELU MLP, learned positions, untied head)';

export const POLICY_TINY: PolicyTinyConfig = {
  name: 'policy-tiny',
  ...gptConfig({ vocabSize: VOCAB_SIZE, dModel: 192, nLayers: 4, nHeads: 4, dFF: 768, maxLen: 256, positions: 'learned' }),
};

/** A size from "LAYERSxWIDTHxHEADSxFFN" (experiments, tests), else the shipped shape. */
export function policyTinySized(size: string | undefined, maxLen = POLICY_TINY.maxLen): PolicyTinyConfig {
  if (!size) return { ...POLICY_TINY, maxLen };
  const m = /^(\d+)x(\d+)x(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`size "${size}" must look like LAYERSxWIDTHxHEADSxFFN, e.g. 4x256x4x1024`);
  const [nLayers, dModel, nHeads, dFF] = m.slice(1).map(Number) as [number, number, number, number];
  const c: PolicyTinyConfig = { ...POLICY_TINY, name: `policy-tiny-${size}`, nLayers, dModel, nHeads, dFF, maxLen };
  checkConfig(c, 'size');
  return c;
}

/** Validates a config (e.g. read from config.json), listing every problem. */
export function checkConfig(c: PolicyTinyConfig, source: string): void {
  const problems: string[] = [];
  for (const k of ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'dFF', 'maxLen'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) problems.push(`${k} must be a positive integer, got ${String(c[k])}`);
  }
  if (c.dModel % c.nHeads !== 0) problems.push(`dModel ${c.dModel} is not divisible by nHeads ${c.nHeads}`);
  if (c.vocabSize !== VOCAB_SIZE) problems.push(`vocabSize must be UME's ${VOCAB_SIZE}, got ${c.vocabSize}`);
  if (c.positions !== 'learned') problems.push(`positions must be "learned", got ${JSON.stringify(c.positions)}`);
  if (!(c.normEps > 0)) problems.push(`normEps must be > 0, got ${String(c.normEps)}`);
  if (problems.length) throw new Error(`${source}: not a valid policy-tiny config:\n  - ${problems.join('\n  - ')}`);
}
