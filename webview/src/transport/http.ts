// The page served by `ume-studio dashboard`: host messages arrive as server-sent events from
// /api/events (EventSource reconnects by itself; each connection starts with a fresh `init`),
// requests are POSTs of JSON to /api/request on the same origin.

import type { DashboardRequest, DashboardResponses, HostMessage } from '../../../server/src/protocol/dashboard';
import { download, localState, type Transport } from './transport';

export class HttpTransport implements Transport {
  readonly kind = 'browser' as const;
  private readonly state = localState(`ume-dashboard:${location.host}`);

  connect(onMessage: (m: HostMessage) => void, onStatus?: (s: 'open' | 'closed') => void): void {
    const es = new EventSource('/api/events');
    es.onmessage = (ev: MessageEvent<string>) => {
      try {
        onMessage(JSON.parse(ev.data) as HostMessage);
      } catch {
        // a damaged event: the next init (on reconnect) brings everything again
      }
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
