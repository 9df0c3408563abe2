// One measured repetition of the detect bench, in its own process: RDKit's validator caches results
// per process, so a fresh process is the only way to time cold detection more than once. It prints
// one JSON line. Tasks:
//   throughput FILE WARM EXT MODE  parse only, then analyzeDocument uncapped (cold), then again (cached)
//   first FILE EXT MODE           read + analyzeDocument with the default caps (time to first diagnostics)

import { readFileSync } from 'node:fs';
import { analyzeDocument, findSequences, loadRDKit, type DetectionMode, type DocumentAnalysis } from '../server/src/engine/seq/index';

const UNCAPPED = { maxBytes: Number.MAX_SAFE_INTEGER, maxSequences: Number.MAX_SAFE_INTEGER };

function summary(a: DocumentAnalysis): Record<string, unknown> {
  const modality: Record<string, number> = {};
  const codes: Record<string, number> = {};
  for (const r of a.reports) {
    const m = r.detection.modality ?? 'none';
    modality[m] = (modality[m] ?? 0) + 1;
    for (const d of r.diagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
  }
  for (const d of a.fileDiagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
  return { sequences: a.reports.length, modality, codes, truncated: a.truncated };
}

const maxRssMB = (): number => process.resourceUsage().maxRSS / 1024;

async function throughput(file: string, warm: string, extension: string, mode: DetectionMode): Promise<Record<string, unknown>> {
  const rdkit = await loadRDKit();
  const text = readFileSync(file, 'utf8');
  await analyzeDocument(readFileSync(warm, 'utf8'), { mode, extension, ...UNCAPPED }); // JIT warm-up on other strings
  let t = performance.now();
  const found = findSequences(text, { extension, ...UNCAPPED });
  const parseMs = performance.now() - t;
  t = performance.now();
  const cold = await analyzeDocument(text, { mode, extension, ...UNCAPPED });
  const coldMs = performance.now() - t;
  t = performance.now();
  await analyzeDocument(text, { mode, extension, ...UNCAPPED });
  const recheckMs = performance.now() - t;
  return {
    parse_ms: parseMs, cold_ms: coldMs, recheck_ms: recheckMs, parsed: found.occurrences.length,
    bytes: Buffer.byteLength(text), residues: found.occurrences.reduce((s, o) => s + o.text.length, 0),
    rdkit: rdkit.version, ...summary(cold), max_rss_mb: maxRssMB(),
  };
}

async function first(file: string, extension: string, mode: DetectionMode): Promise<Record<string, unknown>> {
  const rdkit = await loadRDKit();
  await analyzeDocument('>warm\nMKVLAAGIVGLLLA\n>w2\nCCO\n', { mode, extension }); // JIT warm-up
  const t0 = performance.now();
  const text = readFileSync(file, 'utf8');
  const t1 = performance.now();
  const a = await analyzeDocument(text, { mode, extension }); // default caps: 8 MiB, 200k sequences
  const t2 = performance.now();
  const ume004 = a.fileDiagnostics.find((d) => d.code === 'UME004');
  return { read_ms: t1 - t0, analyze_ms: t2 - t1, bytes: Buffer.byteLength(text), ume004: ume004?.message ?? null, rdkit: rdkit.version, ...summary(a), max_rss_mb: maxRssMB() };
}

async function main(): Promise<void> {
  const [task, ...a] = process.argv.slice(2);
  const mode = (task === 'throughput' ? a[3] : a[2]) as DetectionMode;
  if (mode !== 'lobster' && mode !== 'default') throw new Error(`detect-worker: mode must be lobster or default, got "${String(mode)}"`);
  let out: Record<string, unknown>;
  if (task === 'throughput') out = await throughput(a[0]!, a[1]!, a[2]!, mode);
  else if (task === 'first') out = await first(a[0]!, a[1]!, mode);
  else throw new Error(`detect-worker: unknown task "${String(task)}"; use throughput or first`);
  console.log(JSON.stringify(out));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
