// Scoring jobs run one at a time (ONNX Runtime already uses every core), interactive ones (hovers)
// before bulk ones (ume/score chunks, the heat map). A job whose caller cancels while it waits is
// dropped at once and its caller gets CANCELLED without waiting for the jobs ahead; a running job
// sees an aborted signal, which the PLL loop checks between forward passes.
// No LSP imports: tested on its own.

export const CANCELLED: unique symbol = Symbol('cancelled');
export type Cancelled = typeof CANCELLED;

export type Priority = 'interactive' | 'bulk';

interface Job {
  run: (signal: AbortSignal) => Promise<unknown>;
  controller: AbortController;
  settle: (v: unknown) => void;
  fail: (e: unknown) => void;
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

export class ScoringQueue {
  private readonly waiting: Record<Priority, Job[]> = { interactive: [], bulk: [] };
  private running = false;

  /** Jobs waiting (not the running one). */
  get pending(): number {
    return this.waiting.interactive.length + this.waiting.bulk.length;
  }

  /**
   * Queues `run`; resolves with its result, or CANCELLED when `signal` aborts before or while it
   * runs (a job that ignores the signal still finishes, but its caller is not kept waiting).
   */
  submit<T>(run: (signal: AbortSignal) => Promise<T>, priority: Priority, signal?: AbortSignal): Promise<T | Cancelled> {
    if (signal?.aborted) return Promise.resolve(CANCELLED);
    return new Promise<T | Cancelled>((resolve, reject) => {
      const controller = new AbortController();
      let done = false;
      const job: Job = {
        run,
        controller,
        settle: (v) => {
          if (!done) {
            done = true;
            resolve(v as T | Cancelled);
          }
        },
        fail: (e) => {
          if (done) return;
          done = true;
          if (controller.signal.aborted && isAbortError(e)) resolve(CANCELLED);
          else reject(e);
        },
      };
      signal?.addEventListener(
        'abort',
        () => {
          controller.abort();
          const list = this.waiting[priority];
          const i = list.indexOf(job);
          if (i >= 0) list.splice(i, 1);
          job.settle(CANCELLED);
        },
        { once: true },
      );
      this.waiting[priority].push(job);
      this.pump();
    });
  }

  private pump(): void {
    if (this.running) return;
    const job = this.waiting.interactive.shift() ?? this.waiting.bulk.shift();
    if (!job) return;
    this.running = true;
    void (async () => {
      try {
        job.settle(await job.run(job.controller.signal));
      } catch (e) {
        job.fail(e);
      } finally {
        this.running = false;
        this.pump();
      }
    })();
  }
}
