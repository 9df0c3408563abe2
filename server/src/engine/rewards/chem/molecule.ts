// Molecules for the reward components: one RDKit.js parse per distinct SMILES, shared by every
// component that needs it (descriptors, QED, scaffolds, fingerprints, SMARTS), with each derived
// value computed once. Records live in a bounded LRU; an evicted record frees its wasm molecule.

import type { Mol as JSMol, MainModule } from '@rdkit/rdkit';
import { loadRDKit, loadRDKitModule } from '../../seq/rdkit';
import { cycleRank, graphFromRdkitJson, type MolGraph } from './graph';
import { genericMurckoSmiles, murckoSmiles } from './murcko';
import { ACCEPTOR_SMARTS, ALIPHATIC_RINGS_SMARTS, qedFromProperties, STRUCTURAL_ALERT_SMARTS, type QedProperties } from './qed';

/** RDKit.js `get_descriptors()` keys the components read. */
export interface Descriptors {
  amw: number;
  CrippenClogP: number;
  tpsa: number;
  NumHBD: number;
  NumHBA: number;
  NumRotatableBonds: number;
  NumRings: number;
  NumAromaticRings: number;
  NumHeavyAtoms: number;
  NumAtomStereoCenters: number;
  NumSpiroAtoms: number;
  NumBridgeheadAtoms: number;
  [key: string]: number;
}

export class MoleculeRecord {
  private descriptorsCache?: Descriptors;
  private graphCache?: MolGraph;
  private qedPropsCache?: QedProperties;
  private scaffoldCache?: string;
  private genericCache?: string;
  private readonly fps = new Map<string, Uint8Array>();

  constructor(
    readonly smiles: string,
    private mol: JSMol,
    private readonly chem: Chemistry,
  ) {}

  private live(): JSMol {
    if (this.mol.isDeleted()) throw new Error(`molecule "${this.smiles}" was freed (cache evicted it while in use)`);
    return this.mol;
  }

  /** The RDKit.js molecule itself (valid until the record is evicted; do not delete it). */
  raw(): JSMol {
    return this.live();
  }

  private canonicalCache?: string;

  get canonical(): string {
    this.canonicalCache ??= this.live().get_smiles();
    return this.canonicalCache;
  }

  descriptors(): Descriptors {
    // QED.py's ROTB is CalcNumRotatableBonds(Strict); RDKit.js's NumRotatableBonds uses the
    // default options, which are Strict (test/rewards checks both against Python RDKit).
    this.descriptorsCache ??= JSON.parse(this.live().get_descriptors()) as Descriptors;
    return this.descriptorsCache;
  }

  graph(): MolGraph {
    this.graphCache ??= graphFromRdkitJson(this.live().get_json());
    return this.graphCache;
  }

  /** Atom indices matched by a SMARTS (unique matches, RDKit's default). */
  matches(smarts: string): number[][] {
    const out = this.live().get_substruct_matches(this.chem.query(smarts));
    const parsed = JSON.parse(out) as Array<{ atoms: number[] }> | Record<string, never>;
    return Array.isArray(parsed) ? parsed.map((m) => m.atoms) : [];
  }

  hasMatch(smarts: string): boolean {
    return this.live().get_substruct_match(this.chem.query(smarts)) !== '{}';
  }

  /**
   * Hydrogen-bond acceptors as RDKit's CalcNumHBA counted them through 2023 (Lipinski.py's
   * HAcceptorSmarts, Gobbi's definition; Debian's python3-rdkit 2022.09). RDKit.js 2026's NumHBA
   * no longer counts pyrrole-type aromatic nitrogens (nX3); `hba` params.definition picks.
   */
  hbaGobbi(): number {
    return this.matches(HBA_GOBBI_SMARTS).length;
  }

  /** QED.py's eight properties. */
  qedProperties(): QedProperties {
    if (this.qedPropsCache) return this.qedPropsCache;
    const d = this.descriptors();
    const g = this.graph();
    let hba = 0;
    for (const s of ACCEPTOR_SMARTS) hba += this.matches(s).length;
    let alerts = 0;
    for (const s of STRUCTURAL_ALERT_SMARTS) if (this.hasMatch(s)) alerts++;
    const deleted = new Set(this.matches(ALIPHATIC_RINGS_SMARTS).map((m) => m[0]!));
    const arom = cycleRank(g, (i) => !deleted.has(i));
    this.qedPropsCache = { MW: d.amw, ALOGP: d.CrippenClogP, HBA: hba, HBD: d.NumHBD, PSA: d.tpsa, ROTB: d.NumRotatableBonds, AROM: arom, ALERTS: alerts };
    return this.qedPropsCache;
  }

  qed(): number {
    return qedFromProperties(this.qedProperties());
  }

  /** Canonical SMILES of the Murcko scaffold ('' for an acyclic molecule). */
  murckoScaffold(): string {
    this.scaffoldCache ??= this.chem.canonicalize(murckoSmiles(this.graph()), `the Murcko scaffold of "${this.smiles}"`);
    return this.scaffoldCache;
  }

  /** Canonical SMILES of the generic (topological) Murcko scaffold. */
  genericScaffold(): string {
    this.genericCache ??= this.chem.canonicalize(genericMurckoSmiles(this.graph()), `the generic scaffold of "${this.smiles}"`);
    return this.genericCache;
  }

  /** Morgan fingerprint bits (radius, nBits), one byte per 8 bits as RDKit.js packs them. */
  morgan(radius = 2, nBits = 2048): Uint8Array {
    const key = `${radius}/${nBits}`;
    let fp = this.fps.get(key);
    if (!fp) {
      fp = new Uint8Array(this.live().get_morgan_fp_as_uint8array(JSON.stringify({ radius, nBits })) as ArrayLike<number>);
      this.fps.set(key, fp);
    }
    return fp;
  }

  free(): void {
    if (!this.mol.isDeleted()) this.mol.delete();
  }
}

export type ParseResult = { ok: true; mol: MoleculeRecord } | { ok: false; reason: string };

const CACHE_LIMIT = 4096;
const HBA_GOBBI_SMARTS = '[$([O,S;H1;v2]-[!$(*=[O,N,P,S])]),$([O,S;H0;v2]),$([O,S;-]),$([N;v3;!$(N-*=!@[O,N,P,S])]),$([nH0,o,s;+0])]';

/** RDKit.js plus the caches: one per process (see `loadChemistry`). */
export class Chemistry {
  private readonly records = new Map<string, MoleculeRecord>();
  private readonly queries = new Map<string, JSMol>();
  constructor(
    readonly rd: MainModule,
    private readonly cacheLimit = CACHE_LIMIT,
  ) {}

  /** The molecule of a SMILES, or why RDKit refused it. */
  parse(smiles: string): ParseResult {
    const hit = this.records.get(smiles);
    if (hit) {
      this.records.delete(smiles);
      this.records.set(smiles, hit);
      return { ok: true, mol: hit };
    }
    if (smiles.trim() === '' || /[\s]/.test(smiles) || smiles.startsWith('{')) return { ok: false, reason: `"${smiles}" is not a single SMILES word` };
    const mol = this.rd.get_mol(smiles);
    if (!mol || !mol.is_valid() || mol.get_num_atoms() === 0) {
      mol?.delete();
      return { ok: false, reason: `RDKit could not parse the SMILES "${smiles.length > 60 ? `${smiles.slice(0, 59)}…` : smiles}"` };
    }
    const rec = new MoleculeRecord(smiles, mol, this);
    if (this.records.size >= this.cacheLimit) {
      const oldest = this.records.keys().next().value as string;
      this.records.get(oldest)?.free();
      this.records.delete(oldest);
    }
    this.records.set(smiles, rec);
    return { ok: true, mol: rec };
  }

  /** A compiled SMARTS query, cached; a bad SMARTS is an error naming it. */
  query(smarts: string): JSMol {
    let q = this.queries.get(smarts);
    if (!q) {
      const made = this.rd.get_qmol(smarts);
      if (!made || !made.is_valid()) {
        made?.delete();
        throw new Error(`invalid SMARTS "${smarts}"`);
      }
      q = made;
      this.queries.set(smarts, q);
    }
    return q;
  }

  /** RDKit's canonical SMILES of a SMILES this library wrote ('' stays ''). */
  canonicalize(smiles: string, what: string): string {
    if (smiles === '') return '';
    // A scaffold RDKit cannot kekulize (a charged aromatic ring cut from its substituents) is
    // still written, unsanitized, as Python's GetScaffoldForMol + MolToSmiles write it.
    const mol = this.rd.get_mol(smiles) ?? this.rd.get_mol(smiles, JSON.stringify({ sanitize: false }));
    try {
      if (!mol || !mol.is_valid()) throw new Error(`RDKit could not read ${what} ("${smiles}")`);
      return mol.get_smiles();
    } finally {
      mol?.delete();
    }
  }

  /** Frees every cached molecule (queries stay compiled): benches start each run cold. */
  clearMolecules(): void {
    for (const r of this.records.values()) r.free();
    this.records.clear();
  }

  /** Frees every molecule and query. */
  clear(): void {
    for (const r of this.records.values()) r.free();
    this.records.clear();
    for (const q of this.queries.values()) q.delete();
    this.queries.clear();
  }
}

let shared: Promise<Chemistry> | undefined;

/**
 * The process's Chemistry (loads RDKit's wasm on first use). Goes through loadRDKit first so
 * RDKit's error log is captured (engine/seq/rdkit.ts), not printed for every bad SMILES.
 */
export function loadChemistry(): Promise<Chemistry> {
  shared ??= loadRDKit().then(() => loadRDKitModule()).then(
    (rd) => new Chemistry(rd),
    (e: unknown) => {
      shared = undefined;
      throw e;
    },
  );
  return shared;
}
