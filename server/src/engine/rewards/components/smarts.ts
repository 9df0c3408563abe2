// smarts: substructure matches (RDKit.js). mode "count" sums the unique matches of every pattern
// (each times its weight), "presence" is 1 when any pattern matches, "absence" is 1 when none does
// (REINVENT's custom_alerts: a molecule with an alert scores 0).

import { checkParams, type ParamSpec } from './params';
import { perMolecule, type BuildContext, type Component } from './types';

export const SMARTS_PARAMS: ParamSpec = {
  patterns: { kind: 'any', required: true, doc: 'SMARTS strings, or objects {"smarts": "...", "name": "...", "weight": 1}' },
  mode: { kind: 'string', values: ['count', 'presence', 'absence'], default: 'presence', doc: 'what the raw value is' },
};

interface Pattern {
  smarts: string;
  name: string;
  weight: number;
}

export function smartsComponent(name: string, params: Record<string, unknown>, ctx: BuildContext): Component {
  const where = `component "${name}" (smarts)`;
  const raw = params['patterns'];
  if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${where}: "patterns" must be a non-empty list of SMARTS strings or {"smarts": ...} objects`);
  const patterns: Pattern[] = raw.map((p, i) => {
    if (typeof p === 'string') return { smarts: p, name: p, weight: 1 };
    const o = checkParams(`${where} pattern ${i}`, { smarts: { kind: 'string', required: true, doc: 'the SMARTS' }, name: { kind: 'string', doc: 'a label' }, weight: { kind: 'number', default: 1, doc: 'count mode: weight of each match' } }, p);
    return { smarts: o['smarts'] as string, name: (o['name'] as string | undefined) ?? (o['smarts'] as string), weight: o['weight'] as number };
  });
  // Compile now, so a bad SMARTS fails when the config loads, not on the first completion.
  for (const p of patterns) {
    try {
      ctx.chem.query(p.smarts);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
    }
  }
  const mode = params['mode'] as 'count' | 'presence' | 'absence';
  return {
    name,
    type: 'smarts',
    measure: async (rows) =>
      perMolecule(ctx, rows, 'smarts', ({ mol }) => {
        if (mode === 'count') return { raw: patterns.reduce((s, p) => s + p.weight * mol.matches(p.smarts).length, 0) };
        const hit = patterns.find((p) => mol.hasMatch(p.smarts));
        return { raw: mode === 'presence' ? (hit ? 1 : 0) : hit ? 0 : 1 };
      }),
  };
}
