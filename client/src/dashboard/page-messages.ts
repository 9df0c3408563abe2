// What the panel accepts from its page. The page renders model outputs and file text, so its
// messages are checked like any input from outside: shape, types and sizes, before anything acts.

import type { PageMessage } from '../../../server/src/protocol/dashboard';

/** Largest text a sample opens in an editor tab, and largest export the page may save (bytes). */
export const MAX_OPEN_TEXT = 5 * 1024 * 1024;
export const MAX_SAVE_BASE64 = 64 * 1024 * 1024;

const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

/** The message as a PageMessage, or null when it is not one this host handles. */
export function parsePageMessage(m: unknown): PageMessage | null {
  if (!m || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  switch (o['type']) {
    case 'ready':
      return { type: 'ready' };
    case 'request':
      return Number.isSafeInteger(o['id']) && o['request'] !== null && typeof o['request'] === 'object' ? (m as PageMessage) : null;
    case 'openText':
      return isStr(o['text'], MAX_OPEN_TEXT) && (o['language'] === undefined || isStr(o['language'], 100)) ? (m as PageMessage) : null;
    case 'saveFile':
      return isStr(o['name'], 255) && isStr(o['mime'], 100) && isStr(o['base64'], MAX_SAVE_BASE64) ? (m as PageMessage) : null;
    case 'log':
      return (o['level'] === 'info' || o['level'] === 'error') && isStr(o['message'], 100_000) ? (m as PageMessage) : null;
    default:
      return null;
  }
}

/** A file name the page suggested, reduced to one plain name (no folders, no control characters). */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').trim();
  return clean.slice(0, 120) || 'dashboard-export';
}
