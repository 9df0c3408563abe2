// Runs the sequence engine on one document with the user's settings: the single place where the
// language server calls `analyzeDocument`, so diagnostics, code actions and the custom request all
// see the same analysis.

import { analyzeDocument, type DocumentAnalysis } from '../engine/seq/index';
import type { UmeSettings } from '../protocol/settings';
import { documentScope, mayContainTags } from './document-scope';

export const EMPTY_ANALYSIS: DocumentAnalysis = { reports: [], fileDiagnostics: [], truncated: false };

const MB = 1024 * 1024;

/** Returns null when the document is out of scope (see document-scope.ts). */
export async function analyzeText(
  uri: string,
  languageId: string,
  text: string,
  settings: UmeSettings,
  isCancelled?: () => boolean,
): Promise<DocumentAnalysis | null> {
  const scope = documentScope(uri, languageId, settings.diagnostics.taggedTextInAllFiles);
  if (!scope) return null;
  if (scope.taggedOnly && !mayContainTags(text)) return EMPTY_ANALYSIS;
  const analysis = await analyzeDocument(text, {
    mode: settings.detection.mode,
    severityOverrides: settings.diagnostics.severity,
    ...(scope.extension !== undefined ? { extension: scope.extension } : {}),
    languageId: scope.languageId,
    minPlainLength: settings.plainText.minLength,
    maxBytes: Math.round(settings.maxFileSizeMB * MB),
    maxSequences: settings.maxSequencesPerFile,
    limitSettingName: 'umeStudio.maxFileSizeMB',
    ...(isCancelled ? { isCancelled } : {}),
  });
  if (!scope.taggedOnly) return analysis;
  // In code and prose only tags are ours; plain-text guesses there would be noise.
  const reports = analysis.reports.filter((r) => r.occurrence.format === 'tagged');
  return { reports, fileDiagnostics: reports.length > 0 ? analysis.fileDiagnostics : [], truncated: analysis.truncated };
}
