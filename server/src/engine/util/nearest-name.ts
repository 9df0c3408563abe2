// "Did you mean" for unknown keys and values: the valid name with the smallest edit distance
// (Damerau-style transpositions count as one edit, case and -/_ are ignored), when it is close
// enough to be a plausible typo.

function normalize(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/** The closest valid name, or undefined when none is within a third of the name's length (at least 2 edits). */
export function nearestName(name: string, valid: Iterable<string>): string | undefined {
  const key = normalize(name);
  let best: string | undefined;
  let bestD = Infinity;
  for (const v of valid) {
    const nv = normalize(v);
    let dist = editDistance(key, nv);
    // A prefix or a contained word ("lr" in "learning_rate" does not count; "generations" in "num_generations" does).
    if (key.length >= 4 && (nv.includes(key) || key.includes(nv))) dist = Math.min(dist, 1);
    if (dist < bestD) {
      bestD = dist;
      best = v;
    }
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return bestD <= limit ? best : undefined;
}

/** " (did you mean "x"?)" or "" — for appending to an error message. */
export function didYouMean(name: string, valid: Iterable<string>): string {
  const n = nearestName(name, valid);
  return n ? ` (did you mean "${n}"?)` : '';
}
