// Reused memory for KV caches. A fresh 50 MB cache (64 rows x 129 slots x 4 layers) costs ~140 ms
// of first-touch page faults on this kind of VM (measured: 11 us per 4 KB page), more than the
// whole decode compute of a short generation; a policy keeps one arena and hands its buffers to
// each generation in turn (PolicyTiny serializes its sample() calls for this).

export class KvArena {
  private buffers: Float32Array[] = [];

  /** Buffer `slot`, at least `n` floats, its first n zeroed (stale keys must not leak into a new cache). */
  take(slot: number, n: number): Float32Array {
    let b = this.buffers[slot];
    if (!b || b.length < n) {
      b = new Float32Array(n);
      this.buffers[slot] = b;
      return b;
    }
    const view = b.subarray(0, n);
    view.fill(0);
    return view;
  }

  /** Replaces buffer `slot` (after a cache outgrew it). */
  put(slot: number, b: Float32Array): void {
    this.buffers[slot] = b;
  }

  clear(): void {
    this.buffers = [];
  }
}
