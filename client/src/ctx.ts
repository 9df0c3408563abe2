// Owns the language client's lifecycle (start, stop, restart) and what hangs off it: the log
// channel, the status bar, typed requests. Commands get a Ctx, never a global client.

import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { serverStatusNotification, type NotificationDef, type RequestDef, type ServerStatusParams } from '../../server/src/protocol/requests';
import { SETTINGS_SECTION } from '../../server/src/protocol/settings';
import { StatusBar } from './status-bar';

/** Port the server listens on for a debugger when the extension runs in debug mode (launch.json attaches here). */
export const SERVER_INSPECT_PORT = 6009;

export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  readonly status: StatusBar;
  private languageClient: LanguageClient | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Notification handlers that outlive a client: registered again on every (re)start. */
  private readonly lasting: Array<{ method: string; handler: (params: unknown) => void }> = [];
  private readonly started = new vscode.EventEmitter<void>();
  /** Fires each time the language server has started (also after a restart). */
  readonly onDidStartServer = this.started.event;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('UME Studio', { log: true });
    this.status = new StatusBar();
    this.disposables.push(this.output, this.status, this.started);
  }

  get client(): LanguageClient | undefined {
    return this.languageClient;
  }

  async start(): Promise<void> {
    if (this.languageClient) return;
    const module = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: {
        module,
        transport: TransportKind.ipc,
        options: { execArgv: ['--nolazy', `--inspect=${SERVER_INSPECT_PORT}`] },
      },
    };
    const clientOptions: LanguageClientOptions = {
      // Every file and unsaved editor: sequence files are analysed fully, other languages only for
      // tagged sequences (<smiles>..</smiles>); the server decides, see server/src/lsp/document-scope.ts.
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      synchronize: { configurationSection: SETTINGS_SECTION },
      outputChannel: this.output,
      traceOutputChannel: this.output,
    };
    const client = new LanguageClient(SETTINGS_SECTION, 'UME Studio', serverOptions, clientOptions);
    this.languageClient = client;
    client.onDidChangeState(({ newState }) => {
      this.status.setState(newState === State.Running ? 'running' : newState === State.Starting ? 'starting' : 'stopped');
    });
    this.onNotification(serverStatusNotification, (s: ServerStatusParams) => this.status.setServerStatus(s));
    for (const l of this.lasting) this.disposables.push(client.onNotification(l.method, l.handler));
    this.status.setState('starting');
    try {
      await client.start();
      this.started.fire();
    } catch (error) {
      this.status.setState('stopped');
      this.output.error(`The UME Studio language server did not start: ${String(error)}`);
      void vscode.window.showErrorMessage('UME Studio: the language server did not start. See "UME: Show Output".');
    }
  }

  async stop(): Promise<void> {
    const client = this.languageClient;
    this.languageClient = undefined;
    if (client) {
      try {
        await client.stop();
      } catch (error) {
        this.output.warn(`Stopping the language server: ${String(error)}`);
      }
      await client.dispose();
    }
    this.status.setState('stopped');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Sends a typed custom request; fails with a readable error when the server is not running. */
  async request<P, R>(def: RequestDef<P, R>, params: P, token?: vscode.CancellationToken): Promise<R> {
    const client = this.languageClient;
    if (!client || !client.isRunning()) {
      throw new Error('The UME Studio language server is not running. Run "UME: Restart Server".');
    }
    return (await client.sendRequest(def.method, params, token)) as R;
  }

  /** Handles a server notification now and after every restart of the server. */
  onServerNotification<P>(def: NotificationDef<P>, handler: (params: P) => void): vscode.Disposable {
    const entry = { method: def.method, handler: handler as (params: unknown) => void };
    this.lasting.push(entry);
    const now = this.languageClient?.onNotification(def.method, entry.handler);
    return new vscode.Disposable(() => {
      this.lasting.splice(this.lasting.indexOf(entry), 1);
      now?.dispose();
    });
  }

  private onNotification<P>(def: NotificationDef<P>, handler: (params: P) => void): void {
    const client = this.languageClient;
    if (client) this.disposables.push(client.onNotification(def.method, handler));
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) d.dispose();
  }
}
