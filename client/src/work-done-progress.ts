// A server request with LSP work-done progress, shown as a cancellable notification: the request
// gets a fresh work-done token, the server's reports move the notification's bar, and cancelling
// the notification cancels the request (undefined comes back instead of an error).

import * as vscode from 'vscode';
import { WorkDoneProgress } from 'vscode-languageclient/node';
import type { Ctx } from './ctx';

export async function withWorkDoneProgress<R>(
  ctx: Ctx,
  title: string,
  send: (workDoneToken: string, token: vscode.CancellationToken) => Promise<R>,
): Promise<R | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const workDoneToken = `ume-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    let last = 0;
    const sub = ctx.client?.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
      if (v.kind === 'end') return;
      const pct = v.percentage ?? last;
      progress.report({ ...(v.message ? { message: v.message } : {}), increment: Math.max(0, pct - last) });
      last = Math.max(last, pct);
    });
    try {
      return await send(workDoneToken, token);
    } catch (error) {
      if (token.isCancellationRequested) return undefined;
      throw error;
    } finally {
      sub?.dispose();
    }
  });
}
