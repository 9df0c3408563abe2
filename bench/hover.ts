// `npm run bench -- hover`: hover latency through the real language server over stdio (the LSP
// stream tests' client), for a 100-residue protein and a 40-character SMILES:
// - cold: a new server per run; the document is opened, its diagnostics awaited (the editor shows
//   them before anyone hovers), then the first hover is timed (model warm-up may still be running);
// - first_diagnostics: in those cold runs, from didOpen to the document's first diagnostics;
// - cold-immediate: the hover is sent right after didOpen (RDKit start, analysis, model load);
// - uncached: same server, warm model, a sequence not scored before;
// - cached: the same hover again.
// Peer: the engine's own UmeScorer.pll on the same text in this process (warm), so the ratio
// uncached/engine is what the LSP path adds. Model: --model FILE, else the embedded ume-tiny, else
// random weights of ume-tiny's size (latency does not depend on the values).
// Server: --server bundle (default: dist/server.js, built first, what the extension runs) or
// source (the TypeScript through tsx, as the tests run it; its start-up includes transpiling).

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HoverRequest, type Hover } from 'vscode-languageserver-protocol/node';
import { resolveModel } from '../server/src/engine/reward/model-path';
import { umeConfig } from '../server/src/engine/ume/config';
import type { PllMode } from '../server/src/engine/ume/pll';
import { UmeScorer } from '../server/src/engine/ume/scorer';
import { lobsterTensorSpecs, saveUmeWeights, umeWeightsFromTensors } from '../server/src/engine/ume/weights';
import { TestClient, fileUri } from '../test/lsp/harness';
import { randomLobsterTensors } from '../test/ume/reference';
import { fmt, machine, median, parseOptions, type Bench } from './lib/bench';

const PROTEIN_POOL =
  'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSPLHSVYVDQWDWERVMGDGERQFSTLKSTVEAIWAGIKATEAAVSEEFGLAPFLPDQIHFVHSQELLSRYPDLDAKGRERAIAKDLGAVFLVGIGGKLSDGHRHDVRAPDYDDWSTPSELGHAGLNGDILVWNPVLEDAFELSSMGIRVDADTLKHQLALTGDEDRLELEWHQALLRGEMPQTIGGGIGQSRLTMLLLQLPHLGQVQAGVWPAACRESVPALLKLLKRSDWQAWSSTAAYERR';
/**
 * 40-character SMILES, each valid (RDKit), distinct so uncached runs never hit the cache: drug-like
 * ones, then 38 chains with the nitrogen moved along (enough for --iters 40).
 */
const SMILES_POOL = [
  'CC(C)Cc1ccc(cc1)[C@@H](C)C(=O)OCCN(CC)CC',
  'CCOc1ccc2[nH]cc(CCNC(C)=O)c2c1OCC(=O)NCC',
  'CCCCCCCCCCCCCCCCCCCCCN1CCC[C@H]1c1cccnc1',
  'CC(=O)Oc1ccccc1C(=O)OCCOCCOCCOCCOCCOCCOC',
  'Nc1ncnc2n(cnc12)[C@@H]1O[C@H](CO)[C@@H]1',
  'CCCCCCCOC(=O)c1ccccc1Nc1cccc(c1)C(F)(F)F',
  'CCCCCCCCCCCCCCCCCN(CC)C(=O)c1ccc(cc1)OCC',
  ...Array.from({ length: 38 }, (_, i) => `${'C'.repeat(i + 1)}N${'C'.repeat(38 - i)}`),
];

const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const stats = (xs: readonly number[]) => ({ p50: median(xs), p95: percentile(xs, 95), n: xs.length });

async function modelFile(given: string): Promise<{ path: string; what: string }> {
  if (given) return { path: given, what: given };
  try {
    const m = resolveModel();
    return { path: m.path, what: `embedded ${m.name}` };
  } catch {
    const c = umeConfig('ume-tiny');
    const dir = mkdtempSync(join(tmpdir(), 'ume-bench-hover-'));
    const path = join(dir, 'ume-tiny-random.safetensors');
    const w = umeWeightsFromTensors(randomLobsterTensors(lobsterTensorSpecs(c), 5, 0.05), {}, { config: c });
    await saveUmeWeights(path, c, w.params);
    return { path, what: `random weights, ume-tiny size (${c.numLayers} layers, hidden ${c.hiddenSize}; embedded ume-tiny not found)` };
  }
}

interface Case {
  name: string;
  languageId: string;
  file: string;
  doc: (seq: string) => string;
  /** Line and character of the sequence in doc(). */
  at: { line: number; character: number };
  pick: (i: number) => string;
}

const CASES: Case[] = [
  { name: 'protein-100', languageId: 'fasta', file: 'bench.fasta', doc: (s) => `>p\n${s}\n`, at: { line: 1, character: 10 }, pick: (i) => PROTEIN_POOL.slice(i * 3, i * 3 + 100) },
  { name: 'smiles-40', languageId: 'smiles', file: 'bench.smi', doc: (s) => `${s} mol\n`, at: { line: 0, character: 5 }, pick: (i) => SMILES_POOL[i % SMILES_POOL.length]! },
];

async function hoverOnce(client: TestClient, uri: string, at: Case['at']): Promise<{ ms: number; hover: Hover | null }> {
  const t0 = performance.now();
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at });
  return { ms: performance.now() - t0, hover };
}

function checkScored(h: Hover | null, what: string): void {
  const v = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
  if (!/reward: \*\*/.test(v)) throw new Error(`${what}: the hover has no reward:\n${v || JSON.stringify(h)}`);
}

export const bench: Bench = {
  description: 'hover latency p50/p95 (cold, uncached, cached) for a 100-residue protein and a 40-char SMILES',
  async run(args) {
    const o = parseOptions(args, { cold: 5, iters: 20, mode: 'masked', model: '', device: 'auto', server: 'bundle' });
    const mode = o.mode as PllMode;
    if (o.iters + 1 >= SMILES_POOL.length) throw new Error(`--iters ${o.iters}: the uncached SMILES hovers need ${o.iters + 2} distinct SMILES and the pool has ${SMILES_POOL.length}; use --iters ${SMILES_POOL.length - 2} or fewer`);
    if (o.server !== 'bundle' && o.server !== 'source') throw new Error(`--server is bundle or source, got "${o.server}"`);
    const server = o.server;
    if (server === 'bundle') execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'pipe' });
    const { path, what } = await modelFile(o.model);
    const settings = { scoring: { modelPath: path, mode, device: o.device } };
    const m = machine();
    console.log(`hover bench: ${m.cpu}, ${m.cores} cores, node ${m.node}; model ${what}; mode ${mode}, device ${o.device}, server ${server}`);
    // The server's session settings (no spinning: see ModelHolder), so uncached/engine is the LSP path's cost.
    const engine = await UmeScorer.fromFile(path, { device: o.device as 'auto', spinning: false });
    const figures: Record<string, unknown> = { bench: 'hover', mode, model: what, device: o.device, server };
    try {
      for (const c of CASES) {
        if (c.name === 'smiles-40') for (const s of SMILES_POOL) if (s.length !== 40) throw new Error(`bench bug: "${s}" is ${s.length} characters`);
        const cold: number[] = [];
        const coldImmediate: number[] = [];
        const firstDiagnostics: number[] = [];
        for (let r = 0; r < o.cold; r++) {
          for (const immediate of [false, true]) {
            const client = await TestClient.start({ settings, server });
            try {
              const uri = fileUri(`${r}-${immediate ? 'i' : 'd'}-${c.file}`);
              const opened = performance.now();
              client.open(uri, c.languageId, c.doc(c.pick(r)));
              if (!immediate) {
                await client.diagnosticsFor(uri, 60_000);
                firstDiagnostics.push(performance.now() - opened);
              }
              const { ms, hover } = await hoverOnce(client, uri, c.at);
              checkScored(hover, `${c.name} cold`);
              (immediate ? coldImmediate : cold).push(ms);
            } finally {
              await client.stop();
            }
          }
        }
        const client = await TestClient.start({ settings, server });
        const uncached: number[] = [];
        const cached: number[] = [];
        try {
          const warm = fileUri(`warm-${c.file}`);
          client.open(warm, c.languageId, c.doc(c.pick(o.iters + 1)));
          await client.diagnosticsFor(warm, 60_000);
          checkScored((await hoverOnce(client, warm, c.at)).hover, `${c.name} warm-up`);
          for (let i = 0; i < o.iters; i++) {
            const uri = fileUri(`u${i}-${c.file}`);
            client.open(uri, c.languageId, c.doc(c.pick(i)));
            await client.diagnosticsFor(uri, 60_000);
            const u = await hoverOnce(client, uri, c.at);
            checkScored(u.hover, `${c.name} uncached`);
            uncached.push(u.ms);
            cached.push((await hoverOnce(client, uri, c.at)).ms);
          }
        } finally {
          await client.stop();
        }
        const modality = c.languageId === 'fasta' ? 'amino_acid' : 'SMILES';
        await engine.pll([{ text: c.pick(0), modality }], { mode });
        const direct: number[] = [];
        for (let i = 0; i < o.iters; i++) {
          const t0 = performance.now();
          await engine.pll([{ text: c.pick(i), modality }], { mode });
          direct.push(performance.now() - t0);
        }
        const row = { first_diagnostics: stats(firstDiagnostics), cold: stats(cold), cold_immediate: stats(coldImmediate), uncached: stats(uncached), cached: stats(cached), engine: stats(direct) };
        figures[c.name] = row;
        figures[`${c.name}_ratio_uncached_vs_engine`] = Number((row.uncached.p50 / row.engine.p50).toFixed(2));
        for (const [k, s] of Object.entries(row)) console.log(`${c.name.padEnd(12)} ${k.padEnd(15)} p50 ${fmt(s.p50).padStart(7)} ms  p95 ${fmt(s.p95).padStart(7)} ms  (n ${s.n})`);
      }
    } finally {
      await engine.release();
    }
    console.log(JSON.stringify(figures));
  },
};

