// `ume-studio dashboard RUN... --export report.html`: one self-contained HTML file that opens
// offline — the page's script and style, every run's metrics, every step's completions, every
// generation log and (unless left out) a drawing of each distinct SMILES, all inlined as inert
// JSON. Nothing in it loads anything: its CSP allows no origin at all.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DashboardSource } from './source';
import type { DashboardBoot, StaticDashboardData } from '../protocol/dashboard';
import { extractSequence } from '../../../webview/src/state/samples';
import { dashboardCsp, dashboardHtml, jsonForScript, newNonce } from './html';
import { WEBVIEW_FILES, type DashboardAssets } from './assets';

/** Most distinct SMILES drawn per run in a report (each drawing is ~3-6 kB). */
export const MAX_EXPORTED_MOLECULES = 5000;

export interface ExportOptions {
  source: DashboardSource;
  assets: DashboardAssets;
  /** Inline molecule drawings of the SMILES completions. */
  molecules: boolean;
  title?: string;
}

export interface ExportResult {
  html: string;
  bytes: { total: number; data: number; molecules: number; page: number };
  /** Molecules drawn, and SMILES left as text beyond MAX_EXPORTED_MOLECULES. */
  drawn: number;
  skipped: number;
}

export async function gatherStaticData(source: DashboardSource, molecules: boolean): Promise<{ data: StaticDashboardData; drawn: number; skipped: number }> {
  const init = source.init('static');
  const data: StaticDashboardData = { init, completions: {}, generationLogs: {}, molecules: {} };
  let drawn = 0;
  let skipped = 0;
  for (const run of init.runs) {
    const smiles = new Set<string>();
    const c: StaticDashboardData['completions'][string] = (data.completions[run.id] = {});
    for (const step of run.completionSteps) {
      const r = (c[step] = await source.request({ kind: 'completions', runId: run.id, step }));
      for (const row of r.rows) if (row.modality === 'SMILES') smiles.add(extractSequence(row.completion).sequence);
    }
    const g: StaticDashboardData['generationLogs'][string] = (data.generationLogs[run.id] = {});
    for (const step of run.generationLogSteps) {
      const log = (g[step] = await source.request({ kind: 'generationLog', runId: run.id, step }));
      for (const s of log?.samples ?? []) if (s.modality === 'SMILES') smiles.add(extractSequence(s.generated_text).sequence);
    }
    const m: Record<string, string | null> = (data.molecules[run.id] = {});
    if (!molecules) continue;
    const list = [...smiles].slice(0, MAX_EXPORTED_MOLECULES);
    skipped += smiles.size - list.length;
    for (let i = 0; i < list.length; i += 500) Object.assign(m, await source.request({ kind: 'molecules', runId: run.id, smiles: list.slice(i, i + 500) }));
    drawn += Object.values(m).filter((x) => x !== null).length;
  }
  return { data, drawn, skipped };
}

export async function exportDashboard(o: ExportOptions): Promise<ExportResult> {
  const nonce = newNonce();
  const [script, style, gathered] = await Promise.all([readFile(join(o.assets.webviewDir, WEBVIEW_FILES.script), 'utf8'), readFile(join(o.assets.webviewDir, WEBVIEW_FILES.style), 'utf8'), gatherStaticData(o.source, o.molecules)]);
  const { data } = gathered;
  const molJson = jsonForScript(data.molecules).length;
  const dataJson = jsonForScript(data);
  const title = o.title ?? `UME Studio report: ${data.init.runs.map((r) => r.name).join(', ')}`;
  const boot: DashboardBoot = { host: 'static', molecules: o.molecules, dataElement: 'ume-data', title };
  const html = dashboardHtml({ nonce, csp: dashboardCsp({ nonce, origin: null }), boot, title, style: { text: style }, script: { text: script }, blocks: [{ id: 'ume-data', type: 'application/json', text: dataJson }] });
  const total = Buffer.byteLength(html);
  return { html, bytes: { total, data: dataJson.length - molJson, molecules: molJson, page: total - dataJson.length }, drawn: gathered.drawn, skipped: gathered.skipped };
}
