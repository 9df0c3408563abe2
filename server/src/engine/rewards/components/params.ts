// Checks a component's params against its declared keys: unknown keys fail with the nearest valid
// one, wrong types say what was expected, defaults fill in. Each component declares a ParamSpec.

import { didYouMean } from '../../util/nearest-name';

export type ParamKind = 'number' | 'integer' | 'string' | 'boolean' | 'string[]' | 'number[]' | 'object' | 'any';

export interface ParamDef {
  kind: ParamKind;
  /** Allowed values for strings. */
  values?: readonly string[];
  default?: unknown;
  required?: boolean;
  min?: number;
  max?: number;
  /** One line for docs and errors. */
  doc: string;
}

export type ParamSpec = Record<string, ParamDef>;

function typeOk(kind: ParamKind, v: unknown): boolean {
  switch (kind) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'number[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'any':
      return true;
  }
}

/** The params with defaults applied; throws naming the component, the key and what is valid. */
export function checkParams(where: string, spec: ParamSpec, params: unknown): Record<string, unknown> {
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) throw new Error(`${where}: "params" must be an object`);
  const given = (params ?? {}) as Record<string, unknown>;
  const keys = Object.keys(spec);
  for (const k of Object.keys(given)) {
    if (!(k in spec)) throw new Error(`${where}: unknown param "${k}"${didYouMean(k, keys)}; valid params: ${keys.join(', ') || '(none)'}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, def] of Object.entries(spec)) {
    const v = given[k];
    if (v === undefined) {
      if (def.required) throw new Error(`${where}: param "${k}" is required (${def.doc})`);
      if (def.default !== undefined) out[k] = def.default;
      continue;
    }
    if (!typeOk(def.kind, v)) throw new Error(`${where}: param "${k}" must be ${def.kind === 'integer' ? 'an integer' : `a ${def.kind}`}, got ${JSON.stringify(v)} (${def.doc})`);
    if (def.values && !def.values.includes(v as string)) throw new Error(`${where}: param "${k}" is "${String(v)}"${didYouMean(String(v), def.values)}; use one of ${def.values.join(', ')}`);
    if (typeof v === 'number' && ((def.min !== undefined && v < def.min) || (def.max !== undefined && v > def.max))) {
      throw new Error(`${where}: param "${k}" must be in [${def.min ?? '-inf'}, ${def.max ?? 'inf'}], got ${v}`);
    }
    out[k] = v;
  }
  return out;
}
