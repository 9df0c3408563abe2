// Top-k as HF's TopKLogitsWarper: keep every token whose logit is >= the k-th largest (ties at the
// boundary are all kept, as `scores < topk(scores, k)[..., -1]` keeps them), the rest become
// -Infinity. k = 0 is off; k >= the vocabulary keeps everything. In place.

/** The k-th largest value of `xs` (1-based), without sorting everything: a bounded min-heap. */
export function kthLargest(xs: Float64Array, k: number): number {
  const heap = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (n < k) {
      let j = n++;
      heap[j] = x;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (heap[parent]! <= heap[j]!) break;
        [heap[parent], heap[j]] = [heap[j]!, heap[parent]!];
        j = parent;
      }
    } else if (x > heap[0]!) {
      heap[0] = x;
      let j = 0;
      for (;;) {
        const l = 2 * j + 1;
        const r = l + 1;
        let m = j;
        if (l < k && heap[l]! < heap[m]!) m = l;
        if (r < k && heap[r]! < heap[m]!) m = r;
        if (m === j) break;
        [heap[m], heap[j]] = [heap[j]!, heap[m]!];
        j = m;
      }
    }
  }
  return heap[0]!;
}

export function applyTopK(logits: Float64Array, k: number): void {
  if (k <= 0 || k >= logits.length) return;
  const threshold = kthLargest(logits, k);
  for (let i = 0; i < logits.length; i++) if (logits[i]! < threshold) logits[i] = -Infinity;
}
