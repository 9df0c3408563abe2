// Entry of the dashboard bundle (dist/webview/dashboard.js): registers the Chart.js parts in use,
// reads the boot settings, picks the transport for where the page runs, and starts the app.

import './dashboard.css';
import { BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip } from 'chart.js';
import type { DashboardBoot } from '../../server/src/protocol/dashboard';
import { App } from './ui/app';
import { HttpTransport } from './transport/http';
import { StaticTransport } from './transport/static';
import { VsCodeTransport, inVsCode } from './transport/vscode';
import type { Transport } from './transport/transport';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, BarController, BarElement, ScatterController, Filler, Tooltip, Legend);

function boot(): DashboardBoot {
  try {
    return JSON.parse(document.getElementById('ume-boot')?.textContent ?? '{}') as DashboardBoot;
  } catch {
    return { host: 'browser', molecules: false };
  }
}

function start(): void {
  const b = boot();
  const root = document.getElementById('app');
  if (!root) return;
  let transport: Transport;
  try {
    transport = inVsCode() ? new VsCodeTransport() : b.host === 'static' ? StaticTransport.fromElement(b.dataElement ?? 'ume-data') : new HttpTransport();
  } catch (e) {
    root.textContent = `The dashboard cannot start: ${(e as Error).message}`;
    return;
  }
  const app = new App(root, transport, b);
  (globalThis as { umeDashboard?: App }).umeDashboard = app;
  app.start();
}

start();
