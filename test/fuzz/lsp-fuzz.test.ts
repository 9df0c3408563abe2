// The CI slice of the stdio fuzz (the long run is `npm run fuzz`, figures in docs/fuzz.md): a few
// hundred generated and mutated documents of every language, with edits, hovers and code actions
// at any position, through the real language server. Zero crashes, hangs and unanswered requests,
// every canary exact, memory bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, runLspFuzz } from './lsp-fuzz';

const DOCUMENTS = Number(process.env.UME_FUZZ_DOCUMENTS ?? 240);

test(`stdio fuzz slice: ${DOCUMENTS} documents, nothing crashes, hangs or goes unanswered`, async (t) => {
  const report = await runLspFuzz({ documents: DOCUMENTS, seed: Number(process.env.UME_FUZZ_SEED ?? 1717), timeBudgetMs: 45_000 });
  for (const line of formatReport(report).split('\n')) t.diagnostic(line);
  assert.deepEqual(report.failures, []);
  assert.equal(report.crashes, 0);
  assert.equal(report.hangs, 0);
  assert.equal(report.unanswered, 0);
  assert.equal(report.unpublished, 0);
  assert.equal(report.canaryFailures, 0);
  assert.ok(report.documents >= Math.min(DOCUMENTS, 60), `only ${report.documents} documents in the time budget`);
  assert.ok(report.peakRssMb < 1500, `peak RSS ${report.peakRssMb.toFixed(0)} MB`);
});
