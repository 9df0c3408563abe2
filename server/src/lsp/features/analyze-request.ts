// `ume/analyzeDocument`: detection results for one document right now, as the CLI prints them.
// Open documents are analysed from the editor's text; others are read from disk (file: URIs).

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { analyzeDocumentRequest, type AnalyzeDocumentParams, type AnalyzeDocumentResult } from '../../protocol/requests';
import { toDetectRecords } from '../../protocol/detect-record';
import type { ServerContext } from '../context';
import type { Feature } from './feature';
import { analyzeText } from '../analysis';

function isParams(p: unknown): p is AnalyzeDocumentParams {
  return typeof p === 'object' && p !== null && typeof (p as { uri?: unknown }).uri === 'string';
}

export async function readClosed(uri: string): Promise<string> {
  if (!uri.startsWith('file:')) {
    throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not open and is not a file: URI; open it first.`);
  }
  try {
    return await readFile(fileURLToPath(uri), 'utf8');
  } catch (error) {
    throw new ResponseError(ErrorCodes.InvalidParams, `Cannot read ${uri}: ${(error as Error).message}`);
  }
}

export async function handleAnalyze(ctx: ServerContext, params: unknown): Promise<AnalyzeDocumentResult> {
  if (!isParams(params)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `${analyzeDocumentRequest.method} needs { "uri": string }.`);
  }
  const { uri } = params;
  const settings = await ctx.config.get(uri);
  const doc = ctx.documents.get(uri);
  const text = doc ? doc.getText() : await readClosed(uri);
  // Closed files have no language id; 'plaintext' lets the extension decide, as in the CLI.
  const analysis = await analyzeText(uri, doc?.languageId ?? 'plaintext', text, settings);
  const records = analysis ? toDetectRecords(uri, analysis) : [];
  return { uri, version: doc?.version ?? null, records, truncated: analysis?.truncated ?? false };
}

export const analyzeRequestFeature: Feature = {
  name: 'analyzeDocument',
  register(ctx) {
    ctx.connection.onRequest(analyzeDocumentRequest.method, (params: unknown) => handleAnalyze(ctx, params));
  },
};
