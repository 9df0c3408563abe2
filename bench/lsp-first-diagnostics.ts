// Time to first diagnostics through the real language server bundle (dist/server.js) over stdio:
// spawn, initialize (settings pulled: the defaults), didOpen a big document, and wait for the first
// publishDiagnostics for it. The clock starts just before didOpen is written, so it includes moving
// the text through JSON-RPC, as an editor would.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';

export interface FirstDiagnostics {
  ms: number;
  diagnostics: number;
  codes: Record<string, number>;
  serverPeakRssMB: number | null;
}

export async function lspFirstDiagnostics(serverJs: string, file: string, languageId: string, timeoutMs = 120_000): Promise<FirstDiagnostics> {
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const uri = `file:///bench/big${file.slice(file.lastIndexOf('.'))}`;
  let resolveFirst: (p: PublishDiagnosticsParams) => void = () => undefined;
  const firstPublish = new Promise<PublishDiagnosticsParams>((r) => (resolveFirst = r));
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    if (p.uri === uri) resolveFirst(p);
  });
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  try {
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } }, window: { workDoneProgress: true } },
    });
    await connection.sendNotification('initialized', {});
    const text = readFileSync(file, 'utf8');
    const t0 = performance.now();
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; server stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)), timeoutMs);
    });
    const p = await Promise.race([firstPublish, timeout]).finally(() => clearTimeout(timer));
    const ms = performance.now() - t0;
    const codes: Record<string, number> = {};
    for (const d of p.diagnostics) codes[String(d.code)] = (codes[String(d.code)] ?? 0) + 1;
    return { ms, diagnostics: p.diagnostics.length, codes, serverPeakRssMB: peakRssMB(child.pid) };
  } finally {
    connection.dispose();
    child.kill(); // only the server this function started
  }
}

/** VmHWM (peak resident set) of a live process, Linux only. */
function peakRssMB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}
