// Decides when each chart card does its work. Cards in view (or within a screen of it) do it in
// the frame that asked; cards out of view wait: a rebuild (first build, other runs shown, smoothing,
// x axis, theme) is done after the next paint in short slices, nearest card first, so every card is right by the time it is
// scrolled to and the first charts show before the last are built; a live append only marks an
// out-of-view card stale, and the card catches up when it comes into view (IntersectionObserver).
// A live update thus costs the few charts on screen, not all eighteen.

export type CardWork = 'rebuild' | 'refresh';

export interface ScheduledCard {
  readonly root: HTMLElement;
  rebuild(): void;
  refresh(): void;
  redraw(): void;
}

/** How far outside the viewport a card still counts as in view (px). */
const MARGIN = 0;

/** Longest run of hidden-card rebuilds before the browser gets the main thread back (ms). */
const SLICE_MS = 100;

export class CardScheduler<C extends ScheduledCard> {
  private cards: C[] = [];
  private byRoot = new Map<Element, C>();
  private readonly stale = new Map<C, CardWork>();
  private readonly visible = new Set<C>();
  private observer: IntersectionObserver | null = null;
  private idlePending = false;

  /**
   * `active`: whether the cards' panel is shown (nothing is drawn into a hidden one);
   * `wake`: called when a stale card came into view (the host then calls run() in a frame).
   */
  constructor(
    private readonly active: () => boolean,
    private readonly wake: () => void,
  ) {}

  /** Takes over a new set of cards (all stale: 'rebuild'); which are in view is measured now. */
  attach(cards: C[]): void {
    this.observer?.disconnect();
    this.cards = cards;
    this.byRoot = new Map(cards.map((c) => [c.root, c]));
    this.stale.clear();
    this.visible.clear();
    for (const c of cards) this.setStale(c, 'rebuild');
    const vh = window.innerHeight || document.documentElement.clientHeight;
    for (const c of cards) {
      const r = c.root.getBoundingClientRect();
      if (r.width > 0 && r.bottom > -MARGIN && r.top < vh + MARGIN) this.visible.add(c);
    }
    if (typeof IntersectionObserver === 'undefined') {
      for (const c of cards) this.visible.add(c);
      return;
    }
    this.observer = new IntersectionObserver((entries) => this.observed(entries), { rootMargin: `${MARGIN}px 0px` });
    for (const c of cards) this.observer.observe(c.root);
  }

  /** Every card needs `work` (a rebuild also covers a pending refresh). */
  mark(work: CardWork): void {
    for (const c of this.cards) this.setStale(c, work);
  }

  /** Does the stale cards' work: those in view now, hidden rebuilds after the next paint. */
  run(): void {
    if (!this.active()) return;
    for (const c of this.cards) if (this.visible.has(c)) this.work(c);
    this.queueIdle();
  }

  /** Redraws the cards in view that are up to date (crosshair, drag box). */
  redraw(): void {
    if (!this.active()) return;
    for (const c of this.visible) if (!this.stale.has(c)) c.redraw();
  }

  /** Cards still to do (tests and the bench wait for none). */
  get pending(): number {
    return this.stale.size;
  }

  private work(c: C): void {
    const w = this.stale.get(c);
    if (!w) return;
    this.setStale(c, null);
    if (w === 'rebuild') c.rebuild();
    else c.refresh();
  }

  private setStale(c: C, work: CardWork | null): void {
    if (work === null) this.stale.delete(c);
    else if (work === 'rebuild' || !this.stale.has(c)) this.stale.set(c, work);
    // Seen by tests and the bench: a card without it shows the current data.
    if (work === null) c.root.removeAttribute('data-stale');
    else c.root.setAttribute('data-stale', this.stale.get(c)!);
  }

  private observed(entries: IntersectionObserverEntry[]): void {
    let woke = false;
    for (const e of entries) {
      const card = this.byRoot.get(e.target);
      if (!card) continue;
      if (e.isIntersecting) {
        this.visible.add(card);
        if (this.stale.has(card)) woke = true;
      } else this.visible.delete(card);
    }
    if (woke) this.wake();
  }

  /**
   * Hidden rebuilds start after the frame that drew the cards in view has been painted, then run in
   * slices of about SLICE_MS with the browser let in between (macrotasks, not idle callbacks: a page
   * busy with live updates may have no idle time for seconds).
   */
  private queueIdle(): void {
    if (this.idlePending || ![...this.stale.values()].includes('rebuild')) return;
    this.idlePending = true;
    requestAnimationFrame(() => setTimeout(() => this.slice(), 0));
  }

  private slice(): void {
    this.idlePending = false;
    if (!this.active()) return;
    const t0 = performance.now();
    for (const c of this.cards) {
      if (this.stale.get(c) !== 'rebuild') continue;
      this.work(c);
      if (performance.now() - t0 > SLICE_MS) break;
    }
    if (!this.idlePending && [...this.stale.values()].includes('rebuild')) {
      this.idlePending = true;
      setTimeout(() => this.slice(), 0);
    }
  }
}
