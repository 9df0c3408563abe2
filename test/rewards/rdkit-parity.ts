// Compares the reward library's chemistry (RDKit.js descriptors, the QED port, our Murcko
// scaffolds, Morgan Tanimoto) with Debian's Python RDKit (bench/peers/reward_rdkit.py) on real
// molecules: RDKit's NCI first_5K.smi and ChEBI's SMILES (emboss-data's chebi.obo).
//
//   node --import tsx test/rewards/rdkit-parity.ts [--limit N] [--json]   every molecule (docs/rewards.md figures)
//
// parity.test.ts runs a slice of the same comparison in CI.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChemistry, type Chemistry } from '../../server/src/engine/rewards/chem/molecule';
import { QED_PROPERTY_NAMES } from '../../server/src/engine/rewards/chem/qed';
import { tanimoto } from '../../server/src/engine/rewards/chem/fingerprint';

export const NCI_SMILES = '/usr/share/RDKit/Data/NCI/first_5K.smi';
export const CHEBI_OBO = '/usr/share/EMBOSS/data/OBO/chebi.obo';
export const PYTHON = '/usr/bin/python3';
const PEER = join(__dirname, '..', '..', 'bench', 'peers', 'reward_rdkit.py');

/** Printed precision of each descriptor (RDKit's own reports: 2 decimals; counts exact). */
export const TOLERANCE: Record<string, number> = { mw: 0.005, clogp: 0.005, tpsa: 0.005, hbd: 0, hba: 0, rotatable_bonds: 0, rings: 0, aromatic_rings: 0, heavy_atoms: 0, qed: 1e-3 };

export function pythonRdkitAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import rdkit'], { encoding: 'utf8' }).status === 0;
}

/** ChEBI's SMILES synonyms, first occurrence of each, in file order. */
export function chebiSmiles(path = CHEBI_OBO): string[] {
  if (!existsSync(path)) return [];
  const seen = new Set<string>();
  for (const m of readFileSync(path, 'utf8').matchAll(/^synonym: "([^"\s]+)" RELATED SMILES/gm)) seen.add(m[1]!);
  return [...seen];
}

/** Every k-th of the list, `n` of them. */
export function spread<T>(list: readonly T[], n: number): T[] {
  if (list.length <= n) return list.slice();
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[Math.floor(i * step)]!);
}

export function nciSmiles(path = NCI_SMILES): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean) : [];
}

interface PyRow {
  smiles: string;
  ok: boolean;
  qed?: number | { error: string };
  qed_props?: number[];
  murcko?: string | { error: string };
  generic?: string | { error: string };
  [k: string]: unknown;
}

function runPeer(mode: 'props' | 'tanimoto', smiles: readonly string[]): Array<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'reward-parity-'));
  try {
    const file = join(dir, 'in.smi');
    writeFileSync(file, `${smiles.join('\n')}\n`);
    const r = spawnSync(PYTHON, [PEER, mode, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`${PEER} ${mode} failed (${r.status}): ${r.stderr}`);
    return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ParityReport {
  molecules: number;
  /** Molecules both parsed (what the figures below count). */
  compared: number;
  /** Per check: how many agreed and the disagreements (SMILES and both values). */
  checks: Record<string, { agree: number; disagree: Array<{ smiles: string; ours: unknown; python: unknown }> }>;
  maxQedError: number;
  pairs: number;
  maxTanimotoError: number;
}

function rdkitJsValues(chem: Chemistry, s: string) {
  const p = chem.parse(s);
  if (!p.ok) return undefined;
  const m = p.mol;
  const d = m.descriptors();
  const attempt = (f: () => string) => {
    try {
      return f();
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  return {
    mw: d.amw,
    clogp: d.CrippenClogP,
    tpsa: d.tpsa,
    hbd: d.NumHBD,
    hba: m.hbaGobbi(),
    rotatable_bonds: d.NumRotatableBonds,
    rings: d.NumRings,
    aromatic_rings: d.NumAromaticRings,
    heavy_atoms: d.NumHeavyAtoms,
    qed: m.qed(),
    qed_props: QED_PROPERTY_NAMES.map((k) => m.qedProperties()[k]),
    murcko: attempt(() => m.murckoScaffold()),
    generic: attempt(() => m.genericScaffold()),
    fp: m.morgan(2, 2048),
  };
}

export async function compareWithPython(smiles: readonly string[]): Promise<ParityReport> {
  const chem = await loadChemistry();
  const py = runPeer('props', smiles) as unknown as PyRow[];
  const report: ParityReport = { molecules: smiles.length, compared: 0, checks: {}, maxQedError: 0, pairs: 0, maxTanimotoError: 0 };
  const check = (name: string, ok: boolean, s: string, ours: unknown, python: unknown) => {
    const c = (report.checks[name] ??= { agree: 0, disagree: [] });
    if (ok) c.agree++;
    else c.disagree.push({ smiles: s, ours, python });
  };
  const ours = smiles.map((s) => rdkitJsValues(chem, s));
  py.forEach((r, i) => {
    const o = ours[i];
    check('parse', r.ok === (o !== undefined), r.smiles, o !== undefined, r.ok);
    if (!r.ok || !o) return;
    report.compared++;
    for (const k of Object.keys(TOLERANCE)) {
      const pv = r[k];
      if (typeof pv !== 'number') continue;
      const ov = o[k as keyof typeof o] as number;
      if (k === 'qed') report.maxQedError = Math.max(report.maxQedError, Math.abs(ov - pv));
      check(k, Math.abs(ov - pv) <= TOLERANCE[k]!, r.smiles, ov, pv);
    }
    for (const k of ['murcko', 'generic'] as const) {
      const pv = r[k];
      const ov = o[k];
      if (typeof pv !== 'string') {
        // Python RDKit itself failed (e.g. a 5-valent carbon in a generic metal scaffold).
        check(`${k} (python failed)`, false, r.smiles, ov, pv);
        continue;
      }
      if (typeof ov === 'string' && ov === pv) {
        check(k, true, r.smiles, ov, pv);
        continue;
      }
      // RDKit.js 2026 writes atoms bonded to metals in brackets ("[c]"), Python 2022 did not:
      // the same molecule, told apart only by the writer. Counted separately.
      let pyInOurWriter: string | undefined;
      try {
        pyInOurWriter = chem.canonicalize(pv, 'the Python scaffold');
      } catch {
        pyInOurWriter = undefined;
      }
      if (typeof ov === 'string' && ov === pyInOurWriter) check(`${k} (same molecule, writer differs)`, true, r.smiles, ov, pv);
      else check(k, false, r.smiles, ov, pv);
    }
  });
  // Tanimoto of consecutive molecules.
  const tan = runPeer('tanimoto', smiles) as Array<{ a: string; b: string; tanimoto: number | null }>;
  tan.forEach((t, i) => {
    const a = ours[i];
    const b = ours[i + 1];
    if (t.tanimoto === null || !a || !b) return;
    const ov = tanimoto(a.fp, b.fp);
    report.pairs++;
    report.maxTanimotoError = Math.max(report.maxTanimotoError, Math.abs(ov - t.tanimoto));
    check('tanimoto', Math.abs(ov - t.tanimoto) <= 1e-12, `${t.a} ${t.b}`, ov, t.tanimoto);
  });
  return report;
}

export function formatReport(r: ParityReport, examples = 3): string {
  const lines = [`${r.molecules} molecules, ${r.compared} parsed by both; max |QED - Python| ${r.maxQedError.toExponential(2)}; ${r.pairs} Tanimoto pairs, max error ${r.maxTanimotoError}`];
  for (const [name, c] of Object.entries(r.checks)) {
    lines.push(`  ${name.padEnd(40)} agree ${String(c.agree).padStart(5)}  disagree ${String(c.disagree.length).padStart(4)}`);
    for (const d of c.disagree.slice(0, examples)) lines.push(`      ${d.smiles}: ours ${JSON.stringify(d.ours)}, python ${JSON.stringify(d.python)}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const limitAt = args.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Infinity;
  const sets: Array<[string, string[]]> = [
    ['NCI first_5K (rdkit-data)', nciSmiles()],
    ['ChEBI SMILES (emboss-data chebi.obo)', chebiSmiles()],
  ];
  void (async () => {
    for (const [name, list] of sets) {
      if (list.length === 0) {
        console.log(`${name}: not installed, skipped`);
        continue;
      }
      const t0 = Date.now();
      const r = await compareWithPython(Number.isFinite(limit) ? spread(list, limit) : list);
      console.log(`== ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      console.log(args.includes('--json') ? JSON.stringify(r) : formatReport(r));
    }
  })();
}
