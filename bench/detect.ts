// `npm run bench -- detect`: sequence detection + validation throughput (FASTA proteins and SMILES,
// both detection modes), time to first diagnostics on a 50 MiB FASTA (engine and real language
// server), peak memory, and a ratio against lobster's own `_detect_modality` algorithm in Python
// with Debian's RDKit (bench/peers/lobster_detect.py), measured in the same run on the same files.
//
// Each repetition of ours runs in a fresh process (bench/detect-worker.ts): the RDKit validator
// caches per process, and lobster has no cache, so cold runs are the fair comparison; the cached
// re-check (what re-analysis while typing sees) is reported apart. Ours and the peer alternate per
// repetition so both see the same machine load.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureCorpus, type Corpus } from './detect-corpus';
import { fmt, machine, median, parseOptions, type Bench } from './lib/bench';
import { lspFirstDiagnostics } from './lsp-first-diagnostics';

const ROOT = join(__dirname, '..');
const PYTHON = '/usr/bin/python3';
const PEER = join(__dirname, 'peers', 'lobster_detect.py');
const WORKER = join(__dirname, 'detect-worker.ts');
const SERVER_JS = join(ROOT, 'dist', 'server.js');
const MiB = 1024 * 1024;
type Mode = 'lobster' | 'default';

interface Ours { parse_ms: number; cold_ms: number; recheck_ms: number; sequences: number; bytes: number; rdkit: string; max_rss_mb: number; modality: Record<string, number> }
interface Peer { parse_ms: number; detect_ms: number; sequences: number; errors: number; max_rss_mb: number; rdkit: string; python: string; modality: Record<string, number> }
interface First { read_ms: number; analyze_ms: number; sequences: number; truncated: boolean; ume004: string | null; max_rss_mb: number }

function runJson<T>(cmd: string, args: string[]): T {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * MiB });
  const last = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !last) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${String(r.status)}): ${(r.stderr || String(r.error ?? '')).trim().split('\n').slice(-4).join(' | ')}`);
  return JSON.parse(last) as T;
}

const ours = (task: string, ...args: string[]): unknown => runJson(process.execPath, ['--import', 'tsx', WORKER, task, ...args]);

function peerUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import rdkit'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message}); install Debian's python3 and python3-rdkit`;
  if (probe.status !== 0) return `RDKit is not importable from ${PYTHON}; install it with: apt-get install -y python3-rdkit`;
  return undefined;
}

/** Newest modification time under server/src, to warn when dist/server.js is older than the source. */
function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSourceMs(p) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? statSync(p).mtimeMs : 0);
  }
  return newest;
}

function ortVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

interface Workload { name: 'fasta' | 'smiles'; file: string; warm: string; ext: string; peerFormat: string }

export const bench: Bench = {
  description: 'sequence detection + RDKit validation throughput, 50 MiB first diagnostics, vs lobster (Python RDKit)',
  async run(args) {
    const o = parseOptions(args, { reps: 5, fasta: 100_000, smiles: 50_000, 'big-mib': 50, 'first-reps': 3, 'no-peer': false, 'no-lsp': false });
    const m = machine();
    const modes: Mode[] = ['lobster', 'default'];
    console.log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}, onnxruntime-node ${ortVersion()}; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

    const corpus: Corpus = await ensureCorpus({ fastaRecords: o.fasta, smilesRecords: o.smiles, bigMiB: o['big-mib'] }, console.log);
    console.log(`proteins: ${corpus.proteinSource}\nSMILES: ${corpus.smilesSource}`);

    const why = o['no-peer'] ? 'disabled with --no-peer' : peerUnavailable();
    if (why) console.log(`peer lobster-python-rdkit: UNAVAILABLE: ${why}; no ratio is printed`);

    const workloads: Workload[] = [
      { name: 'fasta', file: corpus.fasta, warm: corpus.fastaWarm, ext: '.fasta', peerFormat: 'fasta' },
      { name: 'smiles', file: corpus.smi, warm: corpus.smiWarm, ext: '.smi', peerFormat: 'smi' },
    ];
    const figures: Record<string, unknown> = { bench: 'detect' };
    let rdkitOurs = '';
    let rdkitPeer = '';
    const totals = { ours: 0, peer: 0 }; // lobster-mode seconds per workload, summed, for the headline ratio

    for (const w of workloads) {
      const runs: Record<Mode, Ours[]> = { lobster: [], default: [] };
      const peer: Peer[] = [];
      for (let r = 0; r < o.reps; r++) {
        for (const mode of modes) runs[mode].push(ours('throughput', w.file, w.warm, w.ext, mode) as Ours);
        if (!why) peer.push(runJson<Peer>(PYTHON, [PEER, w.file, w.warm, w.peerFormat]));
        process.stdout.write(`  ${w.name}: repetition ${r + 1}/${o.reps} done\r`);
      }
      const first = runs.lobster[0]!;
      rdkitOurs = first.rdkit;
      const mb = first.bytes / MiB;
      console.log(`\n${w.name}: ${first.sequences} records, ${fmt(mb, 1)} MiB; medians of ${o.reps} fresh processes (1 warm-up pass each on other strings)`);
      let peerSeqPerS = NaN;
      if (peer.length > 0) {
        const p0 = peer[0]!;
        rdkitPeer = p0.rdkit;
        const pParse = median(peer.map((p) => p.parse_ms));
        const pDetect = median(peer.map((p) => p.detect_ms));
        const pTotal = median(peer.map((p) => p.parse_ms + p.detect_ms));
        peerSeqPerS = p0.sequences / (pTotal / 1e3);
        totals.peer += pTotal / 1e3;
        figures[`${w.name}_peer_peak_rss_mb`] = round(Math.max(...peer.map((p) => p.max_rss_mb)));
        console.log(`  peer lobster (Python ${p0.python}, RDKit ${p0.rdkit}): parse ${fmt(pParse, 0)} ms + detect ${fmt(pDetect, 0)} ms = ${fmt(pTotal, 0)} ms -> ${fmt(peerSeqPerS, 0)} seq/s, ${fmt(mb / (pTotal / 1e3), 2)} MiB/s; ${p0.errors} rejected; ${JSON.stringify(p0.modality)}; peak RSS ${fmt(Math.max(...peer.map((p) => p.max_rss_mb)), 0)} MB`);
        figures[`${w.name}_peer_seqs_per_s`] = round(peerSeqPerS);
      }
      for (const mode of modes) {
        const rs = runs[mode];
        const cold = median(rs.map((x) => x.cold_ms));
        const parse = median(rs.map((x) => x.parse_ms));
        const recheck = median(rs.map((x) => x.recheck_ms));
        const seqPerS = first.sequences / (cold / 1e3);
        const mbPerS = mb / (cold / 1e3);
        const rss = Math.max(...rs.map((x) => x.max_rss_mb));
        const ratio = seqPerS / peerSeqPerS;
        if (mode === 'lobster') totals.ours += cold / 1e3;
        console.log(
          `  ours ${mode.padEnd(7)}: ${fmt(cold, 0)} ms (parse ${fmt(parse, 0)} ms, detect+validate+diagnostics ${fmt(cold - parse, 0)} ms) -> ` +
            `${fmt(seqPerS, 0)} seq/s, ${fmt(mbPerS, 2)} MiB/s; cached re-check ${fmt(recheck, 0)} ms; peak RSS ${fmt(rss, 0)} MB; ` +
            `${JSON.stringify(rs[0]!.modality)}${Number.isFinite(ratio) ? `; ours/peer ${fmt(ratio, 2)}x` : ''}`,
        );
        const key = mode === 'default' ? w.name : `${w.name}_lobster`;
        figures[`${key}_seqs_per_s`] = round(seqPerS);
        figures[`${key}_mb_per_s`] = round(mbPerS, 2);
        figures[`${key}_recheck_seqs_per_s`] = round(first.sequences / (recheck / 1e3));
        if (Number.isFinite(ratio)) figures[`${key}_ratio_vs_peer`] = round(ratio, 3);
        figures[`${w.name}_peak_rss_mb`] = Math.max(Number(figures[`${w.name}_peak_rss_mb`] ?? 0), round(rss));
      }
    }

    // Time to first diagnostics, 50 MiB FASTA, default mode (the editor's default), default caps.
    const firsts: First[] = [];
    for (let r = 0; r < o['first-reps']; r++) firsts.push(ours('first', corpus.fasta50, '.fasta', 'default') as First);
    const f0 = firsts[0]!;
    const analyzeMs = median(firsts.map((f) => f.analyze_ms));
    const readMs = median(firsts.map((f) => f.read_ms));
    console.log(`\nfirst diagnostics, ${fmt(statSync(corpus.fasta50).size / MiB, 1)} MiB FASTA, analyzeDocument with default caps (median of ${o['first-reps']}): ` +
      `${fmt(analyzeMs, 0)} ms (+ ${fmt(readMs, 0)} ms to read the file); ${f0.sequences} sequences analysed; peak RSS ${fmt(Math.max(...firsts.map((f) => f.max_rss_mb)), 0)} MB\n  ${f0.ume004 ?? 'NO UME004: the cap did not apply'}`);
    figures['first_diagnostics_ms_50mb'] = round(analyzeMs);
    figures['first_diagnostics_measured_through'] = 'analyzeDocument (engine, default caps)';

    if (!o['no-lsp'] && existsSync(SERVER_JS)) {
      const stale = statSync(SERVER_JS).mtimeMs < newestSourceMs(join(ROOT, 'server', 'src'));
      if (stale) console.log('  note: dist/server.js is older than server/src; run `npm run build` to measure the current source');
      const lsp = [];
      for (let r = 0; r < o['first-reps']; r++) lsp.push(await lspFirstDiagnostics(SERVER_JS, corpus.fasta50, 'fasta'));
      const ms = median(lsp.map((l) => l.ms));
      const serverRss = Math.max(...lsp.map((l) => l.serverPeakRssMB ?? 0));
      console.log(`first diagnostics through the language server (dist/server.js --stdio, didOpen -> first publishDiagnostics, median of ${o['first-reps']}): ` +
        `${fmt(ms, 0)} ms; ${lsp[0]!.diagnostics} diagnostics ${JSON.stringify(lsp[0]!.codes)}; server peak RSS ${fmt(serverRss, 0)} MB${stale ? ' (stale bundle)' : ''}`);
      figures['first_diagnostics_ms_50mb_lsp'] = round(ms);
      figures['lsp_server_peak_rss_mb'] = round(serverRss);
      figures['first_diagnostics_measured_through'] = 'analyzeDocument and dist/server.js over stdio';
    } else {
      console.log(`first diagnostics through the language server: not measured (${o['no-lsp'] ? '--no-lsp' : 'dist/server.js missing; run npm run build'})`);
    }

    figures['peak_rss_mb'] = Math.max(Number(figures['fasta_peak_rss_mb']), Number(figures['smiles_peak_rss_mb']));
    figures['peer'] = why ? null : 'lobster-python-rdkit';
    figures['ratio_vs_peer'] = why ? null : round(totals.peer / totals.ours, 3);
    Object.assign(figures, { rdkit_ours: rdkitOurs, rdkit_peer: rdkitPeer || null, cpu: m.cpu, cores: m.cores, node: m.node, onnxruntime_node: ortVersion(), load_avg_end: round(loadavg()[0]!, 1) });
    if (!why) console.log(`\nratio_vs_peer (lobster mode, same algorithm; peer time / ours over FASTA + SMILES): ${fmt(totals.peer / totals.ours, 2)}x`);
    console.log(JSON.stringify(figures));
  },
};

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
