// `npm run fuzz`: the long stdio fuzz of the language server. Figures go to stdout (and, with
// --json FILE, to a file); docs/fuzz.md records a run. Options:
//   --documents N   documents to generate (default 100000)
//   --seed N        first batch seed (default: the time)
//   --minutes M     stop after M minutes whatever the count (default: none)
//   --batch N       documents open at once (default 12; larger batches amortise the debounce and canary)
//   --small         leave out the 5 MB lines, 100k-deep JSON and big repeats
//   --json FILE     also write the report as JSON
import { writeFileSync } from 'node:fs';
import { formatReport, runLspFuzz } from './lsp-fuzz';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const documents = Number(arg('--documents') ?? 100_000);
  const seed = Number(arg('--seed') ?? Date.now() % 1_000_000);
  const minutes = arg('--minutes');
  let last = 0;
  const report = await runLspFuzz({
    documents,
    seed,
    big: !process.argv.includes('--small'),
    ...(arg('--batch') ? { batch: Number(arg('--batch')) } : {}),
    ...(minutes ? { timeBudgetMs: Number(minutes) * 60_000 } : {}),
    onProgress: (r) => {
      if (r.elapsedMs - last < 10_000) return;
      last = r.elapsedMs;
      console.log(`[${(r.elapsedMs / 1000).toFixed(0)} s] ${r.documents} documents, ${r.requests} requests, crashes ${r.crashes}, hangs ${r.hangs}, unanswered ${r.unanswered}, RDKit faults ${r.rdkitFaults}, server RSS ${r.currentRssMb.toFixed(0)} MB now, peak ${r.peakRssMb.toFixed(0)} MB (driver ${r.driverPeakRssMb.toFixed(0)} MB)`);
    },
  });
  console.log(formatReport(report));
  for (const f of report.failures) console.log(`  failure: ${f}`);
  const file = arg('--json');
  if (file) writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const clean = report.crashes === 0 && report.hangs === 0 && report.unanswered === 0 && report.unpublished === 0;
  process.exit(clean ? 0 : 1);
}

void main();
