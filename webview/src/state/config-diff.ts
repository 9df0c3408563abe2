// Config comparison between runs: every setting flattened to dotted keys (config.json's `config`
// plus policy, rewards and dataset), and for each key whether the runs disagree.

import type { RunConfigFile } from '../../../server/src/protocol/run-format';

export function flattenConfig(c: RunConfigFile | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!c) return out;
  const walk = (prefix: string, v: unknown): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (!entries.length) out.set(prefix, '{}');
      for (const [k, x] of entries) walk(prefix ? `${prefix}.${k}` : k, x);
    } else out.set(prefix, typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined');
  };
  walk('', c.config ?? {});
  walk('policy', c.policy ?? {});
  walk('dataset', c.dataset ?? {});
  out.set('rewards', (c.rewards ?? []).map((r) => `${r.name}×${r.weight}`).join(', '));
  return out;
}

export interface DiffRow {
  key: string;
  /** One value per run; null: the run has no such setting. */
  values: Array<string | null>;
  differs: boolean;
}

export function diffConfigs(configs: ReadonlyArray<RunConfigFile | null>): DiffRow[] {
  const flat = configs.map(flattenConfig);
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  return keys.map((key) => {
    const values = flat.map((m) => m.get(key) ?? null);
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });
}
