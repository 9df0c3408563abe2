// Polls a RunTail whenever the folder changes: fs.watch on the run folder and its completions/
// folder wakes it at once, and a timer polls anyway (fs.watch misses events on network and
// container file systems). Polls never overlap; a change during a poll schedules one more.

import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../../../protocol/run-format';
import { isEmptyUpdate, type RunTail, type RunUpdate } from './run-tail';

export interface FollowOptions {
  /** Poll at least this often (ms; default 500). */
  intervalMs?: number;
  /** Wait this long after a file event before polling, so a burst of writes is read once (ms; default 25). */
  debounceMs?: number;
  onError?: (e: Error) => void;
}

export class RunFollower {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    readonly tail: RunTail,
    private readonly onUpdate: (u: RunUpdate) => void,
    private readonly opts: FollowOptions = {},
  ) {}

  start(): void {
    for (const d of [this.tail.dir, join(this.tail.dir, RUN_FILES.completionsDir)]) {
      try {
        const w = watch(d, { persistent: false }, () => this.kick());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // the folder may not exist yet: the timer covers it
      }
    }
    this.timer = setInterval(() => void this.pollNow(), this.opts.intervalMs ?? 500);
    this.timer.unref?.();
  }

  private kick(): void {
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.pollNow();
    }, this.opts.debounceMs ?? 25);
  }

  /** Polls now (or right after the poll in flight) and resolves when done. */
  pollNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.busy) {
      this.again = true;
      return this.busy;
    }
    this.busy = (async () => {
      do {
        this.again = false;
        try {
          const u = await this.tail.poll();
          if (!isEmptyUpdate(u) && !this.stopped) this.onUpdate(u);
        } catch (e) {
          this.opts.onError?.(e as Error);
        }
      } while (this.again && !this.stopped);
      this.busy = null;
    })();
    return this.busy;
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = this.debounce = null;
  }
}
