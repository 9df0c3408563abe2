// Wires a connection to the features: capabilities from the registry, shared services in a
// ServerContext, incremental document sync.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { addRDKitFaultListener } from '../engine/seq/index';
import { formatSettingsProblems } from '../protocol/settings';
import { AnalysisStore } from './analysis-store';
import { ConfigStore } from './config-store';
import type { ServerContext } from './context';
import type { CodeHref } from './convert';
import { checkDocument } from './features/diagnostics';
import { FEATURES } from './features/index';
import { stopAllTraining } from './features/training';
import { DebouncedRunner } from './scheduler';
import { disposeScoringService } from './scoring/service';
import { StatusReporter } from './status';

export const SERVER_NAME = 'UME Studio language server';

/**
 * README.md's Diagnostics section, when the README ships beside the bundle (dist/../README.md, as
 * in the .vsix); a file URI is what an installed extension can offer without a network.
 */
function readmeHref(): CodeHref {
  const readme = [join(__dirname, '..', 'README.md'), join(__dirname, '..', '..', '..', 'README.md')].find((p) => existsSync(p));
  if (!readme) return () => undefined;
  const base = pathToFileURL(readme).toString();
  return () => `${base}#diagnostics`;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let ctx: ServerContext | undefined;

  connection.onInitialize((params): InitializeResult => {
    const client = params.capabilities;
    const status = new StatusReporter(connection);
    const config = new ConfigStore(connection, client.workspace?.configuration === true, (problems, changed) => {
      status.setSettingsProblems(problems);
      if (changed && problems.length > 0) {
        const text = formatSettingsProblems(problems);
        connection.console.warn(`Invalid UME Studio settings, defaults used instead:\n${text}`);
        // A notification, not showMessageRequest: nothing to answer, and clients without it still log it.
        void connection.sendNotification(ShowMessageNotification.type, {
          type: MessageType.Warning,
          message: `UME Studio: invalid settings, defaults used instead. ${text}`,
        });
      }
    });
    const initial = (params.initializationOptions as { settings?: unknown } | null | undefined)?.settings;
    if (initial !== undefined) config.invalidate(initial);
    const scheduler = new DebouncedRunner(
      (uri, token) => checkDocument(context, uri, () => token.cancelled),
      (pending) => status.setPending(pending),
      (uri, error) => connection.console.error(`Analysis of ${uri} failed: ${(error as Error)?.stack ?? String(error)}`),
    );
    const context: ServerContext = {
      connection,
      documents,
      clientCapabilities: client,
      config,
      analyses: new AnalysisStore(),
      scheduler,
      status,
      codeHref: readmeHref(),
    };
    ctx = context;

    let capabilities: ServerCapabilities = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    };
    for (const f of FEATURES) capabilities = { ...capabilities, ...f.capabilities?.(client) };
    return { capabilities, serverInfo: { name: SERVER_NAME, version: '0.1.0' } };
  });

  connection.onInitialized(() => {
    if (!ctx) return;
    for (const f of FEATURES) f.register(ctx);
    // A crashed RDKit is replaced and the document re-checked without it being visible; say so in the log.
    addRDKitFaultListener((message) => connection.console.warn(message));
    ctx.status.send();
    connection.console.info(`${SERVER_NAME} ready (features: ${FEATURES.map((f) => f.name).join(', ')}).`);
  });

  // The scorer thread ends itself between ORT calls (see ThreadedScorer.release); the exit that
  // follows shutdown must not find it inside one.
  connection.onShutdown(async () => {
    // Training processes stop after their current step with a checkpoint, even once we are gone.
    stopAllTraining('the language server is shutting down');
    ctx?.scheduler.dispose();
    if (ctx) await disposeScoringService(ctx);
  });

  documents.listen(connection);
}
