// The UME model inside the language server: resolved from the settings (modelPath, device), loaded
// lazily once and kept for the server's life; a different path or device (or a changed weights
// file) loads the new model and releases the old one. Loading and session creation happen in a
// warm-up after the first document opens, so the first hover rarely pays for them.
// Failures are remembered briefly (a hover storm must not re-read a bad file each time) and said
// in words: what was looked for and what to do.

import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveModel } from '../../engine/reward/model-path';
import type { Device } from '../../engine/onnx/runtime/providers';
import { UmeScorer } from '../../engine/ume/scorer';

export interface ModelSpec {
  /** The weights file. */
  path: string;
  /** Name shown to the user (ume-tiny, or the file name). */
  name: string;
  device: Device;
  /** path + device: a different key means a different loaded model. */
  key: string;
}

export interface LoadedModel {
  spec: ModelSpec;
  scorer: UmeScorer;
  /** Execution provider actually used. */
  provider: string;
  /** Identifies these weights in score caches: path, size and modification time. */
  id: string;
  loadMs: number;
}

/** How long a failed load is answered from memory before the file is tried again. */
const FAILURE_TTL_MS = 5000;

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

/**
 * Resolves the modelPath setting: "" is the embedded default; "~/" is the home folder; a relative
 * path is taken from the document's workspace folder (or the document's folder).
 */
export function resolveModelSpec(modelPath: string, device: Device, documentUri?: string, workspaceFolders: readonly string[] = []): ModelSpec {
  let given: string | undefined;
  if (modelPath !== '') {
    given = modelPath;
    if (given === '~' || given.startsWith('~/')) given = join(homedir(), given.slice(1));
    else if (!isAbsolute(given)) {
      const docPath = documentUri?.startsWith('file:') ? fileURLToPath(documentUri) : undefined;
      const folder = workspaceFolders.find((f) => docPath?.startsWith(f + '/')) ?? workspaceFolders[0] ?? (docPath ? dirname(docPath) : process.cwd());
      given = join(folder, given);
    }
  }
  let resolved;
  try {
    resolved = resolveModel(given);
  } catch (e) {
    const setting = modelPath === '' ? '' : ` (umeStudio.scoring.modelPath = "${modelPath}")`;
    throw new ModelLoadError(`${(e as Error).message}${setting}`.replace(/--model (PATH|FILE)/g, 'umeStudio.scoring.modelPath'));
  }
  return { path: resolved.path, name: resolved.name, device, key: `${resolved.path}\u0000${device}` };
}

export class ModelHolder {
  private current: { key: string; mtime: number; loaded: Promise<LoadedModel> } | undefined;
  private failure: { key: string; at: number; error: Error } | undefined;

  constructor(
    private readonly log: { info(m: string): void; error(m: string): void },
    private readonly options: { threads?: number; maxLength?: number } = {},
  ) {}

  /** The model for `spec`, loading (or reloading) it when needed. */
  async get(spec: ModelSpec): Promise<LoadedModel> {
    const f = this.failure;
    if (f && f.key === spec.key && Date.now() - f.at < FAILURE_TTL_MS) throw f.error;
    const info = await stat(spec.path).catch(() => undefined);
    const mtime = info?.mtimeMs ?? -1;
    const cur = this.current;
    if (cur && cur.key === spec.key && cur.mtime === mtime) return cur.loaded;
    if (cur) void cur.loaded.then((m) => m.scorer.release()).catch(() => undefined);
    const loaded = this.load(spec, mtime, info?.size ?? -1);
    this.current = { key: spec.key, mtime, loaded };
    try {
      const m = await loaded;
      if (this.failure?.key === spec.key) this.failure = undefined;
      return m;
    } catch (e) {
      if (this.current?.loaded === loaded) this.current = undefined;
      const error = e instanceof Error ? e : new Error(String(e));
      this.failure = { key: spec.key, at: Date.now(), error };
      throw error;
    }
  }

  private async load(spec: ModelSpec, mtime: number, size: number): Promise<LoadedModel> {
    const started = performance.now();
    let scorer: UmeScorer;
    try {
      scorer = await UmeScorer.fromFile(spec.path, {
        device: spec.device,
        name: spec.name,
        ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
        ...(this.options.maxLength !== undefined ? { maxLength: this.options.maxLength } : {}),
      });
    } catch (e) {
      throw new ModelLoadError(`cannot load UME weights from ${spec.path}: ${(e as Error).message}`);
    }
    let provider: string;
    try {
      // Creates the scoring session now, not in the first hover.
      provider = (await scorer.provider()).provider;
    } catch (e) {
      await scorer.release().catch(() => undefined);
      throw new ModelLoadError(`cannot start UME model ${spec.name} on device "${spec.device}": ${(e as Error).message}`);
    }
    const loadMs = performance.now() - started;
    this.log.info(`UME model ${spec.name} loaded from ${spec.path} on ${provider} in ${loadMs.toFixed(0)} ms.`);
    return { spec, scorer, provider, id: `${spec.path}\u0000${size}\u0000${mtime}`, loadMs };
  }

  async dispose(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (cur) await cur.loaded.then((m) => m.scorer.release()).catch(() => undefined);
  }
}
