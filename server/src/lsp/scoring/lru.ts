// A small least-recently-used map: scores of sequences the user hovered or scored recently, so a
// second hover (or the heat map after an unrelated edit) costs a map lookup, not a forward pass.
// Bounded by entries and, when a weigher is given, by total weight (bytes), so a few very long
// sequences cannot hold hundreds of MB.

export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(
    readonly capacity: number,
    private readonly budget?: { maxWeight: number; weigh: (key: K, value: V) => number },
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`LRU capacity must be a positive integer, got ${capacity}`);
    if (budget && !(budget.maxWeight > 0)) throw new Error(`LRU maxWeight must be positive, got ${budget.maxWeight}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** Sum of the entries' weights (0 without a weigher). */
  get weight(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    // Map keeps insertion order: re-inserting moves the key to the most recent end.
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V): void {
    this.remove(key);
    const weight = this.budget ? this.budget.weigh(key, value) : 0;
    // An entry heavier than the whole budget is not kept (it would evict everything else).
    if (this.budget && weight > this.budget.maxWeight) return;
    this.map.set(key, { value, weight });
    this.total += weight;
    while (this.map.size > this.capacity || (this.budget && this.total > this.budget.maxWeight)) this.remove(this.map.keys().next().value as K);
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  private remove(key: K): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.total -= e.weight;
  }
}
