// Runs code-server (VS Code's web workbench with a real Node extension host) for one test:
// its own port, user-data, extensions and config in a temp folder, stopped as a whole process group.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { codeServerEntry, nodeBin, repoRoot } from './paths';

export interface CodeServer {
  /** Workbench URL with the workspace folder opened. */
  readonly url: string;
  readonly port: number;
  readonly extensionsDir: string;
  /** Everything code-server printed so far (for failure messages). */
  output(): string;
  /**
   * Stops the server, its extension host and language server. With `keepLogsIn`, first copies the
   * workbench/extension-host logs (including extension output channels) and code-server's own output there.
   */
  stop(keepLogsIn?: string): Promise<void>;
}

interface Dirs {
  root: string;
  config: string;
  userData: string;
  extensions: string;
}

function makeDirs(): Dirs {
  const root = mkdtempSync(join(tmpdir(), 'ume-e2e-cs-'));
  const config = join(root, 'config.yaml');
  // Always pass --config: otherwise code-server writes ~/.config/code-server/config.yaml with a password.
  writeFileSync(config, 'auth: none\ncert: false\n');
  return { root, config, userData: join(root, 'user-data'), extensions: join(root, 'extensions') };
}

function commonArgs(d: Omit<Dirs, 'root'>): string[] {
  return ['--config', d.config, '--user-data-dir', d.userData, '--extensions-dir', d.extensions];
}

export interface VsixInstall {
  /** The folder code-server unpacked the extension into (what users run). */
  extensionPath: string;
  /** What `--install-extension` printed. */
  output: string;
}

/**
 * Installs `vsix` with code-server's own `--install-extension` into `dirs.extensions` (as a user
 * would) and returns the folder it was unpacked into, read from the extensions.json code-server
 * writes. Throws with code-server's output when it fails.
 */
export function installVsix(vsix: string, dirs: { config: string; userData: string; extensions: string }, env: NodeJS.ProcessEnv): VsixInstall {
  const install = spawnSync(nodeBin, [codeServerEntry, ...commonArgs(dirs), '--install-extension', vsix, '--force'], { env, encoding: 'utf8', timeout: 60_000 });
  const output = `${install.stdout}\n${install.stderr}`;
  if (install.status !== 0 || !/successfully installed/i.test(install.stdout)) {
    throw new Error(`installing ${vsix} into code-server failed (exit ${install.status}):\n${output}`);
  }
  const listed = JSON.parse(readFileSync(join(dirs.extensions, 'extensions.json'), 'utf8')) as Array<{ identifier: { id: string }; relativeLocation?: string; location?: { path?: string } }>;
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string };
  const id = `${manifest.publisher}.${manifest.name}`.toLowerCase();
  const entry = listed.find((e) => e.identifier.id.toLowerCase() === id);
  const where = entry?.relativeLocation ? join(dirs.extensions, entry.relativeLocation) : entry?.location?.path;
  if (!where || !isAbsolute(where) || !existsSync(join(where, 'package.json'))) {
    throw new Error(`code-server installed ${vsix} but its extensions.json names no folder for ${id}:\n${JSON.stringify(listed)}`);
  }
  return { extensionPath: where, output };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHealth(port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited early (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms:\n${output()}`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // group already gone
  }
}

/**
 * Installs `vsix` into a fresh extensions folder and starts code-server on `workspace`.
 * The server runs in its own process group (detached) so that stop() also ends the extension host
 * and the language server it spawned.
 */
export async function startCodeServer(opts: {
  workspace: string;
  vsix: string;
  settings?: Record<string, unknown>;
  /** Keep VS Code's workspace trust on (default off: every folder is trusted), to test Restricted Mode. */
  workspaceTrust?: boolean;
}): Promise<CodeServer> {
  const d = makeDirs();
  const env = { ...process.env, PATH: `${join(nodeBin, '..')}:${process.env.PATH ?? ''}` };
  try {
    installVsix(opts.vsix, d, env);
  } catch (e) {
    rmSync(d.root, { recursive: true, force: true });
    throw e;
  }
  if (opts.settings) {
    const userDir = join(d.userData, 'User');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, 'settings.json'), JSON.stringify(opts.settings, null, 2));
  }

  const port = await freePort();
  const child = spawn(
    nodeBin,
    [
      codeServerEntry,
      ...commonArgs(d),
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--reconnection-grace-time', '30',
      opts.workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const output = () => out;

  // If the test process dies without calling stop(), do not leave a server behind.
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  let stopped = false;
  const stop = async (keepLogsIn?: string): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    if (keepLogsIn) {
      mkdirSync(keepLogsIn, { recursive: true });
      writeFileSync(join(keepLogsIn, 'code-server.log'), out);
      const logs = join(d.userData, 'logs');
      if (existsSync(logs)) cpSync(logs, join(keepLogsIn, 'vscode-logs'), { recursive: true });
    }
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    // Children (extension host, language server) may outlive the leader for a moment.
    killGroup(child, 'SIGKILL');
    rmSync(d.root, { recursive: true, force: true });
  };

  try {
    await waitForHealth(port, child, output, 20_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(opts.workspace)}`,
    port,
    extensionsDir: d.extensions,
    output,
    stop,
  };
}
