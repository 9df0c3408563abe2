// A PyTorch peer process for benches: Debian's /usr/bin/python3 runs a script in "serve" mode that
// prints one JSON "ready" line, then answers each command line on stdin with one JSON line.
// Benches alternate one of our runs with one of the peer's, so both see the same machine load.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';

export const PYTHON = '/usr/bin/python3';
export const TORCH_INSTALL_HINT = 'apt-get install -y python3-torch libopenblas0-pthread';

/** Debian's unoptimised reference BLAS (what libblas.so.3 resolves to when no OpenBLAS/BLIS/MKL is installed). */
export function isReferenceBlas(path: string): boolean {
  return /\/blas\/libblas\.so/.test(path);
}

/** Why PyTorch cannot be used here (with the command that fixes it), or undefined when it can. */
export function torchUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message}); install Debian's Python and PyTorch: ${TORCH_INSTALL_HINT}`;
  if (probe.status !== 0) return `PyTorch is not importable from ${PYTHON} (${probe.stderr.trim().split('\n').pop()}); install it with: ${TORCH_INSTALL_HINT}`;
  return undefined;
}

export class TorchPeer {
  private readonly lines: AsyncIterator<string>;
  private stderr = '';
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    rl: Interface,
    readonly ready: Record<string, unknown>,
  ) {
    this.lines = rl[Symbol.asyncIterator]();
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
  }

  /** Starts `script args --serve` with all BLAS/OpenMP thread counts set to `threads`. */
  static async start(script: string, args: string[], threads: number): Promise<TorchPeer> {
    const t = String(threads);
    const child = spawn(PYTHON, [script, ...args, '--serve'], { env: { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const rl = createInterface({ input: child.stdout });
    const first = await rl[Symbol.asyncIterator]().next();
    const ready = first.done ? undefined : (JSON.parse(first.value) as Record<string, unknown>);
    if (!ready || !ready['ready']) {
      child.kill();
      throw new Error(`the PyTorch peer did not start: ${ready ? JSON.stringify(ready) : stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    const blas = String(ready['blas'] ?? '');
    if (isReferenceBlas(blas)) {
      child.kill();
      // Measured 2026-12-06: with only Debian's reference libblas the padded PLL peer ran >10x slower
      // (one chunk did not finish in 17 minutes), which would make every ratio meaningless.
      throw new Error(`the PyTorch peer would run on the reference (netlib) BLAS ${blas}, far slower than a real peer; install an optimised one: ${TORCH_INSTALL_HINT}`);
    }
    return new TorchPeer(child, rl, ready);
  }

  /** Sends one command line and returns the peer's JSON answer. */
  async send<T>(command: string): Promise<T> {
    this.child.stdin.write(`${command}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`the PyTorch peer exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const msg = JSON.parse(next.value) as T & { error?: string };
    if (msg.error) throw new Error(`the PyTorch peer failed: ${msg.error}`);
    return msg;
  }

  close(): void {
    this.child.stdin.end();
  }
}
