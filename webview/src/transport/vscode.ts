// The page inside a VS Code webview: acquireVsCodeApi's postMessage both ways, getState/setState
// (restored by the panel serializer after a window reload), a `ready` handshake so the extension
// sends `init` only once the page listens, and requests answered by id.

import type { DashboardRequest, DashboardResponses, HostMessage, PageMessage } from '../../../server/src/protocol/dashboard';
import { blobToBase64, type Transport } from './transport';

interface VsCodeApi {
  postMessage(m: PageMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const inVsCode = (): boolean => typeof (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function';

export class VsCodeTransport implements Transport {
  readonly kind = 'vscode' as const;
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  connect(onMessage: (m: HostMessage) => void): void {
    window.addEventListener('message', (ev: MessageEvent) => {
      const m = ev.data as HostMessage;
      if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
      if (m.type === 'response') {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.result);
        return;
      }
      onMessage(m);
    });
    this.api.postMessage({ type: 'ready' });
  }

  request<R extends DashboardRequest>(request: R): Promise<DashboardResponses[R['kind']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ type: 'request', id, request });
    });
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(s: unknown): void {
    this.api.setState(s);
  }

  async saveFile(name: string, mime: string, data: Blob): Promise<void> {
    this.api.postMessage({ type: 'saveFile', name, mime, base64: await blobToBase64(data) });
  }

  openText(text: string, language?: string): void {
    this.api.postMessage({ type: 'openText', text, ...(language ? { language } : {}) });
  }
}
