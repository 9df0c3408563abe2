// Device -> execution provider table (the transformers.js pattern) and the session-creation loop
// that walks it. ORT never falls back from a failed provider by itself (REFERENCE.md §3), so each
// candidate gets its own InferenceSession.create attempt and its failure is recorded.

import { ort, type OrtSession, type OrtSessionOptions } from './ort';
import { machineFacts, preflight, type MachineFacts } from './preflight';

export type Device = 'auto' | 'cpu' | 'cuda' | 'webgpu';
export type Provider = 'cpu' | 'cuda' | 'webgpu';

export interface ProviderChoice {
  provider: Provider;
  /** Providers tried before `provider` and why each failed (empty unless device is 'auto'). */
  skipped: Array<{ provider: string; reason: string }>;
}

/** Candidates per device, in order of preference. */
export const DEVICE_PROVIDERS: Record<Device, readonly Provider[]> = {
  auto: ['cuda', 'webgpu', 'cpu'],
  cpu: ['cpu'],
  cuda: ['cuda'],
  webgpu: ['webgpu'],
};

export const DEVICES = Object.keys(DEVICE_PROVIDERS) as Device[];

/** What to do when an explicitly requested provider cannot start. */
const REMEDY: Record<Provider, string> = {
  cpu: 'the CPU provider is always built in; this is a problem with the model, not the device',
  cuda:
    'install the CUDA provider: on a machine with an NVIDIA GPU, CUDA 12 and network access, reinstall with ' +
    '`ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node`; or set device to "auto" or "cpu"',
  webgpu: 'WebGPU needs a GPU adapter (Vulkan/D3D12/Metal driver) visible to this process; or set device to "auto" or "cpu"',
};

export function checkDevice(device: string): Device {
  if ((DEVICES as string[]).includes(device)) return device as Device;
  throw new Error(`unknown device "${device}"; use one of: ${DEVICES.join(', ')}`);
}

/** Short reason from an ORT error: its first line, without the "[ONNXRuntimeError] : 1 : FAIL :" noise. */
export function briefReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  let line = msg.split('\n').find((l) => l.trim()) ?? msg;
  line = line.replace(/\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/g, '');
  // ORT_ENFORCE messages lead with "<source path>:<line> <C++ signature> <condition> was false.":
  // the human part is what follows.
  const enforced = line.split(/ was false\.\s*/);
  if (enforced.length > 1) line = enforced[enforced.length - 1]!;
  return line.replace(/\/onnxruntime_src\/\S+:\d+\s*/g, '').trim();
}

/**
 * Provider failures that are about this machine, not the model (a missing library, no GPU
 * adapter): remembered for the process, so `auto` does not retry them (and re-log ORT's and
 * Dawn's stderr noise) on every compile.
 */
const machineFailures = new Map<Provider, string>();
const MACHINE_FAILURE = /load(ing)? (the )?(shared )?librar|adapter|not installed|no such file/i;

/** Forgets remembered provider failures (tests; a driver installed while running). */
export function resetProviderProbe(): void {
  machineFailures.clear();
}

/** Whether `provider` is compiled into this onnxruntime-node build (bundled or installable). */
function backendKnown(provider: Provider): { known: boolean; bundled: boolean } {
  const b = ort.listSupportedBackends().find((x) => x.name === provider);
  return { known: !!b, bundled: !!b?.bundled };
}

export interface SessionAttempt {
  session: OrtSession;
  choice: ProviderChoice;
}

/**
 * Creates a session on the first provider of `device` that works. With 'auto' a failure moves on
 * to the next provider; an explicit device that fails throws what failed and what to do. A model
 * that even the CPU provider rejects throws the CPU error (that is the model's fault).
 */
export async function createSession(model: Uint8Array, device: Device, options: OrtSessionOptions): Promise<SessionAttempt> {
  const candidates = DEVICE_PROVIDERS[device];
  let facts: MachineFacts | undefined;
  const skipped: ProviderChoice['skipped'] = [];
  for (const provider of candidates) {
    const backend = backendKnown(provider);
    if (device === 'auto' && backend.known && !machineFailures.has(provider)) {
      const reason = preflight(provider, (facts ??= machineFacts()));
      if (reason) machineFailures.set(provider, reason);
    }
    const remembered = machineFailures.get(provider);
    if (!backend.known || remembered) {
      const reason = remembered ?? `this onnxruntime-node build has no ${provider} backend`;
      if (device !== 'auto') throw new ProviderError(provider, reason);
      skipped.push({ provider, reason });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(model, { ...options, executionProviders: [provider] });
      return { session, choice: { provider, skipped } };
    } catch (err) {
      // The CPU provider cannot be missing: its failure is about the model, so surface it as is.
      if (provider === 'cpu') throw err;
      let reason = briefReason(err);
      if (!backend.bundled) reason += ` (the ${provider} provider library is not installed)`;
      if (MACHINE_FAILURE.test(reason)) machineFailures.set(provider, reason);
      if (device !== 'auto') throw new ProviderError(provider, reason, err);
      skipped.push({ provider, reason });
    }
  }
  // Unreachable for the table above (auto ends with cpu), kept for a table edited later.
  throw new Error(`no execution provider could start for device "${device}": ${skipped.map((s) => `${s.provider}: ${s.reason}`).join('; ')}`);
}

export class ProviderError extends Error {
  constructor(
    readonly provider: Provider,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`device "${provider}" could not start: ${reason}. To fix: ${REMEDY[provider]}.`, { cause });
    this.name = 'ProviderError';
  }
}
