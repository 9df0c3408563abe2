// Rotary position embeddings as transformers computes them (modeling_rope_utils.py): the inverse
// frequencies of each rope type and the scaling applied to cos/sin, computed once on the host.
// The graph then takes cos/sin of position * inv_freq (in float32, as HF does) and rotates q and k
// in the "rotate half" layout: q' = q * cos + rotate_half(q) * sin, cos/sin repeated over both halves.
//
// Types: default, linear (positions / factor), llama3 (wavelength-dependent rescaling), yarn
// (interpolation/extrapolation blend and attention factor), dynamic (NTK; identical to default
// up to max_position_embeddings, where sequences are capped).

export interface RopeSpec {
  type: 'default' | 'linear' | 'llama3' | 'yarn' | 'dynamic';
  theta: number;
  /** head_dim / 2 inverse frequencies. */
  invFreq: Float64Array;
  /** Multiplies cos and sin (yarn's attention factor; 1 otherwise). */
  attentionScaling: number;
  /** Longest sequence the spec is exact for (Infinity unless the type depends on length). */
  maxLength: number;
}

export const ROPE_TYPES = ['default', 'linear', 'llama3', 'yarn', 'dynamic'] as const;

type Json = Record<string, unknown>;

function fail(msg: string): never {
  throw new Error(`config.json: ${msg}`);
}

function field(s: Json, key: string, fallback?: number): number {
  const v = s[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`rope_scaling.${key} must be a number${v === undefined ? ' (missing)' : `, got ${JSON.stringify(v)}`}`);
  return v;
}

/** theta^(-2i/d) for i < d/2, rounded through float32 as torch computes it. */
export function defaultInvFreq(theta: number, dim: number): Float64Array {
  const out = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) out[i] = Math.fround(1 / Math.pow(theta, Math.fround((2 * i) / dim)));
  return out;
}

/**
 * The rope of a llama-family config: `rope_parameters` (transformers 5) or `rope_theta` +
 * `rope_scaling` (with `rope_type` or the older `type`).
 */
export function ropeFromConfig(c: Json, headDim: number, maxPositions: number): RopeSpec {
  const params = (c['rope_parameters'] ?? null) as Json | null;
  const scaling = (params ?? c['rope_scaling'] ?? null) as Json | null;
  if (scaling !== null && (typeof scaling !== 'object' || Array.isArray(scaling))) fail(`rope_scaling must be an object or null, got ${JSON.stringify(scaling)}`);
  const thetaRaw = params?.['rope_theta'] ?? c['rope_theta'] ?? 10000;
  if (typeof thetaRaw !== 'number' || !(thetaRaw > 0)) fail(`rope_theta must be a positive number, got ${JSON.stringify(thetaRaw)}`);
  const theta = thetaRaw;
  const type = String(scaling?.['rope_type'] ?? scaling?.['type'] ?? 'default');
  const base = defaultInvFreq(theta, headDim);
  const spec = (invFreq: Float64Array, attentionScaling = 1, maxLength = Infinity): RopeSpec => ({ type: type as RopeSpec['type'], theta, invFreq, attentionScaling, maxLength });
  switch (type) {
    case 'default':
      return spec(base);
    case 'linear': {
      const factor = field(scaling!, 'factor');
      return spec(base.map((f) => Math.fround(f / factor)));
    }
    case 'dynamic':
      return spec(base, 1, maxPositions);
    case 'llama3':
      return spec(llama3(base, scaling!));
    case 'yarn':
      return yarn(scaling!, theta, headDim, maxPositions, spec);
    default:
      return fail(`rope type "${type}" is not supported; supported: ${ROPE_TYPES.join(', ')}`);
  }
}

function llama3(base: Float64Array, s: Json): Float64Array {
  const factor = field(s, 'factor');
  const low = field(s, 'low_freq_factor');
  const high = field(s, 'high_freq_factor');
  const old = field(s, 'original_max_position_embeddings');
  const lowWavelen = old / low;
  const highWavelen = old / high;
  return base.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return Math.fround(f / factor);
    const smooth = (old / wavelen - low) / (high - low);
    return Math.fround((1 - smooth) * (f / factor) + smooth * f);
  });
}

function yarn(s: Json, theta: number, dim: number, maxPositions: number, spec: (f: Float64Array, a?: number) => RopeSpec): RopeSpec {
  const factor = field(s, 'factor');
  const original = field(s, 'original_max_position_embeddings', maxPositions);
  const mscaleOf = (scale: number, m = 1): number => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
  let attention = s['attention_factor'] as number | undefined | null;
  if (attention === undefined || attention === null) {
    const m = s['mscale'] as number | undefined;
    const mAll = s['mscale_all_dim'] as number | undefined;
    attention = m && mAll ? mscaleOf(factor, m) / mscaleOf(factor, mAll) : mscaleOf(factor);
  }
  const betaFast = field(s, 'beta_fast', 32);
  const betaSlow = field(s, 'beta_slow', 1);
  const truncate = s['truncate'] === undefined ? true : s['truncate'] !== false;
  const correction = (rot: number): number => (dim * Math.log(original / (rot * 2 * Math.PI))) / (2 * Math.log(theta));
  let lo = correction(betaFast);
  let hi = correction(betaSlow);
  if (truncate) {
    lo = Math.floor(lo);
    hi = Math.ceil(hi);
  }
  lo = Math.max(lo, 0);
  hi = Math.min(hi, dim - 1);
  if (lo === hi) hi += 0.001;
  const out = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const posFreq = Math.pow(theta, Math.fround((2 * i) / dim));
    const extrapolation = 1 / posFreq;
    const interpolation = 1 / (factor * posFreq);
    const ramp = Math.min(1, Math.max(0, (i - lo) / (hi - lo)));
    const extrapolationFactor = 1 - ramp;
    out[i] = Math.fround(interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor);
  }
  return spec(out, attention);
}
