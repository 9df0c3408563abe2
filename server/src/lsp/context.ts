// Everything a feature needs, created once per connection. Features get this instead of globals so
// each can be read (and later tested) on its own.

import type { ClientCapabilities, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigStore } from './config-store';
import type { AnalysisStore } from './analysis-store';
import type { DebouncedRunner } from './scheduler';
import type { StatusReporter } from './status';
import type { CodeHref } from './convert';

export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  clientCapabilities: ClientCapabilities;
  config: ConfigStore;
  analyses: AnalysisStore;
  scheduler: DebouncedRunner;
  status: StatusReporter;
  codeHref: CodeHref;
}
