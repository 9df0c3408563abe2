// Markdown helpers shared by the hover (server) and the client's reports: text taken from files
// (sequences, reasons, names in a reward config) is escaped so it can never become links or HTML.

/**
 * Escapes text taken from a document for the middle of a Markdown line (it never starts a line:
 * line breaks become spaces): emphasis, code, links, tables, strikethrough and HTML.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|[\r\n]/g, ' ');
}

/** Fixed decimals with an ASCII minus, so values read the same everywhere (and tests parse them). */
export function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}
