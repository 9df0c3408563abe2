// The JSON manifest saved beside a checkpoint's tensors: everything needed to resume exactly
// (step, optimizer and schedule settings, RNG state, data position) and to recognise a complete
// checkpoint (it is written last, and records the size of each tensor file).

export const MANIFEST_FORMAT = 'ume-studio-checkpoint';
export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

export interface ManifestFile {
  file: string;
  bytes: number;
  tensors: number;
}

export interface CheckpointManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  /** Completed optimizer steps. */
  step: number;
  /** The model config (free-form JSON owned by the model). */
  config: unknown;
  optimizer?: { name: string; hyperparameters: Record<string, unknown> };
  schedule?: unknown;
  /** RNG state(s), e.g. Rng.state() or a record of named states. */
  rng?: unknown;
  /** Position in the data stream (epoch, index, shuffle seed...). */
  data?: unknown;
  files: { model: ManifestFile; optimizer?: ManifestFile };
  createdAt: string;
  extra?: Record<string, unknown>;
}

/** Parses and validates a manifest, naming the field that is wrong. */
export function parseManifest(text: string, source: string): CheckpointManifest {
  let m: Partial<CheckpointManifest>;
  try {
    m = JSON.parse(text) as Partial<CheckpointManifest>;
  } catch (e) {
    throw new Error(`${source}: manifest is not valid JSON (${(e as Error).message}); the checkpoint is damaged, use an earlier one`, { cause: e });
  }
  const bad = (what: string): never => {
    throw new Error(`${source}: invalid checkpoint manifest: ${what}`);
  };
  if (typeof m !== 'object' || m === null) bad('not a JSON object');
  if (m.format !== MANIFEST_FORMAT) bad(`format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  if (typeof m.version !== 'number' || m.version > MANIFEST_VERSION) {
    bad(`version ${JSON.stringify(m.version)} is not supported (this build reads up to ${MANIFEST_VERSION}); update UME Studio`);
  }
  if (!Number.isInteger(m.step) || (m.step as number) < 0) bad('step must be an integer >= 0');
  if (!m.files?.model || typeof m.files.model.file !== 'string' || typeof m.files.model.bytes !== 'number') bad('files.model is missing');
  return m as CheckpointManifest;
}
