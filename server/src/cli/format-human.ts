// Human-readable output of `detect`: one line per sequence in the compiler-style FILE:LINE:COL
// form editors and terminals turn into links, problems indented underneath.

import { describeSummary, type DetectRecord, type DetectSummary } from '../protocol/detect-record';

const EXCERPT = 40;

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > EXCERPT ? `${oneLine.slice(0, EXCERPT - 1)}…` : oneLine;
}

export function formatHumanRecord(r: DetectRecord): string {
  const where = `${r.file}:${r.range.start.line + 1}:${r.range.start.character + 1}`;
  const codes = r.diagnostics.map((d) => d.code).join(',');
  const head =
    r.text === null
      ? `${where}  (file)`
      : `${where}${r.id ? `  ${r.id}` : ''}  ${r.modality ?? 'undetermined'} (${(r.confidence ?? 0).toFixed(2)})  ${excerpt(r.text)}`;
  const lines = [codes ? `${head}  ${codes}` : head];
  for (const d of r.diagnostics) lines.push(`    ${d.severity} ${d.code}: ${d.message}`);
  return lines.join('\n');
}

export function formatHumanSummary(files: number, s: DetectSummary): string {
  return `\n${files} file${files === 1 ? '' : 's'}, ${describeSummary(s)}.`;
}
