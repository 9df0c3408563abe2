// Debounced, superseding runs per document: while the user types, only the last edit's analysis
// matters. A new schedule for a key cancels the pending timer and flags any running analysis as
// superseded (its result is dropped); runs of the same key never overlap, so a slow analysis of a
// big file cannot pile up behind fast typing. No LSP imports, so it is unit-testable on its own.

export interface RunToken {
  /** True once a newer run for the same key was scheduled or the key was cancelled. */
  readonly cancelled: boolean;
}

interface Entry {
  timer: NodeJS.Timeout | undefined;
  token: { cancelled: boolean };
}

export class DebouncedRunner {
  private readonly entries = new Map<string, Entry>();
  /** The run in flight (or last finished) per key; a new run waits for it. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private pendingCount = 0;

  constructor(
    private readonly run: (key: string, token: RunToken) => Promise<void>,
    private readonly onPendingChange: (pending: number) => void = () => {},
    private readonly onError: (key: string, error: unknown) => void = () => {},
  ) {}

  /** Runs `key` after `delayMs` unless scheduled again before; supersedes any earlier run. */
  schedule(key: string, delayMs: number): void {
    this.supersede(key);
    const token = { cancelled: false };
    const entry: Entry = { timer: undefined, token };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.start(key, entry);
    }, Math.max(0, delayMs));
    this.entries.set(key, entry);
    this.setPending(this.entries.size);
  }

  /** Drops whatever is pending or running for `key` (e.g. the document was closed). */
  cancel(key: string): void {
    this.supersede(key);
    this.entries.delete(key);
    this.setPending(this.entries.size);
  }

  pending(): number {
    return this.entries.size;
  }

  /** Resolves once nothing is scheduled or running (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.entries.size > 0 || this.inFlight.size > 0) {
      await Promise.all([...this.inFlight.values()]);
      if (this.entries.size > 0) await new Promise((r) => setTimeout(r, 5));
    }
  }

  dispose(): void {
    for (const key of [...this.entries.keys()]) this.cancel(key);
  }

  private supersede(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    old.token.cancelled = true;
    if (old.timer) clearTimeout(old.timer);
  }

  private async start(key: string, entry: Entry): Promise<void> {
    const previous = this.inFlight.get(key);
    const current = (async () => {
      if (previous) await previous;
      if (entry.token.cancelled) return;
      try {
        await this.run(key, entry.token);
      } catch (error) {
        this.onError(key, error);
      }
    })();
    this.inFlight.set(key, current);
    await current;
    if (this.inFlight.get(key) === current) this.inFlight.delete(key);
    if (this.entries.get(key) === entry) {
      this.entries.delete(key);
      this.setPending(this.entries.size);
    }
  }

  private setPending(n: number): void {
    if (n !== this.pendingCount) {
      this.pendingCount = n;
      this.onPendingChange(n);
    }
  }
}
