// How the page talks to its host, whichever it is: a VS Code webview (postMessage), the
// `ume-studio dashboard` server (server-sent events + fetch), or an exported report (data inlined).
// The page sees one interface: messages in, requests out, saved view state, and file saving.

import type { DashboardRequest, DashboardResponses, HostMessage } from '../../../server/src/protocol/dashboard';

export interface Transport {
  readonly kind: 'vscode' | 'browser' | 'static';
  /** Starts delivering host messages (the first is `init`). */
  connect(onMessage: (m: HostMessage) => void, onStatus?: (s: 'open' | 'closed') => void): void;
  request<R extends DashboardRequest>(req: R): Promise<DashboardResponses[R['kind']]>;
  getState(): unknown;
  setState(s: unknown): void;
  /** Save an export; resolves when handed over (download started or the host took it). */
  saveFile(name: string, mime: string, data: Blob): Promise<void>;
  /** Open text in an editor tab, when the host can (VS Code only). */
  openText?(text: string, language?: string): void;
}

export async function blobToBase64(b: Blob): Promise<string> {
  const bytes = new Uint8Array(await b.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A download through a temporary object URL (browser and static pages). */
export function download(name: string, data: Blob): Promise<void> {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return Promise.resolve();
}

/** Saved view state in localStorage (browser and static pages), per page title. */
export function localState(key: string): { get(): unknown; set(s: unknown): void } {
  return {
    get() {
      try {
        return JSON.parse(localStorage.getItem(key) ?? 'null') as unknown;
      } catch {
        return null;
      }
    },
    set(s) {
      try {
        localStorage.setItem(key, JSON.stringify(s));
      } catch {
        // storage full or disabled (file:// in some browsers): the view simply is not restored
      }
    },
  };
}
