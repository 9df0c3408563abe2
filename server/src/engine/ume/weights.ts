// UME weights: lobster's parameter names <-> our graph's parameters, safetensors loading with
// validation, and saving in the same format (our own models use lobster's names too, so a file we
// write loads into lobster's `Ume` with `load_state_dict`).
//
// lobster's `Ume` LightningModule holds `model = FlexBERT`, which holds `model = FlexBertModel` and
// `decoder = Sequential(FlexBertPredictionHead, Linear)`; its state_dict names are therefore
//   model.model.embeddings.tok_embeddings.weight          [vocab, H]   (nn.Embedding)
//   model.model.embeddings.norm.weight                    [H]
//   model.model.encoder.layers.{i}.attn_norm.weight       [H]
//   model.model.encoder.layers.{i}.attn.Wqkv.weight       [3H, H]      (q | k | v, each heads x head_dim)
//   model.model.encoder.layers.{i}.attn.Wo.weight         [H, H]
//   model.model.encoder.layers.{i}.mlp_norm.weight        [H]
//   model.model.encoder.layers.{i}.mlp.Wi.weight          [FFN, H]
//   model.model.encoder.layers.{i}.mlp.Wo.weight          [H, FFN]
//   model.decoder.0.dense.weight                          [H, H]
//   model.decoder.0.norm.weight                           [H]
//   model.decoder.1.weight                                [vocab, H]
//   model.decoder.1.bias                                  [vocab]
// torch.nn.Linear stores [out, in]; our graph multiplies x @ W with W [in, out], so every Linear
// weight is transposed once at load (and back at save). Embeddings and norms keep their layout.

import { readFile } from 'node:fs/promises';
import type { TensorData } from '../onnx/ir';
import { nodeFs, writeFileAtomic } from '../checkpoint/atomic';
import { decodeSafetensors, encodeSafetensors } from '../checkpoint/safetensors';
import { compareTensors, type TensorSpec } from '../checkpoint/verify';
import { bertParamSpecs } from '../models/bert';
import type { StoredParam } from '../models/params';
import { ParameterSet } from '../train/params';
import { publishedSizeForHidden, UME_SIZES, validateConfig, type UmeConfig } from './config';
import { bertConfigOf } from './encoder';

/** Where lobster keeps the encoder and the MLM head inside a `Ume` checkpoint. */
export const LOBSTER_ENCODER_PREFIX = 'model.model.';
export const LOBSTER_HEAD_PREFIX = 'model.decoder.';

/** safetensors metadata keys we write (and read when present). */
export const META_FORMAT = 'ume-studio-ume-weights';
const META_KEY_FORMAT = 'format';
const META_KEY_CONFIG = 'ume_config';

interface NameMap {
  /** Our graph's parameter name (models/bert.ts names, [in, out] layout). */
  internal: string;
  /** lobster's full state_dict name. */
  lobster: string;
  /** True for torch Linear weights (stored [out, in]). */
  transpose: boolean;
}

/** The full name table for a config, in lobster's module order. */
export function lobsterNameMap(c: UmeConfig): NameMap[] {
  const enc = (n: string, transpose = false): NameMap => ({ internal: n, lobster: LOBSTER_ENCODER_PREFIX + n, transpose });
  const out: NameMap[] = [enc('embeddings.tok_embeddings.weight'), enc('embeddings.norm.weight')];
  for (let i = 0; i < c.numLayers; i++) {
    const l = `encoder.layers.${i}`;
    out.push(
      enc(`${l}.attn_norm.weight`),
      enc(`${l}.attn.Wqkv.weight`, true),
      enc(`${l}.attn.Wo.weight`, true),
      enc(`${l}.mlp_norm.weight`),
      enc(`${l}.mlp.Wi.weight`, true),
      enc(`${l}.mlp.Wo.weight`, true),
    );
  }
  out.push(
    { internal: 'head.dense.weight', lobster: `${LOBSTER_HEAD_PREFIX}0.dense.weight`, transpose: true },
    { internal: 'head.norm.weight', lobster: `${LOBSTER_HEAD_PREFIX}0.norm.weight`, transpose: false },
    { internal: 'decoder.weight', lobster: `${LOBSTER_HEAD_PREFIX}1.weight`, transpose: true },
    { internal: 'decoder.bias', lobster: `${LOBSTER_HEAD_PREFIX}1.bias`, transpose: false },
  );
  return out;
}

/** What lobster's file must hold for a config: names and torch-layout float32 shapes. */
export function lobsterTensorSpecs(c: UmeConfig): TensorSpec[] {
  const internal = new Map(bertParamSpecs(bertConfigOf(c)).map((s) => [s.name, s.shape]));
  return lobsterNameMap(c).map((m) => {
    const shape = internal.get(m.internal)!;
    return { name: m.lobster, dtype: 'float32', shape: m.transpose ? [shape[1]!, shape[0]!] : [...shape] };
  });
}

// ---- Name normalization: the prefixes different savers put in front of the same tensors ----

/** Wrapper prefixes seen in front of lobster's names (Lightning, DDP, torch.compile, our own). */
const WRAPPER_PREFIXES = ['state_dict.', 'module.', '_orig_mod.', 'model.'];

/** HuggingFace ModernBERT-style head names, accepted as aliases of lobster's Sequential indices. */
const HEAD_ALIASES: Record<string, string> = {
  'head.dense.weight': 'decoder.0.dense.weight',
  'head.norm.weight': 'decoder.0.norm.weight',
  'decoder.weight': 'decoder.1.weight',
  'decoder.bias': 'decoder.1.bias',
};

/**
 * Maps a name from any accepted saver to lobster's canonical `Ume` name, or undefined when it is not
 * a UME parameter. Accepted: `Ume` (model.model.*, model.decoder.*), `FlexBERT` (model.*, decoder.*),
 * `FlexBertModel` (embeddings.*, encoder.*), with `module.` / `_orig_mod.` / `state_dict.` wrappers.
 */
export function canonicalLobsterName(name: string): string | undefined {
  let rest = name;
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of WRAPPER_PREFIXES) {
      if (rest.startsWith(p) && rest.length > p.length) {
        rest = rest.slice(p.length);
        changed = true;
      }
    }
  }
  rest = HEAD_ALIASES[rest] ?? rest;
  if (/^embeddings\.(tok_embeddings|norm)\.weight$/.test(rest) || /^encoder\.layers\.\d+\.(attn_norm|mlp_norm|attn\.Wqkv|attn\.Wo|mlp\.Wi|mlp\.Wo)\.weight$/.test(rest)) {
    return LOBSTER_ENCODER_PREFIX + rest;
  }
  if (/^decoder\.0\.(dense|norm)\.weight$/.test(rest) || /^decoder\.1\.(weight|bias)$/.test(rest)) return 'model.' + rest;
  return undefined;
}

// ---- dtype conversion ----

/** IEEE half bits -> float32 (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

let halfValues: Float32Array | undefined;
/** Every half's float32 value, built once: a 5M-weight F16 file decodes by table in 20-75 ms (measured), by halfToFloat in ~450. */
function halfTable(): Float32Array {
  if (!halfValues) {
    halfValues = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) halfValues[h] = halfToFloat(h);
  }
  return halfValues;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/**
 * float32 -> IEEE half bits, rounded to nearest with ties to even (as numpy's astype(float16) and
 * torch's .half() round), so a weight file we store in F16 holds the same values those would.
 * Values beyond the half range become +-Infinity; the saver refuses them.
 */
export function floatToHalf(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: frac = 1.mant * 2^(e + 9), i.e. the 24-bit significand shifted right by 14 - e.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  // A carry out of the fraction moves into the exponent, which is the correct rounding (up to Infinity).
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** F32 as is; BF16 was already widened by the reader; F16 and F64 are converted here. */
function toFloat32(t: TensorData, name: string): TensorData {
  if (t.dtype === 'float32') return t;
  if (t.dtype === 'float16') {
    const src = t.data as Uint16Array;
    const out = new Float32Array(src.length);
    const table = halfTable();
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]!]!;
    return { dtype: 'float32', shape: [...t.shape], data: out };
  }
  if (t.dtype === 'float64') return { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(t.data as Float64Array) };
  throw new Error(`UME weight "${name}" is ${t.dtype}; weights must be floating point (F32, BF16, F16 or F64)`);
}

export function transpose2d(t: TensorData): TensorData {
  const [r, c] = t.shape as [number, number];
  const src = t.data as Float32Array;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j]!;
  return { dtype: 'float32', shape: [c, r], data: out };
}

// ---- Loading ----

export class UmeWeightsError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
    advice: string,
  ) {
    super(`${source} does not hold UME weights that fit the model (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}\n${advice}`);
    this.name = 'UmeWeightsError';
  }
}

export interface LoadedUmeWeights {
  config: UmeConfig;
  /** Our graph's parameters (models/bert.ts names, [in, out] layout, float32); from a file, converted on first use. */
  readonly params: ParameterSet;
  /**
   * From a file: each parameter under our name as the file stores it (F16 or F32, torch layout),
   * for inference graphs that let ORT convert it (models/params.ts storedInitializers).
   */
  stored?: ReadonlyMap<string, StoredParam>;
  /** How the file was read: storage dtypes seen and names that were mapped from a variant. */
  report: { storedDtypes: string[]; renamed: number; source: string; metadata: Record<string, string> };
}

export interface LoadOptions {
  /** The model config; inferred from metadata or tensor shapes when omitted. */
  config?: UmeConfig;
  /** Ignore tensors that are not UME parameters (e.g. optimizer state or extra heads). Default false. */
  allowUnexpected?: boolean;
  source?: string;
}

/** Infers the config from our metadata, else from shapes (heads from the published size of that width). */
export function inferConfig(found: Map<string, TensorData>, metadata: Record<string, string>, source: string): UmeConfig {
  const meta = metadata[META_KEY_CONFIG];
  if (meta !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(meta);
    } catch (e) {
      throw new Error(`${source}: metadata "${META_KEY_CONFIG}" is not JSON (${(e as Error).message}); re-save the weights or pass the config explicitly`, { cause: e });
    }
    // A known size's defaults (e.g. ume-tiny's trained max length) fill what the metadata leaves out.
    const named = (parsed as Partial<UmeConfig>).name;
    const known = named !== undefined && named in UME_SIZES ? UME_SIZES[named as keyof typeof UME_SIZES] : UME_SIZES['ume-mini'];
    const c: UmeConfig = { ...known, ...(parsed as Partial<UmeConfig>) };
    validateConfig(c);
    return c;
  }
  const emb = found.get(`${LOBSTER_ENCODER_PREFIX}embeddings.tok_embeddings.weight`);
  const wi = found.get(`${LOBSTER_ENCODER_PREFIX}encoder.layers.0.mlp.Wi.weight`);
  if (!emb || emb.shape.length !== 2 || !wi || wi.shape.length !== 2) {
    throw new UmeWeightsError(source, [`cannot infer the model size: "${LOBSTER_ENCODER_PREFIX}embeddings.tok_embeddings.weight" or "${LOBSTER_ENCODER_PREFIX}encoder.layers.0.mlp.Wi.weight" is missing`], 'Is this a UME (lobster FlexBERT) checkpoint? See docs/ume-weights.md for the expected names.');
  }
  const hidden = emb.shape[1]!;
  let layers = 0;
  for (const name of found.keys()) {
    const m = /encoder\.layers\.(\d+)\./.exec(name);
    if (m) layers = Math.max(layers, Number(m[1]) + 1);
  }
  const size = publishedSizeForHidden(hidden);
  if (!size) {
    throw new Error(`${source}: hidden size ${hidden} is not one of the published UME sizes, so the number of attention heads is unknown; pass a config with numHeads`);
  }
  const c: UmeConfig = { ...UME_SIZES[size], name: layers === UME_SIZES[size].numLayers ? size : `${size}-${layers}l`, numLayers: layers, intermediateSize: wi.shape[0]!, vocabSize: emb.shape[0]! };
  validateConfig(c);
  return c;
}

/** Validates lobster-named tensors against a config and converts them into our graph's parameters. */
export function umeWeightsFromTensors(tensors: Map<string, TensorData & { storedDtype?: string }>, metadata: Record<string, string> = {}, options: LoadOptions = {}): LoadedUmeWeights {
  const source = options.source ?? 'the weights';
  const found = new Map<string, TensorData & { storedDtype?: string }>();
  const unexpected: string[] = [];
  const problems: string[] = [];
  let renamed = 0;
  const firstName = new Map<string, string>();
  for (const [name, t] of tensors) {
    const canon = canonicalLobsterName(name);
    if (!canon) {
      unexpected.push(name);
      continue;
    }
    const prev = firstName.get(canon);
    if (prev !== undefined) {
      problems.push(`"${name}" and "${prev}" both map to "${canon}"; keep one of them`);
      continue;
    }
    firstName.set(canon, name);
    if (canon !== name) renamed++;
    found.set(canon, t);
  }
  const config = options.config ?? inferConfig(found, metadata, source);
  validateConfig(config);
  // Compare in lobster's naming and torch layout, so messages name what the file actually holds.
  const asFloat = new Map([...found].map(([k, t]) => [k, { dtype: t.dtype === 'float16' || t.dtype === 'float64' ? ('float32' as const) : t.dtype, shape: t.shape, storedDtype: t.storedDtype }]));
  problems.push(...compareTensors(lobsterTensorSpecs(config), asFloat, 'tensor'));
  if (!options.allowUnexpected) for (const name of unexpected) problems.push(`unexpected tensor "${name}" is not a UME parameter`);
  if (problems.length) {
    throw new UmeWeightsError(
      source,
      problems,
      `Expected lobster's UME names for ${config.name} (${config.numLayers} layers, hidden ${config.hiddenSize}, FFN ${config.intermediateSize}); see docs/ume-weights.md. Pass the matching config, or allowUnexpected to skip extra tensors.`,
    );
  }
  const stored = new Map<string, StoredParam>();
  for (const m of lobsterNameMap(config)) {
    const t = found.get(m.lobster)!;
    stored.set(m.internal, { data: t.dtype === 'float16' ? t : toFloat32(t, m.lobster), transposed: m.transpose });
  }
  const storedDtypes = [...new Set([...found.values()].map((t) => t.storedDtype ?? t.dtype))].sort();
  // Scoring bakes `stored` into its graphs and never needs float32 copies in our layout; training,
  // export and weights-as-inputs do, and make them on first use.
  let params: ParameterSet | undefined;
  return {
    config,
    get params() {
      params ??= storedToParams(stored);
      return params;
    },
    stored,
    report: { storedDtypes, renamed, source, metadata },
  };
}

/** Stored parameters as float32 in our layout. */
function storedToParams(stored: ReadonlyMap<string, StoredParam>): ParameterSet {
  const params = new ParameterSet();
  for (const [name, st] of stored) {
    const t = toFloat32(st.data, name);
    params.add(name, st.transposed ? transpose2d(t) : { dtype: 'float32', shape: [...t.shape], data: t.data });
  }
  return params;
}

/** Reads a safetensors file of UME weights (lobster names, any accepted prefix, F32/BF16/F16). */
export async function loadUmeWeights(path: string, options: LoadOptions = {}): Promise<LoadedUmeWeights> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read UME weights ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (path.endsWith('.ckpt') || path.endsWith('.pt') || path.endsWith('.bin')) {
    throw new Error(`${path} is a PyTorch pickle; convert it once to safetensors (see docs/ume-weights.md: torch.load(...)['state_dict'] -> safetensors.torch.save_file)`);
  }
  const { tensors, metadata } = decodeSafetensors(buf, path);
  return umeWeightsFromTensors(tensors, metadata, { ...options, source: options.source ?? path });
}

// ---- Saving ----

/** Our parameters as lobster-named, torch-layout tensors (in lobster's module order). */
export function toLobsterTensors(config: UmeConfig, params: ParameterSet): Array<[string, TensorData]> {
  return lobsterNameMap(config).map((m) => {
    const t = params.get(m.internal);
    if (t.dtype !== 'float32') throw new Error(`parameter "${m.internal}" is ${t.dtype}; UME weights are saved as float32`);
    return [m.lobster, m.transpose ? transpose2d(t) : t];
  });
}

export function umeMetadata(config: UmeConfig, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [META_KEY_FORMAT]: META_FORMAT, [META_KEY_CONFIG]: JSON.stringify(config) };
}

/** A float32 tensor stored as F16 bits; refuses values beyond the half range instead of storing Infinity. */
function toHalfTensor(t: TensorData, name: string): TensorData {
  const src = t.data as Float32Array;
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = floatToHalf(src[i]!);
    if ((h & 0x7c00) === 0x7c00) throw new Error(`UME weight "${name}" holds ${src[i]}, which F16 cannot store (|x| <= 65504, finite); save it as F32`);
    out[i] = h;
  }
  return { dtype: 'float16', shape: [...t.shape], data: out };
}

export interface SaveOptions {
  /** F32 (default, exact) or F16 (half the bytes, to the nearest half). Loading widens either to float32. */
  storage?: 'F32' | 'F16';
}

/** Writes UME weights (lobster names) atomically; the config goes into the metadata. */
export async function saveUmeWeights(path: string, config: UmeConfig, params: ParameterSet, extra: Record<string, string> = {}, options: SaveOptions = {}): Promise<void> {
  let tensors = toLobsterTensors(config, params);
  if (options.storage === 'F16') tensors = tensors.map(([name, t]) => [name, toHalfTensor(t, name)]);
  const chunks = encodeSafetensors(tensors, umeMetadata(config, extra));
  await writeFileAtomic(nodeFs, path, chunks);
}

