// `ume-studio generate` through the CLI's main(): a Hugging Face folder (random tiny Qwen2 chat
// model, chat-model.ts) with --prompt and --messages, greedy and seeded sampling, --json's ids
// and log-probs checked against the policy itself; policy-tiny; usage errors exit 2.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import { HfPolicy } from '../../server/src/engine/policy/hf';
import { policyTinyDirs } from '../../server/src/engine/policy/tiny';
import { makeChatModel } from './chat-model';
import { torchMissing } from './reference';

const skip = torchMissing();
const root = mkdtempSync(join(tmpdir(), 'hf-cli-'));
const dir = join(root, 'chat');
before(() => {
  if (!skip) makeChatModel(dir);
});
after(() => rmSync(root, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['generate', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface JsonOut {
  prompt_ids: number[];
  completion_ids: number[];
  logprobs: number[];
  text: string;
  finish: string;
}

test('--messages --greedy --json: ids, text and model log-probs as the policy computes them', { skip }, async () => {
  const messages = JSON.stringify([{ role: 'user', content: 'Write a SMILES for ethanol.' }]);
  const r = await cli('--policy', dir, '--messages', messages, '--greedy', '--max-new-tokens', '12', '--json', '--threads', '2');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as JsonOut;
  const p = await HfPolicy.load(dir, { threads: 2 });
  try {
    assert.deepEqual(j.prompt_ids, p.tokenizePrompt(JSON.parse(messages) as Array<{ role: string; content: string }>));
    const [lp] = await p.logprobs([{ promptIds: j.prompt_ids, completionIds: j.completion_ids }], 1);
    assert.equal(j.logprobs.length, j.completion_ids.length);
    j.logprobs.forEach((x, i) => assert.ok(Math.abs(x - lp!.logps[i]!) < 1e-6));
    assert.equal(j.text, p.decodeCompletion(j.prompt_ids, j.completion_ids));
    // Greedy: every chosen token is the argmax, so its log-prob is the row's largest.
    for (const x of j.logprobs) assert.ok(x > -Math.log(p.config.vocabSize));
    assert.ok(j.finish === 'stop' || j.completion_ids.length === 12);
  } finally {
    await p.release();
  }
  // @file gives the same.
  const file = join(root, 'messages.json');
  writeFileSync(file, messages);
  const r2 = await cli('--policy', dir, '--messages', `@${file}`, '--greedy', '--max-new-tokens', '12', '--json');
  assert.deepEqual(JSON.parse(r2.out), j);
});

test('--prompt with sampling: the seed decides, plain output is the completion text', { skip }, async () => {
  const args = ['--policy', dir, '--prompt', 'CC(=O)O is', '--temperature', '1.2', '--top-k', '50', '--top-p', '0.95', '--max-new-tokens', '16'];
  const a = await cli(...args, '--seed', '3', '--json');
  const b = await cli(...args, '--seed', '3', '--json');
  const c = await cli(...args, '--seed', '4', '--json');
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  assert.notEqual(a.out, c.out);
  const plain = await cli(...args, '--seed', '3');
  assert.equal(plain.out, (JSON.parse(a.out) as JsonOut).text);
});

test('policy-tiny: the embedded model writes a tagged sequence', { skip: existsSync(join(policyTinyDirs()[0]!, 'config.json')) ? false : 'the shipped policy-tiny folder is not built yet' }, async () => {
  const r = await cli('--policy', 'policy-tiny', '--prompt', '<smiles>', '--seed', '1', '--max-new-tokens', '40', '--json', '--threads', '2');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as JsonOut;
  assert.match(j.text, /^<smiles>/);
  assert.equal(j.logprobs.length, j.completion_ids.length);
});

/** A folder holding only a run's config.json (docs/run-format.md). */
function runDir(): string {
  const d = join(root, 'a-run');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'config.json'), JSON.stringify({ format: 'ume-studio-run', version: 1, config: { policy: dir } }));
  return d;
}

test('usage errors exit 2 and say what to do', { skip }, async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--prompt', 'hi'], /--policy DIR\|policy-tiny is required/],
    [['--policy', dir], /exactly one of --prompt TEXT and --messages JSON/],
    [['--policy', dir, '--prompt', 'a', '--messages', '[]'], /exactly one of/],
    [['--policy', dir, '--messages', '{"role": "user"}'], /non-empty JSON list/],
    [['--policy', dir, '--messages', '[{"role": "user"}]'], /--messages\[0\] must be/],
    [['--policy', dir, '--prompt', 'a', '--greedy', '--temperature', '0.5'], /--greedy takes no/],
    [['--policy', dir, '--prompt', 'a', '--temperature', '0'], /--temperature must be > 0/],
    [['--policy', dir, '--prompt', 'a', '--top-p', '1.5'], /--top-p must be in \(0, 1\]/],
    [['--policy', dir, '--prompt', 'a', '--max-new-tokens', '1000'], /exceeds this model's 256 positions/],
    [['--policy', join(root, 'missing'), '--prompt', 'a'], /not a model folder \(no config\.json\)/],
    [['--policy', dir, '--prompt', 'a', '--bogus'], /Unknown option '--bogus'/],
    [['--policy', runDir(), '--prompt', 'a'], /is a training run folder, not a model folder; score what it trained with `ume-studio train --eval-only --policy/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.err}`);
    assert.match(r.err, re, args.join(' '));
  }
});
