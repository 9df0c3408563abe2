// A stdio fuzz of the language server: the real server (through tsx, as the stream tests run it) gets
// batches of generated and mutated documents of every language, incremental edits with ranges inside
// and outside the document, hovers and code actions at any position, and closes. Every request has a
// deadline; a canary document with known diagnostics is checked between batches, so a server that
// stopped validating SMILES or stopped answering is caught at once. A crash or hang is counted, the
// server is restarted, and the run goes on. Reproducible: batch i uses seed + i.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { CodeActionRequest, HoverRequest, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { TestClient } from '../lsp/harness';
import { hoverBudgetMs } from '../../server/src/lsp/features/hover';
import { document, EXTENSION, position, type FuzzDocument } from './generators';

export interface FuzzOptions {
  /** Documents to open in all (each then edited, hovered, code-actioned and closed). */
  documents: number;
  seed: number;
  /** Documents open at once. */
  batch?: number;
  /** Include 5 MB lines, 100k-deep JSON and 60x repeats (the long run); small shapes otherwise. */
  big?: boolean;
  /** A request (or a publish) not answered within this is unanswered. */
  requestTimeoutMs?: number;
  /** Stop early after this long (the figures say how far it got). */
  timeBudgetMs?: number;
  /** Progress lines (the long run prints one per ~10 s). */
  onProgress?: (r: FuzzReport) => void;
}

export interface FuzzReport {
  seed: number;
  documents: number;
  edits: number;
  requests: number;
  /** Requests answered with a JSON-RPC error (answered, but the server refused). */
  errorResponses: number;
  unanswered: number;
  /** Documents whose diagnostics for their last version never came. */
  unpublished: number;
  crashes: number;
  hangs: number;
  canaryChecks: number;
  canaryFailures: number;
  rdkitFaults: number;
  peakRssMb: number;
  /** The server's RSS now (VmRSS), sampled with the peak: whether memory comes back between batches. */
  currentRssMb: number;
  /** Peak RSS of this fuzz process (the client side), to show the driver itself stays bounded over long runs. */
  driverPeakRssMb: number;
  elapsedMs: number;
  /** What went wrong, for the first few failures (with the batch seed to replay). */
  failures: string[];
  /** The largest document sent, in characters. */
  largestDocument: number;
}

/** The fuzz checks the server as users run it: the hover's real time budget. */
const REAL_BUDGET = { UME_HOVER_BUDGET_MS: String(hoverBudgetMs()) };

const CANARY_TEXT = 'CCO\nC1CC\nc1ccccc1\n';
const CANARY_EXPECTED = JSON.stringify([['UME103', 1]]);

function rssOf(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** A small seeded generator for the operations (fast-check makes the documents). */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

type Outcome = 'ok' | 'error' | 'timeout';

function withDeadline(p: Promise<unknown>, ms: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => 'ok' as const,
      () => 'error' as const,
    ),
    new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
  ]).finally(() => clearTimeout(timer));
}

export async function runLspFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const batchSize = options.batch ?? 12;
  const timeout = options.requestTimeoutMs ?? 30_000;
  const started = Date.now();
  const report: FuzzReport = {
    seed: options.seed, documents: 0, edits: 0, requests: 0, errorResponses: 0, unanswered: 0, unpublished: 0, crashes: 0, hangs: 0,
    canaryChecks: 0, canaryFailures: 0, rdkitFaults: 0, peakRssMb: 0, currentRssMb: 0, driverPeakRssMb: 0, elapsedMs: 0, failures: [], largestDocument: 0,
  };
  const fail = (what: string) => {
    if (report.failures.length < 20) report.failures.push(what);
  };

  let client = await TestClient.start({ settings: {}, env: REAL_BUDGET });
  let exited = false;
  const watch = (c: TestClient) => c.process.once('exit', () => (exited = true));
  watch(client);
  const restart = async () => {
    report.peakRssMb = Math.max(report.peakRssMb, rssOf(client.process.pid!));
    report.rdkitFaults += countFaults(client);
    client.process.kill('SIGKILL');
    client = await TestClient.start({ settings: {}, env: REAL_BUDGET });
    exited = false;
    watch(client);
  };
  const rssTimer = setInterval(() => {
    report.peakRssMb = Math.max(report.peakRssMb, rssOf(client.process.pid!));
    report.currentRssMb = rssOf(client.process.pid!, 'VmRSS');
    report.driverPeakRssMb = Math.max(report.driverPeakRssMb, process.memoryUsage().rss / 2 ** 20);
  }, 500);
  // The test client keeps every publish, log and message for its assertions; over 100k documents
  // that would grow without bound, so after each batch what was counted is let go.
  const drain = () => {
    report.rdkitFaults += countFaults(client);
    client.logs.length = 0;
    client.publishes.length = 0;
    client.messages.length = 0;
    client.statuses.length = 0;
    for (const uri of [...client.diagnostics.keys()]) if (!client.docs.has(uri)) client.diagnostics.delete(uri);
    if (client.stderr.length > 1_000_000) client.stderr = client.stderr.slice(-100_000);
  };

  let n = 0;
  try {
    for (let b = 0; report.documents < options.documents; b++) {
      if (options.timeBudgetMs !== undefined && Date.now() - started > options.timeBudgetMs) break;
      const batchSeed = options.seed + b;
      const count = Math.min(batchSize, options.documents - report.documents);
      const docs: FuzzDocument[] = fc.sample(document(options.big === true), { seed: batchSeed, numRuns: count });
      const rand = prng(batchSeed);
      const requests: Array<Promise<Outcome>> = [];
      const opened: string[] = [];
      for (const d of docs) {
        const uri = `file:///tmp/ume-fuzz/d${n++}${EXTENSION[d.language]}`;
        report.largestDocument = Math.max(report.largestDocument, d.text.length);
        client.open(uri, d.language, d.text);
        opened.push(uri);
        report.documents++;
        const lines = d.text.split('\n').length;
        const at = (): { line: number; character: number } => fc.sample(position(lines), { seed: Math.floor(rand() * 2 ** 31), numRuns: 1 })[0]!;
        const ops = Math.floor(rand() * 6);
        for (let k = 0; k < ops; k++) {
          const r = rand();
          if (r < 0.35) {
            const a = at();
            const e = rand() < 0.5 ? a : at();
            const [start, end] = a.line < e.line || (a.line === e.line && a.character <= e.character) ? [a, e] : [e, a];
            const text = ['', 'C', '1', '\n', '\r\n', '\u0000', '\ud800', '<smiles>', 'c1ccccc1', 'MKTAYIAKQR'][Math.floor(rand() * 10)]!;
            client.change(uri, [{ range: { start, end }, text }]);
            report.edits++;
          } else if (r < 0.75) {
            requests.push(withDeadline(client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at() }), timeout));
          } else {
            const a = at();
            const diagnostics: Diagnostic[] = rand() < 0.5 ? [] : (client.diagnostics.get(uri)?.diagnostics ?? []).slice(0, 3);
            requests.push(withDeadline(client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: a, end: a }, context: { diagnostics } }), timeout));
          }
        }
      }
      const outcomes = await Promise.all(requests);
      report.requests += outcomes.length;
      report.errorResponses += outcomes.filter((o) => o === 'error').length;
      const lost = outcomes.filter((o) => o === 'timeout').length;
      report.unanswered += lost;
      if (lost > 0) fail(`batch seed ${batchSeed}: ${lost} request(s) unanswered after ${timeout} ms`);
      for (const uri of opened) {
        if (exited) break;
        try {
          await client.diagnosticsFor(uri, timeout);
        } catch {
          report.unpublished++;
          fail(`batch seed ${batchSeed}: no diagnostics for ${uri} v${client.doc(uri).version}`);
        }
      }
      for (const uri of opened) if (!exited) client.close(uri);

      const ok = exited ? false : await canary(client, timeout, report);
      if (exited) {
        report.crashes++;
        fail(`batch seed ${batchSeed}: the server exited (${client.stderr.slice(-500)})`);
        await restart();
      } else if (!ok) {
        report.hangs++;
        fail(`batch seed ${batchSeed}: the canary failed (server silent or SMILES checks broken)`);
        await restart();
      }
      drain();
      report.elapsedMs = Date.now() - started;
      options.onProgress?.(report);
    }
  } finally {
    clearInterval(rssTimer);
    report.peakRssMb = Math.max(report.peakRssMb, rssOf(client.process.pid!));
    report.rdkitFaults += countFaults(client);
    report.elapsedMs = Date.now() - started;
    await client.stop();
  }
  return report;
}

function countFaults(client: TestClient): number {
  return client.logs.filter((l) => /RDKit failed|RDKit could not be restarted/.test(l)).length;
}

let canaries = 0;
/** The canary: exact diagnostics for a small .smi, and a hover answered, within the deadline. */
async function canary(client: TestClient, timeout: number, report: FuzzReport): Promise<boolean> {
  report.canaryChecks++;
  const uri = `file:///tmp/ume-fuzz/canary-${canaries++}.smi`;
  client.open(uri, 'smiles', CANARY_TEXT);
  try {
    const ds = await client.diagnosticsFor(uri, timeout);
    const hover = await withDeadline(client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 1 } }), timeout);
    const got = JSON.stringify(ds.map((d) => [d.code, d.range.start.line]));
    if (got !== CANARY_EXPECTED || hover !== 'ok') {
      report.canaryFailures++;
      return false;
    }
    return true;
  } catch {
    report.canaryFailures++;
    return false;
  } finally {
    client.close(uri);
  }
}

export function formatReport(r: FuzzReport): string {
  const rate = r.elapsedMs > 0 ? (r.documents / (r.elapsedMs / 1000)).toFixed(1) : '-';
  return [
    `documents ${r.documents} (largest ${r.largestDocument} chars), edits ${r.edits}, requests ${r.requests} (${r.errorResponses} error responses)`,
    `crashes ${r.crashes}, hangs ${r.hangs}, unanswered ${r.unanswered}, unpublished ${r.unpublished}, RDKit faults ${r.rdkitFaults}`,
    `canary ${r.canaryChecks - r.canaryFailures}/${r.canaryChecks} ok, peak RSS ${r.peakRssMb.toFixed(0)} MB (fuzz driver ${r.driverPeakRssMb.toFixed(0)} MB), ${(r.elapsedMs / 1000).toFixed(0)} s (${rate} documents/s), seed ${r.seed}`,
  ].join('\n');
}
