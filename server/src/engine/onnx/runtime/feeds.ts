// Checks feeds against the model's declared inputs before ORT sees them, so a wrong feed says which
// input, what was expected and what came, instead of ORT's generic "invalid dimensions" text.

import type { DType, Shape, TensorData } from '../ir';
import { numel } from '../ir';

export interface InputSpec {
  name: string;
  dtype: DType | undefined;
  /** undefined when the model does not say. Strings are symbolic dims (bound per run). */
  shape: Shape | undefined;
}

const fmt = (s: readonly (number | string)[]): string => `[${s.join(', ')}]`;

export function checkFeeds(specs: readonly InputSpec[], feeds: Record<string, TensorData>): void {
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(feeds)) {
    if (!known.has(name)) throw new Error(`feed "${name}" is not an input of this model; its inputs are: ${specs.map((s) => s.name).join(', ')}`);
  }
  const bound = new Map<string, { size: number; by: string }>();
  for (const spec of specs) {
    const t = feeds[spec.name];
    const expected = spec.shape ? `${spec.dtype ?? '?'}${fmt(spec.shape)}` : (spec.dtype ?? 'a tensor');
    if (!t) throw new Error(`missing feed for input "${spec.name}" (expected ${expected}); fed: ${Object.keys(feeds).join(', ') || 'nothing'}`);
    if (spec.dtype && t.dtype !== spec.dtype) throw new Error(`input "${spec.name}" expects ${expected} but was fed ${t.dtype}${fmt(t.shape)}`);
    if (t.data.length !== numel(t.shape)) {
      throw new Error(`input "${spec.name}": tensor shape ${fmt(t.shape)} needs ${numel(t.shape)} elements but its data has ${t.data.length}`);
    }
    if (!spec.shape) continue;
    const bad = (why: string) => new Error(`input "${spec.name}" expects ${expected} but was fed ${t.dtype}${fmt(t.shape)}: ${why}`);
    if (t.shape.length !== spec.shape.length) throw bad(`rank ${t.shape.length} instead of ${spec.shape.length}`);
    spec.shape.forEach((d, i) => {
      const got = t.shape[i]!;
      if (typeof d === 'number') {
        if (d !== got) throw bad(`dim ${i} is ${got}, not ${d}`);
        return;
      }
      const prev = bound.get(d);
      if (prev && prev.size !== got) throw bad(`dim ${i} (${d}) is ${got}, but ${d} = ${prev.size} from ${prev.by}`);
      if (!prev) bound.set(d, { size: got, by: `"${spec.name}"` });
    });
  }
}
