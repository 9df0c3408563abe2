// One editor capability of the server: what it announces in `initialize` and the handlers it
// installs. New capabilities (hover scoring, document symbols...) are one more file plus one line
// in index.ts.

import type { ClientCapabilities, ServerCapabilities } from 'vscode-languageserver/node';
import type { ServerContext } from '../context';

export interface Feature {
  readonly name: string;
  /** Capabilities this feature adds to the InitializeResult. */
  capabilities?(client: ClientCapabilities): Partial<ServerCapabilities>;
  /** Installs handlers; called once, after initialize. */
  register(ctx: ServerContext): void;
}
