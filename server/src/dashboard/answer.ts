// A page's data request answered from a DashboardSource, for every host that relays them: the
// 127.0.0.1 server (POST /api/request) and the VS Code panel (postMessage). The request comes
// from the page, so its shape is checked here before the source reads anything.

import type { DashboardRequest, DashboardResponses } from '../protocol/dashboard';
import type { DashboardSource } from './source';

export const REQUEST_KINDS: ReadonlyArray<DashboardRequest['kind']> = ['completions', 'generationLog', 'molecules'];

export type Answer = { result: DashboardResponses[DashboardRequest['kind']] } | { error: string; bad: boolean };

/** `bad`: the request itself is malformed (HTTP 400), not a missing run or step (404). */
export async function answerDashboardRequest(source: DashboardSource, body: unknown): Promise<Answer> {
  const kind = (body as { kind?: unknown } | null)?.kind;
  if (!body || typeof body !== 'object' || typeof kind !== 'string' || !REQUEST_KINDS.includes(kind as DashboardRequest['kind'])) {
    return { error: `kind must be ${REQUEST_KINDS.slice(0, -1).join(', ')} or ${REQUEST_KINDS.at(-1)!}`, bad: true };
  }
  try {
    return { result: await source.request(body as DashboardRequest) };
  } catch (e) {
    return { error: (e as Error).message, bad: false };
  }
}
