// SMILES drawn as 2D structures. The host draws them with RDKit (server/src/dashboard/molecules.ts;
// RDKit.js's embind glue needs 'unsafe-eval', which this page's CSP refuses), the page asks in
// batches: every SMILES wanted within one frame goes in one request. The SVG is shown through an
// <img> as a data: URL, never inserted as markup, so nothing in it can run.

import type { DashboardBoot } from '../../../server/src/protocol/dashboard';
import type { Transport } from '../transport/transport';

const cache = new Map<string, Promise<string | null>>();
let queue: Array<{ runId: string; smiles: string; resolve: (url: string | null) => void }> = [];
let timer: ReturnType<typeof setTimeout> | null = null;
const BATCH = 200;

const toUrl = (svg: string | null | undefined): string | null => (svg ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` : null);

function flush(transport: Transport): void {
  timer = null;
  const items = queue;
  queue = [];
  const byRun = new Map<string, typeof items>();
  for (const it of items) byRun.set(it.runId, [...(byRun.get(it.runId) ?? []), it]);
  for (const [runId, list] of byRun) {
    for (let i = 0; i < list.length; i += BATCH) {
      const part = list.slice(i, i + BATCH);
      transport.request({ kind: 'molecules', runId, smiles: [...new Set(part.map((x) => x.smiles))] }).then(
        (drawn) => part.forEach((x) => x.resolve(toUrl(drawn[x.smiles]))),
        () => part.forEach((x) => x.resolve(null)),
      );
    }
  }
}

/** A data: URL of the molecule's drawing, or null (not parseable, too large, or no drawings here). */
export function moleculeUrl(boot: DashboardBoot, transport: Transport, runId: string, smiles: string): Promise<string | null> {
  if (!boot.molecules || !smiles || smiles.length > 4000) return Promise.resolve(null);
  const key = `${runId}\u0000${smiles}`;
  let p = cache.get(key);
  if (!p) {
    p = new Promise<string | null>((resolve) => queue.push({ runId, smiles, resolve }));
    cache.set(key, p);
    if (cache.size > 5000) cache.delete(cache.keys().next().value!);
    timer ??= setTimeout(() => flush(transport), 16);
  }
  return p;
}
