// Cheap checks that `auto` makes before asking ORT to start a GPU provider. Starting one that cannot
// work is not free: a missing CUDA library costs a failed dlopen plus ORT's stderr noise, and the
// WebGPU provider initialises Dawn, which walks every Vulkan driver (software ones included) before
// it finds no adapter, ~0.5 s on this machine. The language server pays that before the first hover
// can be scored, so `auto` asks the file system first and remembers the answer for the process (as
// it remembers ORT's own machine failures). An explicit device never runs these checks: a user who
// asked for "webgpu" in a fresh process gets ORT's own answer.

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Provider } from './providers';

/** What the checks look at; injectable for tests. */
export interface MachineFacts {
  platform: NodeJS.Platform;
  /** The folder holding onnxruntime_binding.node (provider libraries sit beside it), if found. */
  bindingDir: string | undefined;
  /** Names in a folder ([] when it does not exist). */
  list(dir: string): string[];
  exists(path: string): boolean;
}

export function machineFacts(): MachineFacts {
  return {
    platform: process.platform,
    bindingDir: ortBindingDir(),
    list: (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
    exists: existsSync,
  };
}

function ortBindingDir(): string | undefined {
  try {
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(join(dir, 'onnxruntime_binding.node')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

type Check = (facts: MachineFacts) => string | undefined;

/** Why `provider` cannot start on this machine, or undefined when ORT should try it. */
const CHECKS: Partial<Record<Provider, Check>> = {
  cuda: (f) => {
    if (f.platform !== 'linux' && f.platform !== 'win32') return 'CUDA is only built for Linux and Windows';
    if (!f.bindingDir) return undefined; // unusual layout: let ORT decide
    const lib = f.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    if (f.list(f.bindingDir).includes(lib)) return undefined;
    return `the CUDA provider library is not installed (${lib} is not beside onnxruntime-node's binding in ${f.bindingDir})`;
  },
  webgpu: (f) => {
    // Linux: a hardware GPU shows up as a DRM render node, an NVIDIA device or (WSL) /dev/dxg. Without
    // one, only software Vulkan drivers remain, and those are never faster than the CPU provider.
    if (f.platform !== 'linux') return undefined;
    const render = f.list('/dev/dri').some((n) => n.startsWith('renderD'));
    if (render || f.exists('/dev/nvidia0') || f.exists('/dev/dxg')) return undefined;
    return 'no GPU adapter: no GPU device node on this machine (/dev/dri/renderD*, /dev/nvidia0, /dev/dxg)';
  },
};

export function preflight(provider: Provider, facts: MachineFacts): string | undefined {
  return CHECKS[provider]?.(facts);
}
