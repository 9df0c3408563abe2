// An exported report: the `init` message and every answer are inlined in the page as inert JSON
// (server/src/dashboard/export.ts), so nothing is fetched.

import type { DashboardRequest, DashboardResponses, HostMessage, StaticDashboardData } from '../../../server/src/protocol/dashboard';
import { download, localState, type Transport } from './transport';

export class StaticTransport implements Transport {
  readonly kind = 'static' as const;
  private readonly state = localState(`ume-report:${document.title}`);

  constructor(private readonly data: StaticDashboardData) {}

  static fromElement(id: string): StaticTransport {
    const el = document.getElementById(id);
    if (!el?.textContent) throw new Error(`the report's data (#${id}) is missing: re-export it with ume-studio dashboard --export`);
    return new StaticTransport(JSON.parse(el.textContent) as StaticDashboardData);
  }

  connect(onMessage: (m: HostMessage) => void): void {
    queueMicrotask(() => onMessage(this.data.init));
  }

  request<R extends DashboardRequest>(request: R): Promise<DashboardResponses[R['kind']]> {
    type Out = DashboardResponses[R['kind']];
    const req: DashboardRequest = request;
    if (req.kind === 'molecules') {
      const drawn = this.data.molecules?.[req.runId] ?? {};
      return Promise.resolve(Object.fromEntries(req.smiles.map((s) => [s, drawn[s] ?? null])) as Out);
    }
    const table = req.kind === 'completions' ? this.data.completions : this.data.generationLogs;
    const v = table[req.runId]?.[req.step];
    if (v === undefined) return Promise.reject(new Error(`step ${req.step} of ${req.runId} is not in this report`));
    return Promise.resolve(v as Out);
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
