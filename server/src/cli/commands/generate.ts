// `ume-studio generate --policy DIR|policy-tiny --prompt TEXT|--messages JSON`: one completion from
// a policy (the shipped policy-tiny, a policy-tiny folder or a Hugging Face model folder) through
// the same sampler GRPO training uses. Prints the completion, or with --json its ids and the
// per-token log-probs of the chosen tokens under the model.

import { readFile } from 'node:fs/promises';
import { loadPolicy } from '../../engine/policy/hf/resolve';
import { HfPolicy } from '../../engine/policy/hf/policy';
import type { Policy, PromptInput, SamplingOptions } from '../../engine/policy/types';
import { DEVICES, type Device } from '../../engine/onnx/runtime';
import { Rng } from '../../engine/train/rng';
import { choiceOption, intOption, numberOption, parse } from '../args';
import { ExitCode, UsageError, type CliIO, type Subcommand } from '../registry';

const NAME = 'generate';
const DEFAULT_MAX_NEW_TOKENS = 128;

const HELP = `Usage: ume-studio generate --policy DIR|policy-tiny (--prompt TEXT | --messages JSON) [options]

Generates one completion with a policy: "policy-tiny" (the embedded model; its prompt names a
modality, e.g. "<smiles>"), a policy-tiny folder, or a Hugging Face model folder (config.json,
model.safetensors or a sharded index, tokenizer.json; Llama/SmolLM, Mistral, Qwen2, Qwen3, GPT-2).

Options:
  --policy DIR|policy-tiny   the model (required)
  --prompt TEXT              a plain-text prompt (tokenized as is, as TRL does)
  --messages JSON            chat messages, [{"role": "user", "content": "..."}], rendered by the
                             folder's chat template with the generation prompt; @FILE reads a file
  --max-new-tokens N         most tokens to generate. Default: generation_config.json's
                             max_new_tokens, else ${DEFAULT_MAX_NEW_TOKENS}
  --greedy                   argmax decoding (no sampling flags with it)
  --temperature T            sampling temperature (> 0). Default: generation_config.json's, else 1
  --top-p P                  nucleus sampling, 0 < P <= 1. Default: generation_config.json's, else 1 (off)
  --top-k K                  keep the K likeliest tokens (0 = off). Default: generation_config.json's, else 0
  --seed S                   seed of the sampler's draws. Default: 0
  --device DEVICE            ${DEVICES.join(' | ')}. Default: cpu
  --threads N                ONNX Runtime threads. Default: all cores
  --json                     print {"prompt_ids", "completion_ids", "logprobs", "text", "finish"};
                             logprobs are log p(token | prefix) under the model (temperature 1:
                             no sampling transform applied), one per completion id
  -h, --help                 show this help

Without sampling flags a folder whose generation_config.json has do_sample false decodes greedily.

Exit status: 0 done, 2 bad arguments or model folder, 3 internal error.`;

async function readMessages(value: string): Promise<PromptInput> {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = await readFile(value.slice(1), 'utf8');
    } catch (e) {
      throw new UsageError(`${NAME}: cannot read --messages file "${value.slice(1)}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${NAME}: --messages is not valid JSON: ${(e as Error).message}.`);
  }
  if (!Array.isArray(json) || json.length === 0) throw new UsageError(`${NAME}: --messages must be a non-empty JSON list of {"role", "content"} objects.`);
  json.forEach((m: unknown, i) => {
    const o = m as Record<string, unknown> | null;
    if (!o || typeof o['role'] !== 'string' || typeof o['content'] !== 'string') throw new UsageError(`${NAME}: --messages[${i}] must be {"role": string, "content": string}, got ${JSON.stringify(m)}.`);
  });
  return json as PromptInput;
}

type Flags = Partial<Record<'temperature' | 'top-p' | 'top-k' | 'max-new-tokens', string>> & { greedy?: boolean };

interface SamplingFlags {
  greedy: boolean;
  temperature: number | undefined;
  topP: number | undefined;
  topK: number | undefined;
  maxNewTokens: number | undefined;
}

/** The sampling flags, checked (before the model loads, so a typo fails at once). */
function samplingFlags(flags: Flags): SamplingFlags {
  const temperature = numberOption(NAME, 'temperature', flags.temperature, 0);
  if (temperature !== undefined && temperature <= 0) throw new UsageError(`${NAME}: --temperature must be > 0 (use --greedy for argmax), got ${temperature}.`);
  const topP = numberOption(NAME, 'top-p', flags['top-p'], 0);
  if (topP !== undefined && (topP <= 0 || topP > 1)) throw new UsageError(`${NAME}: --top-p must be in (0, 1], got ${topP}.`);
  const topK = intOption(NAME, 'top-k', flags['top-k'], 0);
  const greedy = flags.greedy === true;
  if (greedy && (temperature !== undefined || topP !== undefined || topK !== undefined)) throw new UsageError(`${NAME}: --greedy takes no --temperature, --top-p or --top-k.`);
  return { greedy, temperature, topP, topK, maxNewTokens: intOption(NAME, 'max-new-tokens', flags['max-new-tokens'], 1) };
}

/** The flags, falling back to the folder's generation_config.json. */
function samplingFor(policy: Policy, f: SamplingFlags): SamplingOptions {
  const gen = policy instanceof HfPolicy ? policy.generationDefaults : null;
  const maxNewTokens = f.maxNewTokens ?? gen?.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  const sampled = f.temperature !== undefined || f.topP !== undefined || f.topK !== undefined;
  if (f.greedy || (!sampled && gen?.doSample === false)) return { maxNewTokens, greedy: true };
  return {
    maxNewTokens,
    temperature: f.temperature ?? gen?.temperature ?? 1,
    topP: f.topP ?? gen?.topP ?? 1,
    topK: f.topK ?? gen?.topK ?? 0,
    ...(gen?.repetitionPenalty ? { repetitionPenalty: gen.repetitionPenalty } : {}),
  };
}

async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP);
    return ExitCode.ok;
  }
  const { values, positionals } = parse(NAME, args, {
    policy: { type: 'string' },
    prompt: { type: 'string' },
    messages: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    greedy: { type: 'boolean' },
    temperature: { type: 'string' },
    'top-p': { type: 'string' },
    'top-k': { type: 'string' },
    seed: { type: 'string' },
    device: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length) throw new UsageError(`${NAME}: unexpected argument "${positionals[0]}"; give the prompt with --prompt or --messages.`);
  if (!values.policy) throw new UsageError(`${NAME}: --policy DIR|policy-tiny is required.`);
  if ((values.prompt === undefined) === (values.messages === undefined)) throw new UsageError(`${NAME}: give exactly one of --prompt TEXT and --messages JSON.`);
  const prompt: PromptInput = values.prompt ?? (await readMessages(values.messages!));
  const seed = intOption(NAME, 'seed', values.seed, 0) ?? 0;
  const threads = intOption(NAME, 'threads', values.threads, 1);
  const device = choiceOption<Device>(NAME, 'device', values.device, DEVICES) ?? 'cpu';
  const flags = samplingFlags(values);

  let policy: Policy;
  try {
    policy = await loadPolicy(values.policy, { device, ...(threads ? { threads } : {}) });
  } catch (e) {
    throw new UsageError(`${NAME}: --policy ${values.policy}: ${(e as Error).message}`);
  }
  try {
    const sampling = samplingFor(policy, flags);
    let ids: number[];
    try {
      ids = policy.tokenizePrompt(prompt);
    } catch (e) {
      throw new UsageError(`${NAME}: ${(e as Error).message}`);
    }
    let completion;
    try {
      [completion] = await policy.sample([ids], sampling, new Rng(seed));
    } catch (e) {
      if (/exceeds|positions/.test((e as Error).message)) throw new UsageError(`${NAME}: ${(e as Error).message}`);
      throw e;
    }
    const c = completion!;
    if (!values.json) {
      io.out(c.text);
      return ExitCode.ok;
    }
    const [lp] = await policy.logprobs([{ promptIds: c.promptIds, completionIds: c.ids }], 1);
    io.out(JSON.stringify({ prompt_ids: c.promptIds, completion_ids: c.ids, logprobs: Array.from(lp!.logps), text: c.text, finish: c.finish }));
    return ExitCode.ok;
  } finally {
    await policy.release();
  }
}

export const generateCommand: Subcommand = {
  name: NAME,
  summary: 'generate a completion with policy-tiny or a Hugging Face model folder',
  help: HELP,
  run,
};
