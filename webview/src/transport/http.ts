// The page served by `ume-studio dashboard`: host messages arrive as server-sent events from
// /api/events (EventSource reconnects by itself; each connection starts with a fresh `init`, sent
// as a link the page fetches: protocol DashboardStreamEvent), requests are POSTs of JSON to
// /api/request on the same origin.

import type { DashboardRequest, DashboardResponses, DashboardStreamEvent, HostMessage } from '../../../server/src/protocol/dashboard';
import { download, localState, type Transport } from './transport';

export class HttpTransport implements Transport {
  readonly kind = 'browser' as const;
  private readonly state = localState(`ume-dashboard:${location.host}`);

  connect(onMessage: (m: HostMessage) => void, onStatus?: (s: 'open' | 'closed') => void): void {
    const es = new EventSource('/api/events');
    /** Updates that came while this connection's init was being fetched; null once it is applied. */
    let held: HostMessage[] | null = null;
    let connection = 0;
    es.onmessage = (ev: MessageEvent<string>) => {
      let m: DashboardStreamEvent;
      try {
        m = JSON.parse(ev.data) as DashboardStreamEvent;
      } catch {
        return; // a damaged event: the next init (on reconnect) brings everything again
      }
      if (m.type === 'initAt') {
        const mine = ++connection;
        held = [];
        void fetch(m.url)
          .then((r) => (r.ok ? (r.json() as Promise<HostMessage>) : Promise.reject(new Error(`HTTP ${r.status}`))))
          .then(
            (init) => {
              if (mine !== connection) return; // a newer connection's init is on its way
              const later = held ?? [];
              held = null;
              onMessage(init);
              for (const u of later) onMessage(u);
            },
            () => {
              // Without its init the stream's updates mean nothing: reconnect for a new one.
              if (mine !== connection) return;
              held = null;
              onStatus?.('closed');
              es.close();
              setTimeout(() => this.connect(onMessage, onStatus), 1000);
            },
          );
        return;
      }
      if (held) held.push(m);
      else onMessage(m);
    };
    es.onopen = () => onStatus?.('open');
    es.onerror = () => onStatus?.('closed');
  }

  async request<R extends DashboardRequest>(req: R): Promise<DashboardResponses[R['kind']]> {
    const res = await fetch('/api/request', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
    const body = (await res.json()) as { result?: DashboardResponses[R['kind']]; error?: string };
    if (!res.ok || body.error !== undefined) throw new Error(body.error ?? `HTTP ${res.status}`);
    return body.result as DashboardResponses[R['kind']];
  }

  getState(): unknown {
    return this.state.get();
  }

  setState(s: unknown): void {
    this.state.set(s);
  }

  saveFile(name: string, _mime: string, data: Blob): Promise<void> {
    return download(name, data);
  }
}
