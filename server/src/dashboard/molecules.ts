// 2D drawings of SMILES for the dashboard, made by the host with RDKit (the same wasm module the
// language server validates with): RDKit.js's embind glue compiles its invokers with new Function,
// which a page with a strict CSP (no 'unsafe-eval') cannot run, so pages ask the host instead.
// Atoms matched by the run's SMARTS patterns are highlighted. SMILES beyond RDKit's safe size
// (engine/seq/rdkit.ts) are not drawn. Results are cached per (patterns, SMILES).

import type { RunConfigFile } from '../protocol/run-format';
import { RDKIT_MAX_ATOMS, RDKIT_MAX_CHARS, countSmilesAtoms, loadRDKitModule } from '../engine/seq/rdkit';

/** Drawn once at this size; pages scale the SVG (it has a viewBox) for thumbnails. */
export const MOLECULE_SIZE = { width: 300, height: 200 } as const;
const CACHE_MAX = 20_000;

const cache = new Map<string, string | null>();

/**
 * Drops what an SVG shown as an <img> does not need (header, comments, class names, indentation),
 * writes RDKit's bond style as presentation attributes (its linecap, linejoin and opacity are
 * SVG's defaults) and rounds coordinates to 0.1 px: about a third of the size.
 */
export function compactSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*\?>\s*/, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/ class='[^']*'/g, '')
    .replace(/ style='fill:none;fill-rule:evenodd;stroke:(#[0-9A-Fa-f]{6});stroke-width:([\d.]+)px;stroke-linecap:butt;stroke-linejoin:miter;stroke-opacity:1'/g, " fill='none' stroke='$1' stroke-width='$2'")
    .replace(/(\d+\.\d)\d+/g, '$1')
    .replace(/\n\s*/g, '\n')
    .trim();
}

export async function drawMolecules(smiles: readonly string[], smarts: readonly string[] = []): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  const todo = [...new Set(smiles)].filter((s) => {
    const hit = cache.get(`${smarts.join('\u0001')}\u0000${s}`);
    if (hit !== undefined) out[s] = hit;
    return hit === undefined;
  });
  if (!todo.length) return out;
  const rd = await loadRDKitModule();
  const queries = smarts.map((p) => rd.get_qmol(p)).filter((q): q is NonNullable<typeof q> => !!q && q.is_valid());
  try {
    for (const s of todo) {
      let svg: string | null = null;
      if (s.length > 0 && s.length <= RDKIT_MAX_CHARS && countSmilesAtoms(s) <= RDKIT_MAX_ATOMS) {
        let mol = null;
        try {
          mol = rd.get_mol(s);
          if (mol && mol.is_valid()) {
            const atoms = new Set<number>();
            for (const q of queries) {
              const matches = JSON.parse(mol.get_substruct_matches(q) || '[]') as Array<{ atoms?: number[] }>;
              for (const m of matches) for (const a of m.atoms ?? []) atoms.add(a);
            }
            svg = compactSvg(mol.get_svg_with_highlights(JSON.stringify({ ...MOLECULE_SIZE, ...(atoms.size ? { atoms: [...atoms] } : {}) })));
          }
        } catch {
          svg = null;
        } finally {
          mol?.delete();
        }
      }
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(`${smarts.join('\u0001')}\u0000${s}`, svg);
      out[s] = svg;
    }
  } finally {
    for (const q of queries) q.delete();
  }
  return out;
}

/** SMARTS patterns a run's reward config names (config.json rewards[].smarts, optional). */
export function smartsPatterns(config: RunConfigFile | null): string[] {
  const out: string[] = [];
  for (const r of config?.rewards ?? []) {
    const s = (r as { smarts?: unknown }).smarts;
    if (Array.isArray(s)) for (const p of s) if (typeof p === 'string' && p.length <= 500) out.push(p);
  }
  return out;
}
