// A model folder's tokenizer: tokenizer.json through @huggingface/tokenizers (pure JavaScript, the
// tokenizer of transformers.js: it bundles with esbuild on every platform, where the native
// `tokenizers` bindings would need a binary per platform; the tests check its ids against those
// bindings, i.e. the Rust implementation), special tokens from tokenizer_config.json, and the chat
// template (tokenizer_config.json "chat_template" or chat_template.jinja) through @huggingface/jinja.
//
// Prompts are tokenized as TRL's GRPOTrainer does: chat messages are rendered with
// add_generation_prompt and tokenized without adding special tokens (the template writes them);
// plain-text prompts are also tokenized with add_special_tokens=False. Completions decode with
// skip_special_tokens=True.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

export type ChatMessage = { role: string; content: string };

type Json = Record<string, unknown>;

/** A special token as tokenizer_config.json writes it: a string or an AddedToken dict. */
function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json)['content'] === 'string') return (v as Json)['content'] as string;
  return null;
}

async function readJson(path: string): Promise<Json | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Json;
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

function pickTemplate(raw: unknown, source: string): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string') return raw;
  // Older configs list named templates: [{name: "default", template: "..."}, {name: "tool_use", ...}].
  if (Array.isArray(raw)) {
    const named = raw as Array<{ name?: string; template?: string }>;
    const t = named.find((x) => x.name === 'default') ?? named[0];
    if (typeof t?.template === 'string') return t.template;
  }
  throw new Error(`${source}: "chat_template" must be a string or a list of {name, template}`);
}

export interface SpecialTokens {
  bos: string | null;
  eos: string | null;
  pad: string | null;
  unk: string | null;
}

export class HfTokenizer {
  private readonly template: Template | null;

  private constructor(
    private readonly tok: Tokenizer,
    readonly special: SpecialTokens,
    readonly chatTemplate: string | null,
    private readonly dir: string,
  ) {
    try {
      this.template = chatTemplate === null ? null : new Template(chatTemplate);
    } catch (e) {
      throw new Error(`${dir}: the chat template does not parse: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The folder's tokenizer, or null when it has no tokenizer.json. */
  static async load(dir: string): Promise<HfTokenizer | null> {
    const json = await readJson(join(dir, TOKENIZER_FILE));
    if (!json) return null;
    const config = (await readJson(join(dir, TOKENIZER_CONFIG_FILE))) ?? {};
    let template = pickTemplate(config['chat_template'], join(dir, TOKENIZER_CONFIG_FILE));
    if (template === null) template = await readFile(join(dir, CHAT_TEMPLATE_FILE), 'utf8').catch(() => null);
    let tok: Tokenizer;
    try {
      tok = new Tokenizer(json, config);
    } catch (e) {
      throw new Error(`${join(dir, TOKENIZER_FILE)} could not be read as a tokenizer: ${(e as Error).message}`, { cause: e });
    }
    const special: SpecialTokens = { bos: tokenText(config['bos_token']), eos: tokenText(config['eos_token']), pad: tokenText(config['pad_token']), unk: tokenText(config['unk_token']) };
    return new HfTokenizer(tok, special, template, dir);
  }

  get hasChatTemplate(): boolean {
    return this.template !== null;
  }

  /** Token ids of `text`; special tokens (BOS, EOS) are added only when asked, per the tokenizer's post-processor. */
  encode(text: string, addSpecialTokens = false): number[] {
    return this.tok.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  decode(ids: readonly number[], skipSpecialTokens = true): string {
    // @huggingface/tokenizers throws on an empty list; an empty completion is an empty string.
    if (ids.length === 0) return '';
    return this.tok.decode([...ids], { skip_special_tokens: skipSpecialTokens });
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  /** The chat rendered by the template, ending with the assistant's turn opener when addGenerationPrompt. */
  renderChat(messages: readonly ChatMessage[], addGenerationPrompt = true): string {
    if (!this.template) throw new Error(`${this.dir} has no chat template (tokenizer_config.json "chat_template" or ${CHAT_TEMPLATE_FILE}); give the prompt as plain text instead of chat messages`);
    for (const [i, m] of messages.entries()) {
      if (typeof m?.role !== 'string' || typeof m.content !== 'string') throw new Error(`chat message ${i} must be {role: string, content: string}, got ${JSON.stringify(m)}`);
    }
    return this.template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: addGenerationPrompt,
      bos_token: this.special.bos ?? '',
      eos_token: this.special.eos ?? '',
      pad_token: this.special.pad ?? '',
      unk_token: this.special.unk ?? '',
    });
  }

  /** Ids of a chat (rendered with the generation prompt, tokenized without extra special tokens). */
  encodeChat(messages: readonly ChatMessage[]): number[] {
    return this.encode(this.renderChat(messages, true), false);
  }

  /** Ids of the special tokens named in tokenizer_config.json that exist in the vocabulary. */
  specialId(which: keyof SpecialTokens): number | null {
    const t = this.special[which];
    return t === null ? null : (this.tok.token_to_id(t) ?? null);
  }
}
