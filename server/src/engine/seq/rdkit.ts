// RDKit (MinimalLib, WebAssembly) as a SMILES validator and canonicalizer. The module is loaded
// once per process, lazily, behind one shared promise; the wasm ships inside @rdkit/rdkit, so this
// works offline. RDKit reports *why* a SMILES fails only through its error log, so the log is
// captured (which also keeps RDKit from printing into an LSP stdio stream) and turned into a
// specific reason plus the offending span of the input.
import initRDKitModule from '@rdkit/rdkit';
import type { Log, MainModule } from '@rdkit/rdkit';
import { scanSmiles } from './detect/smiles-scan';

export type SmilesFailureKind =
  | 'empty'
  | 'unclosed-ring'
  | 'unmatched-parentheses'
  | 'valence'
  | 'kekulize'
  | 'aromaticity'
  | 'syntax'
  | 'other';

export interface SmilesValidation {
  ok: boolean;
  /** RDKit's canonical SMILES, when ok and asked for (`validate(s, { canonical: true })`). */
  canonical?: string;
  /** Why RDKit rejected it, specific enough to act on (e.g. "unclosed ring: ring bond 1 ..."). */
  reason?: string;
  kind?: SmilesFailureKind;
  /** Span of the input to underline (offset, length), when RDKit's report locates one. */
  offset?: number;
  length?: number;
}

export interface ValidateOptions {
  /**
   * Also compute RDKit's canonical SMILES of a valid input. Canonicalization is ~40% of a check, so
   * callers that only need the verdict (lobster mode, the reward) leave it off.
   */
  canonical?: boolean;
}

/** Synchronous validation, available once RDKit is loaded (detection runs in tight loops). */
export interface SmilesValidator {
  validate(smiles: string, options?: ValidateOptions): SmilesValidation;
  readonly version: string;
}

let loadingModule: Promise<MainModule> | undefined;
let loading: Promise<SmilesValidator> | undefined;

/** The RDKit wasm module itself, loaded once per process. */
export function loadRDKitModule(): Promise<MainModule> {
  loadingModule ??= initRDKitModule().catch((err: unknown) => {
    loadingModule = undefined; // allow a retry after e.g. a transient file-system error
    throw new Error(
      `Could not load RDKit (@rdkit/rdkit wasm): ${err instanceof Error ? err.message : String(err)}. ` +
        'Reinstall the package (npm ci) so node_modules/@rdkit/rdkit/dist/RDKit_minimal.wasm exists.',
    );
  });
  return loadingModule;
}

/** The shared validator; the first call loads the wasm (~0.2 s), later calls resolve at once. */
export function loadRDKit(): Promise<SmilesValidator> {
  loading ??= loadRDKitModule().then(
    (rd) => new RDKitValidator(rd),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/** Convenience for one-off checks (with the canonical form); prefer `(await loadRDKit()).validate` in loops. */
export async function validateSmiles(smiles: string): Promise<SmilesValidation> {
  return (await loadRDKit()).validate(smiles, { canonical: true });
}

// As many as analysis reads in one document (DEFAULT_MAX_SEQUENCES): re-checking a big .smi file
// while typing then finds every string again; ~150 bytes per entry, so ~30 MB at most.
const CACHE_LIMIT = 200_000;

// get_mol's defaults kekulize and assign stereochemistry. Neither can change the verdict or the
// canonical SMILES where they are skipped here, and skipping them saves ~20-40% of a parse:
// - assignStereo: stereo perception never rejects a molecule, and get_smiles assigns stereo itself
//   when the molecule has not had it done, so the canonical text is the same.
// - kekulize: kekulization fails ("can't kekulize") only for aromatic atoms or bonds; input
//   without any (no lowercase b c n o p s, no ':') has nothing to kekulize. Input that may be
//   aromatic keeps full kekulization.
// Both skipped steps come after every step that can reject a molecule, kekulization aside, so a
// rejection happens at the same step with the same message either way. rdkit.test.ts compares both
// paths (verdict, reason, span, canonical form) on every fixture.
const FULL_OPTIONS = '{}';
const NO_STEREO = JSON.stringify({ assignStereo: false });
const NO_STEREO_NO_KEKULIZE = JSON.stringify({ assignStereo: false, kekulize: false });
const MAY_BE_AROMATIC = /[bcnops:]/;

/** RDKit's get_mol options that give the same verdict and canonical SMILES as its defaults, cheaper. */
export function fastParseOptions(smiles: string): string {
  return MAY_BE_AROMATIC.test(smiles) ? NO_STEREO : NO_STEREO_NO_KEKULIZE;
}

// One capture per module: a second set_log_capture would take RDKit's messages away from the first.
const captures = new WeakMap<MainModule, Log | null>();
function logCapture(rd: MainModule): Log | null {
  if (!captures.has(rd)) captures.set(rd, rd.set_log_capture('rdApp.*'));
  return captures.get(rd) ?? null;
}

export class RDKitValidator implements SmilesValidator {
  readonly version: string;
  private readonly log: Log | null;
  // Re-analysis while typing sees the same SMILES again and again; results are pure functions of
  // the string, so a bounded least-recently-used cache makes re-checks nearly free. A Map keeps
  // insertion order: a hit is moved to the end, and the oldest entries (the first keys) are evicted.
  private readonly cache = new Map<string, SmilesValidation>();

  constructor(
    private readonly rd: MainModule,
    /** Parse with fastParseOptions (the default); false uses get_mol's defaults (for tests that compare). */
    private readonly fast = true,
    private readonly cacheLimit = CACHE_LIMIT,
  ) {
    this.version = rd.version();
    this.log = logCapture(rd);
  }

  validate(smiles: string, options?: ValidateOptions): SmilesValidation {
    const wantCanonical = options?.canonical === true;
    const hit = this.cache.get(smiles);
    if (hit && (!wantCanonical || !hit.ok || hit.canonical !== undefined)) {
      this.cache.delete(smiles);
      this.cache.set(smiles, hit);
      return hit;
    }
    const result = this.compute(smiles, wantCanonical);
    if (hit) this.cache.delete(smiles);
    else if (this.cache.size >= this.cacheLimit) this.evictOldest();
    this.cache.set(smiles, result);
    return result;
  }

  /** Entries currently cached (for tests). */
  get cacheSize(): number {
    return this.cache.size;
  }

  private evictOldest(): void {
    // Evict a tenth at once: one Map iteration instead of one per insertion past the limit.
    let n = Math.max(1, Math.floor(this.cacheLimit / 10));
    for (const key of this.cache.keys()) {
      this.cache.delete(key);
      if (--n === 0) break;
    }
  }

  private compute(smiles: string, wantCanonical: boolean): SmilesValidation {
    if (smiles.trim() === '') return { ok: false, kind: 'empty', reason: 'empty SMILES', offset: 0, length: smiles.length };
    // get_mol also accepts Molfiles and JSON; a SMILES never contains a line break or starts with
    // '{', so such input is refused here instead of being parsed as another format.
    if (/[\r\n]/.test(smiles) || smiles.trimStart().startsWith('{')) {
      return { ok: false, kind: 'syntax', reason: 'syntax error: not a single-line SMILES', offset: 0, length: smiles.length };
    }
    this.log?.clear_buffer();
    const result = this.parse(smiles, this.fast ? fastParseOptions(smiles) : FULL_OPTIONS, wantCanonical);
    return result ?? explainFailure(smiles, this.log?.get_buffer() ?? '');
  }

  /** The validation of a molecule RDKit accepts; undefined when it rejects the input. */
  private parse(smiles: string, options: string, wantCanonical: boolean): SmilesValidation | undefined {
    const mol = this.rd.get_mol(smiles, options);
    try {
      // An empty molecule comes back for input that holds no atoms at all.
      if (mol && mol.is_valid() && mol.get_num_atoms() > 0) return wantCanonical ? { ok: true, canonical: mol.get_smiles() } : { ok: true };
      return undefined;
    } finally {
      mol?.delete();
    }
  }
}

/** Turns RDKit's error log for `smiles` into a reason and a span. Exported for tests. */
export function explainFailure(smiles: string, log: string): SmilesValidation {
  const lines = log
    .split('\n')
    .map((l) => l.replace(/^\[\d\d:\d\d:\d\d\]\s*/, '').trim())
    .filter((l) => l && !l.startsWith('WARNING'));
  const first = lines[0] ?? '';
  const scan = scanSmiles(smiles);
  const whole = { offset: 0, length: smiles.length };

  if (/unclosed ring/i.test(first)) {
    const ring = scan.unclosedRings[0];
    return ring
      ? { ok: false, kind: 'unclosed-ring', reason: `unclosed ring: ring bond ${ring.label} is opened but never closed`, offset: ring.offset, length: ring.label.length }
      : { ok: false, kind: 'unclosed-ring', reason: 'unclosed ring', ...whole };
  }
  if (/extra (open|close) parenthes/i.test(first)) {
    const open = /extra open/i.test(first);
    const at = open ? scan.unmatchedOpen[0] : scan.unmatchedClose[0];
    const reason = open ? "unmatched parentheses: '(' is never closed" : "unmatched parentheses: ')' has no matching '('";
    return { ok: false, kind: 'unmatched-parentheses', reason, ...(at !== undefined ? { offset: at, length: 1 } : whole) };
  }
  const valence = /Explicit valence for atom # ?(\d+)/i.exec(first);
  if (valence) return { ok: false, kind: 'valence', reason: first, ...atomSpan(scan.atoms, [Number(valence[1])], smiles) };
  const kek = /Can't kekulize mol\.\s*Unkekulized atoms:\s*([\d ]+)/i.exec(first);
  if (kek) {
    const ids = (kek[1] as string).trim().split(/\s+/).map(Number);
    return { ok: false, kind: 'kekulize', reason: `can't kekulize: aromatic atoms ${ids.join(' ')} do not form a valid aromatic system`, ...atomSpan(scan.atoms, ids, smiles) };
  }
  const aromatic = /non-ring atom (\d+) marked aromatic/i.exec(first);
  if (aromatic) return { ok: false, kind: 'aromaticity', reason: first, ...atomSpan(scan.atoms, [Number(aromatic[1])], smiles) };
  if (/syntax error/i.test(first)) {
    const posLine = lines.find((l) => /check for mistakes around position \d+/i.test(l));
    const pos = posLine ? Number(/position (\d+)/i.exec(posLine)?.[1]) : NaN;
    // RDKit's position is 1-based and points at the character it could not read.
    if (Number.isFinite(pos) && pos >= 1 && pos <= smiles.length) {
      return { ok: false, kind: 'syntax', reason: `syntax error at position ${pos} ('${smiles[pos - 1]}')`, offset: pos - 1, length: 1 };
    }
    return { ok: false, kind: 'syntax', reason: 'syntax error', ...whole };
  }
  if (first) return { ok: false, kind: 'other', reason: first.replace(/^SMILES Parse Error:\s*/i, ''), ...whole };
  return { ok: false, kind: 'other', reason: 'RDKit could not parse this SMILES', ...whole };
}

function atomSpan(atoms: ReturnType<typeof scanSmiles>['atoms'], ids: number[], smiles: string): { offset: number; length: number } {
  const spans = ids.map((i) => atoms[i]).filter((a) => a !== undefined);
  if (spans.length === 0) return { offset: 0, length: smiles.length };
  const start = Math.min(...spans.map((a) => a.offset));
  const end = Math.max(...spans.map((a) => a.offset + a.length));
  return { offset: start, length: end - start };
}
