// Entry of the language server bundle (dist/server.js). The transport comes from the command line:
// --node-ipc when VS Code starts it, --stdio for other editors and the stream tests.

// First: starts the scorer thread before the modules below are loaded (see early-thread.ts).
import './scoring/early-thread';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);

// A failed analysis must cost one document's diagnostics, not the server; say what happened.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`Unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`);
});

startServer(connection);
connection.listen();
