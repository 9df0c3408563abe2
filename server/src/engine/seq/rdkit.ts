// RDKit (MinimalLib, WebAssembly) as a SMILES validator and canonicalizer. The module is loaded
// once per process, lazily, behind one shared promise; the wasm ships inside @rdkit/rdkit, so this
// works offline. RDKit reports *why* a SMILES fails only through its error log, so the log is
// captured (which also keeps RDKit from printing into an LSP stdio stream) and turned into a
// specific reason plus the offending span of the input.
//
// RDKit's wasm build has a small fixed stack. Large molecules overflow it (measured with
// @rdkit/rdkit 2026.9: chains, rings, branches, fused rings and bracket atoms of 585-600 atoms;
// see rdkit-limits.test.ts): get_mol then throws "memory access out of bounds", or returns and
// leaves the instance silently corrupted, after which every later call throws, answers wrongly or
// never returns (a 100%-CPU hang with the wasm heap growing to gigabytes). Three guards:
// - input bounds: SMILES with more than RDKIT_MAX_ATOMS atoms (or RDKIT_MAX_CHARS characters) are
//   refused with a reason before they reach RDKit;
// - a canary after every large input (and every CANARY_EVERY checks) catches silent corruption;
// - a faulted or corrupted instance is dropped for a fresh one (a spare is kept once any large
//   input was seen, so the swap is immediate); the input that faulted is answered as such.
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
  | 'other'
  /** Larger than RDKit's wasm build can check safely (RDKIT_MAX_ATOMS); not checked. */
  | 'too-large'
  /** RDKit crashed on this input (its instance was replaced); not checked. */
  | 'rdkit-fault'
  /** RDKit is being restarted after a crash; ask again once `ready()` resolves. Never cached. */
  | 'unavailable';

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

/** Most atoms a SMILES may have to be given to RDKit: half of the smallest size measured to crash it. */
export const RDKIT_MAX_ATOMS = 300;
/** Most characters (bracket atoms, ring labels and bonds make ~10 per atom at most in practice). */
export const RDKIT_MAX_CHARS = 4000;
/** Inputs with more atoms than this are followed by a canary check of the instance. */
const CANARY_ABOVE_ATOMS = 100;
/** And every this many checks regardless. */
const CANARY_EVERY = 2000;
/** A molecule whose canonical form is known: exercises parsing, rings, aromaticity and get_smiles. */
const CANARY_SMILES = 'OC(=O)c1ccccc1N';

let loadingModule: Promise<MainModule> | undefined;
/** The module loadingModule resolved to: dropped (so the next load makes a new one) if it faults. */
let sharedModule: MainModule | undefined;
let loading: Promise<RDKitValidator> | undefined;

/** The RDKit wasm module itself, loaded once per process (again after it faulted). */
export function loadRDKitModule(): Promise<MainModule> {
  loadingModule ??= initRDKitModule().then((rd) => (sharedModule = rd), (err: unknown) => {
    loadingModule = undefined; // allow a retry after e.g. a transient file-system error
    throw new Error(
      `Could not load RDKit (@rdkit/rdkit wasm): ${err instanceof Error ? err.message : String(err)}. ` +
        'Reinstall the package (npm ci) so node_modules/@rdkit/rdkit/dist/RDKit_minimal.wasm exists.',
    );
  });
  return loadingModule;
}

/** The shared validator; the first call loads the wasm (~0.2 s), later calls resolve at once. */
export function loadRDKit(): Promise<RDKitValidator> {
  loading ??= loadRDKitModule().then(
    (rd) => new RDKitValidator(rd),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/** True when RDKit did not judge the SMILES at all (too large, crashed, restarting). */
export function notChecked(v: SmilesValidation): boolean {
  return v.kind === 'too-large' || v.kind === 'rdkit-fault' || v.kind === 'unavailable';
}

/** The start of a UME103 message: a SMILES RDKit rejected is invalid; one it never judged is not called that. */
export function smilesProblemLead(v: SmilesValidation): string {
  return notChecked(v) ? 'SMILES not checked' : 'Invalid SMILES';
}

/** Convenience for one-off checks (with the canonical form); prefer `(await loadRDKit()).validate` in loops. */
export async function validateSmiles(smiles: string): Promise<SmilesValidation> {
  return (await loadRDKit()).validate(smiles, { canonical: true });
}

// As many as analysis reads in one document (DEFAULT_MAX_SEQUENCES): re-checking a big .smi file
// while typing then finds every string again; ~150 bytes per entry, so ~30 MB at most.
const CACHE_LIMIT = 200_000;
/**
 * The cache also stays within this many bytes (keys and answers, roughly), and does not keep texts
 * longer than CACHE_MAX_KEY: the 200,000-entry bound alone let fuzzed documents' long SMILES-like
 * lines (up to 5 MB each) fill the heap until the server ran out of memory after ~11,000 documents.
 */
const CACHE_BYTES = 64 * 2 ** 20;
const CACHE_MAX_KEY = 8192;

/** Bytes a cached answer holds, roughly (UTF-16 strings plus the object). */
function cachedBytes(smiles: string, r: SmilesValidation): number {
  const canonical = r.ok ? (r.canonical?.length ?? 0) : 0;
  const reason = r.reason?.length ?? 0;
  return 2 * (smiles.length + canonical + reason) + 160;
}

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

/** Atoms as RDKit would count them (bracket atoms, organic-subset letters, '*'), for the size bound. */
export function countSmilesAtoms(smiles: string): number {
  let atoms = 0;
  let inBracket = false;
  for (let i = 0; i < smiles.length; i++) {
    const c = smiles.charCodeAt(i);
    if (inBracket) {
      if (c === 93) inBracket = false; // ]
      continue;
    }
    if (c === 91) {
      inBracket = true; // [
      atoms++;
    } else if (c === 42) atoms++; // *
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      // Cl and Br are one atom; any other letter counts as one (over-counting only refuses sooner).
      const prev = smiles.charCodeAt(i - 1);
      if (!((c === 108 && prev === 67) || (c === 114 && prev === 66))) atoms++;
    }
  }
  return atoms;
}

const faultListeners = new Set<(message: string) => void>();

/** Hears every RDKit fault of every validator in the process (the language server logs them); returns the unsubscribe. */
export function addRDKitFaultListener(listener: (message: string) => void): () => void {
  faultListeners.add(listener);
  return () => faultListeners.delete(listener);
}

/** Thrown inside the guard when an instance fails its canary (corrupted without throwing). */
class CanaryFailed extends Error {}

/** One RDKit wasm instance: parses and explains, and throws whatever the wasm throws. */
class RDKitInstance {
  readonly version: string;
  private readonly log: Log | null;
  private readonly canaryExpected: string;

  constructor(
    readonly rd: MainModule,
    private readonly fast: boolean,
  ) {
    this.version = rd.version();
    this.log = logCapture(rd);
    this.canaryExpected = this.canonicalOf(CANARY_SMILES);
  }

  check(smiles: string, wantCanonical: boolean): SmilesValidation {
    this.log?.clear_buffer();
    const result = this.parse(smiles, this.fast ? fastParseOptions(smiles) : FULL_OPTIONS, wantCanonical);
    return result ?? explainFailure(smiles, this.log?.get_buffer() ?? '');
  }

  /** False (or a throw) when the instance no longer answers a known molecule correctly. */
  healthy(): boolean {
    return this.canonicalOf(CANARY_SMILES) === this.canaryExpected && this.canaryExpected !== '';
  }

  private canonicalOf(smiles: string): string {
    const mol = this.rd.get_mol(smiles, FULL_OPTIONS);
    try {
      return mol && mol.is_valid() ? mol.get_smiles() : '';
    } finally {
      mol?.delete();
    }
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

export interface RDKitGuardOptions {
  /** Refuse SMILES with more atoms than this before RDKit sees them (default RDKIT_MAX_ATOMS). */
  maxAtoms?: number;
  /** Refuse SMILES with more characters than this (default RDKIT_MAX_CHARS). */
  maxChars?: number;
  /** Where fresh instances come from after a fault (default: a new instance of @rdkit/rdkit). */
  loadInstance?: () => Promise<MainModule>;
  /** Called once per fault, with what happened (the language server logs it). */
  onFault?: (message: string) => void;
}

/** What the guard has seen, for logs, the fuzz and tests. */
export interface RDKitGuardStats {
  checks: number;
  /** Inputs refused by the size bounds. */
  refused: number;
  /** Instances lost: a throw from the wasm, or a failed canary. */
  faults: number;
  /** Answers given while no instance was ready ('unavailable'). */
  unavailable: number;
  /** Instances created after the first. */
  restarts: number;
}

export class RDKitValidator implements SmilesValidator {
  readonly version: string;
  // Re-analysis while typing sees the same SMILES again and again; results are pure functions of
  // the string, so a bounded least-recently-used cache makes re-checks nearly free. A Map keeps
  // insertion order: a hit is moved to the end, and the oldest entries (the first keys) are evicted.
  // The cache outlives instances: an answer from a healthy instance stays right.
  private readonly cache = new Map<string, SmilesValidation>();
  private cacheBytes = 0;
  private instance: RDKitInstance | undefined;
  private spare: Promise<RDKitInstance> | undefined;
  private replacing: Promise<void> | undefined;
  private sinceCanary = 0;
  private readonly maxAtoms: number;
  private readonly maxChars: number;
  private readonly loadInstance: () => Promise<MainModule>;
  readonly stats: RDKitGuardStats = { checks: 0, refused: 0, faults: 0, unavailable: 0, restarts: 0 };

  constructor(
    rd: MainModule,
    /** Parse with fastParseOptions (the default); false uses get_mol's defaults (for tests that compare). */
    private readonly fast = true,
    private readonly cacheLimit = CACHE_LIMIT,
    private readonly guard: RDKitGuardOptions = {},
  ) {
    this.instance = new RDKitInstance(rd, fast);
    this.version = this.instance.version;
    this.maxAtoms = guard.maxAtoms ?? RDKIT_MAX_ATOMS;
    this.maxChars = guard.maxChars ?? RDKIT_MAX_CHARS;
    this.loadInstance = guard.loadInstance ?? (() => initRDKitModule());
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
    if (result.kind === 'unavailable') return result;
    if (hit) this.uncache(smiles, hit);
    if (this.cacheLimit <= 0 || smiles.length > CACHE_MAX_KEY) return result;
    if (this.cache.size >= this.cacheLimit) this.evictOldest();
    const bytes = cachedBytes(smiles, result);
    for (const [key, r] of this.cache) {
      if (this.cacheBytes + bytes <= CACHE_BYTES) break;
      this.uncache(key, r);
    }
    this.cache.set(smiles, result);
    this.cacheBytes += bytes;
    return result;
  }

  private uncache(smiles: string, r: SmilesValidation): void {
    if (this.cache.delete(smiles)) this.cacheBytes -= cachedBytes(smiles, r);
  }

  /** Bytes the cache holds, roughly (for tests). */
  get cachedBytes(): number {
    return this.cacheBytes;
  }

  /** True while an instance is ready to answer (false only between a fault and its replacement). */
  get available(): boolean {
    return this.instance !== undefined;
  }

  /** Resolves once an instance is ready (at once when one is). */
  async ready(): Promise<void> {
    while (!this.instance) await (this.replacing ?? this.replace());
  }

  /** Entries currently cached (for tests). */
  get cacheSize(): number {
    return this.cache.size;
  }

  private evictOldest(): void {
    // Evict a tenth at once: one Map iteration instead of one per insertion past the limit.
    let n = Math.max(1, Math.floor(this.cacheLimit / 10));
    for (const [key, r] of this.cache) {
      this.uncache(key, r);
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
    // RDKit reads a SMILES up to the first whitespace; only that part is bounded (and parsed).
    const space = smiles.search(/\s/);
    const parsed = space < 0 ? smiles : smiles.slice(0, space);
    const atoms = countSmilesAtoms(parsed);
    if (atoms > this.maxAtoms || parsed.length > this.maxChars) {
      this.stats.refused++;
      const size = atoms > this.maxAtoms ? `${atoms} atoms, more than the ${this.maxAtoms}` : `${parsed.length} characters, more than the ${this.maxChars}`;
      return {
        ok: false,
        kind: 'too-large',
        reason: `too large to check: ${size} RDKit is given here (its WebAssembly build crashes on molecules of about 590 atoms)`,
        offset: 0,
        length: smiles.length,
      };
    }
    const instance = this.instance;
    if (!instance) {
      this.stats.unavailable++;
      return { ok: false, kind: 'unavailable', reason: 'RDKit is restarting after a crash; not checked yet', offset: 0, length: smiles.length };
    }
    this.stats.checks++;
    // Large inputs are the risky ones: have a replacement ready before one can be needed.
    if (atoms > CANARY_ABOVE_ATOMS) this.spare ??= this.newInstance();
    try {
      const result = instance.check(smiles, wantCanonical);
      if (atoms > CANARY_ABOVE_ATOMS || ++this.sinceCanary >= CANARY_EVERY) {
        this.sinceCanary = 0;
        if (!instance.healthy()) throw new CanaryFailed('a check of a known molecule gave a wrong answer afterwards');
      }
      return result;
    } catch (error) {
      const what = error instanceof CanaryFailed ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.fault(`RDKit failed on a ${atoms}-atom SMILES (${what}); its instance was replaced.`);
      return {
        ok: false,
        kind: 'rdkit-fault',
        reason: `RDKit crashed on this SMILES (${what}) and was restarted; it could not be checked`,
        offset: 0,
        length: smiles.length,
      };
    }
  }

  private fault(message: string): void {
    this.stats.faults++;
    const lost = this.instance;
    this.instance = undefined;
    if (lost && lost.rd === sharedModule) {
      // Validators made later from loadRDKitModule() must not get the broken module.
      sharedModule = undefined;
      loadingModule = undefined;
    }
    this.tell(message);
    this.replace().catch((error: unknown) => this.tell(`RDKit could not be restarted: ${error instanceof Error ? error.message : String(error)}`));
  }

  private tell(message: string): void {
    this.guard.onFault?.(message);
    for (const listener of faultListeners) listener(message);
  }

  /** Puts the spare (or a new instance) in place; the next spare is loaded on demand. */
  private replace(): Promise<void> {
    this.replacing ??= (async () => {
      for (let attempt = 0; ; attempt++) {
        const next = this.spare ?? this.newInstance();
        this.spare = undefined;
        try {
          this.instance = await next;
          this.stats.restarts++;
          return;
        } catch (error) {
          if (attempt >= 2) throw error;
        }
      }
    })().finally(() => {
      this.replacing = undefined;
    });
    return this.replacing;
  }

  /** A fresh instance, loading in the background (a failed load is seen by whoever awaits it). */
  private newInstance(): Promise<RDKitInstance> {
    const next = (async () => {
      const instance = new RDKitInstance(await this.loadInstance(), this.fast);
      if (!instance.healthy()) throw new Error('a fresh RDKit instance failed its canary check');
      return instance;
    })();
    next.catch(() => undefined); // not an unhandled rejection while it waits as the spare
    return next;
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
