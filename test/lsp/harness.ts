// An LSP client over streams for tests: spawns the real language server (from source, through tsx)
// with --stdio, speaks JSON-RPC through vscode-jsonrpc's StreamMessageReader/Writer, mirrors the
// documents it opens, and records what the server publishes.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type ShowMessageParams,
  type TextDocumentContentChangeEvent,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

const ROOT = join(__dirname, '..', '..');
const SERVER = join(ROOT, 'server', 'src', 'lsp', 'main.ts');
export const BUNDLED_SERVER = join(ROOT, 'dist', 'server.js');

export interface StartOptions {
  /** What workspace/configuration answers for the `umeStudio` section. */
  settings?: unknown;
  /** Declare the workspace/configuration capability (pull model). Default true. */
  pullConfiguration?: boolean;
  /**
   * Which server to run: the TypeScript source through tsx (default, what tests check), or the
   * esbuild bundle dist/server.js that users run (benchmarks; `npm run build` first).
   */
  server?: 'source' | 'bundle';
  /** With server 'bundle': the bundle to run (default dist/server.js). */
  bundle?: string;
  /** Environment for the server, over this process's and the defaults below. */
  env?: Record<string, string>;
}

/**
 * Tests ask for a score and wait for it, on machines that may be busy: the hover's 8 s time budget
 * is raised for them (hover-budget.test.ts tests the budget; the fuzz runs with the real one).
 */
const TEST_ENV = { UME_HOVER_BUDGET_MS: '60000' };

type Waiter = { test: () => boolean; resolve: () => void };

export class TestClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publish in arrival order, for debounce assertions. */
  readonly publishes: PublishDiagnosticsParams[] = [];
  readonly messages: ShowMessageParams[] = [];
  readonly logs: string[] = [];
  readonly statuses: Array<{ health: string; pending: number; message?: string }> = [];
  readonly docs = new Map<string, TextDocument>();
  settings: unknown;
  stderr = '';
  private waiters: Waiter[] = [];

  private constructor(
    readonly connection: ProtocolConnection,
    readonly process: ChildProcessWithoutNullStreams,
    readonly initializeResult: InitializeResult,
  ) {}

  static async start(options: StartOptions = {}): Promise<TestClient> {
    const args = options.server === 'bundle' ? [options.bundle ?? BUNDLED_SERVER] : ['--import', 'tsx', SERVER];
    const child = spawn(process.execPath, [...args, '--stdio'], { cwd: ROOT, stdio: 'pipe', env: { ...TEST_ENV, ...process.env, ...options.env } });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const state: { client?: TestClient } = {};
    const pending: Array<(c: TestClient) => void> = [];
    const withClient = (f: (c: TestClient) => void): void => {
      if (state.client) f(state.client);
      else pending.push(f);
    };

    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) =>
      withClient((c) => {
        c.diagnostics.set(p.uri, p);
        c.publishes.push(p);
        c.wake();
      }),
    );
    connection.onNotification('window/showMessage', (p: ShowMessageParams) =>
      withClient((c) => {
        c.messages.push(p);
        c.wake();
      }),
    );
    connection.onNotification('window/logMessage', (p: { message: string }) => withClient((c) => {
        c.logs.push(p.message);
      }),
    );
    connection.onNotification('ume/serverStatus', (p: { health: string; pending: number }) =>
      withClient((c) => {
        c.statuses.push(p);
        c.wake();
      }),
    );
    connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) =>
      p.items.map((item) => (item.section === 'umeStudio' ? (state.client?.settings ?? options.settings ?? null) : null)),
    );
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();

    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (state.client) state.client.stderr = stderr;
    });

    const pull = options.pullConfiguration ?? true;
    const initializeResult: InitializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      capabilities: {
        workspace: { configuration: pull, workspaceEdit: { documentChanges: true }, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true },
        },
        window: { workDoneProgress: true },
      },
      initializationOptions: pull ? undefined : { settings: options.settings },
    });
    const client = new TestClient(connection, child, initializeResult);
    state.client = client;
    client.settings = options.settings;
    client.stderr = stderr;
    for (const f of pending) f(client);
    await connection.sendNotification('initialized', {});
    return client;
  }

  open(uri: string, languageId: string, text: string): TextDocument {
    const doc = TextDocument.create(uri, languageId, 1, text);
    this.docs.set(uri, doc);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return doc;
  }

  /** Applies incremental changes locally and sends them; returns the new version. */
  change(uri: string, changes: TextDocumentContentChangeEvent[]): number {
    const doc = this.doc(uri);
    const version = doc.version + 1;
    TextDocument.update(doc, changes, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  close(uri: string): void {
    this.docs.delete(uri);
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  doc(uri: string): TextDocument {
    const d = this.docs.get(uri);
    if (!d) throw new Error(`test bug: ${uri} is not open`);
    return d;
  }

  text(uri: string): string {
    return this.doc(uri).getText();
  }

  /** Applies a workspace edit the way an editor does: as incremental changes, in reverse order. */
  applyEdit(edit: WorkspaceEdit): void {
    for (const change of edit.documentChanges ?? []) {
      if (!('textDocument' in change)) throw new Error('test harness: only text document edits are supported');
      const { uri, version } = change.textDocument;
      if (version !== null && version !== this.doc(uri).version) {
        throw new Error(`stale edit: edit for version ${version}, document at ${this.doc(uri).version}`);
      }
      this.applyEdits(
        uri,
        change.edits.map((e) => {
          if (!('newText' in e)) throw new Error('test harness: snippet edits are not expected from this server');
          return { range: e.range, newText: e.newText };
        }),
      );
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) this.applyEdits(uri, edits);
  }

  private applyEdits(uri: string, edits: Array<{ range: Range; newText: string }>): void {
    // Later edits first, so earlier positions stay valid.
    const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    this.change(uri, sorted.map((e) => ({ range: e.range, text: e.newText })));
  }

  /** Waits for diagnostics for the document's current version (the server publishes versions). */
  async diagnosticsFor(uri: string, timeoutMs = 10000): Promise<Diagnostic[]> {
    const version = this.doc(uri).version;
    await this.waitFor(() => this.diagnostics.get(uri)?.version === version, timeoutMs, `diagnostics for ${uri} v${version}`);
    return this.diagnostics.get(uri)!.diagnostics;
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const result = await this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics, ...(only ? { only } : {}) },
    });
    return (result ?? []) as CodeAction[];
  }

  async setSettings(settings: unknown): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { umeStudio: settings } });
  }

  waitFor(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nserver stderr:\n${this.stderr}\nlogs:\n${this.logs.join('\n')}`));
      }, timeoutMs);
      const waiter: Waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (w.test()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // The server may already be gone; the kill below makes sure.
    }
    this.connection.dispose();
    await new Promise<void>((resolve) => {
      if (this.process.exitCode !== null) return resolve();
      const t = setTimeout(() => {
        this.process.kill('SIGKILL');
        resolve();
      }, 2000);
      this.process.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

export const fileUri = (name: string) => `file:///tmp/ume-lsp-test/${name}`;
