// A Hugging Face policy with the weights a GRPO run trained (a run's final/policy.safetensors or a
// checkpoint's), on top of the base model folder the run started from:
// - full fine-tuning saved every weight under its HF name: they replace the folder's weights
//   (read straight into the policy's float32 parameters; the folder's own weights are not read);
// - LoRA saved only the adapters, under peft's names: they are merged into the base weights in
//   place (W += lora_alpha / r * B A, peft's merge_and_unload), so the result is a plain model.
// The run being loaded's own use_peft then decides what trains next (fresh adapters or every weight).

import type { HfModelConfig } from './config';
import { loraSetup, mergeAdaptersInPlace, parseLoraName, type LoraSetup } from './lora';
import { hfParamSpecs } from './params';
import { HfPolicy, type HfPolicyOptions } from './policy';
import { readHfWeightFiles, readHfWeights, safetensorsShapes } from './weights';

/** What the trained run used: its lora_alpha (needed to merge adapters; rank and targets come from the file). */
export interface TrainedRunInfo {
  loraAlpha: number | null;
}

/** The LoRA setup the adapter names and shapes in a file describe, or null when it holds full weights. */
export function adapterSetupOf(c: HfModelConfig, shapes: ReadonlyMap<string, readonly number[]>, alpha: number | null, file: string): LoraSetup | null {
  const names = [...shapes.keys()];
  const parsed = names.map(parseLoraName);
  const nAdapters = parsed.filter((p) => p !== null).length;
  if (nAdapters === 0) return null;
  if (nAdapters !== names.length) throw new Error(`${file} mixes LoRA adapters with other tensors (${names.find((_, i) => parsed[i] === null)}); it is neither a full-weight nor an adapter file of a run`);
  if (alpha === null) throw new Error(`${file} holds LoRA adapters but the run's config.json gives no lora_alpha to merge them with; load it with peft, or give the run's config.json back`);
  const modules = [...new Set(parsed.map((p) => p!.projection.split('.').at(-1)!))];
  const a = parsed.findIndex((p) => p!.which === 'A');
  const rank = shapes.get(names[a]!)![0]!;
  const setup = loraSetup(c, { rank, alpha, targetModules: modules });
  const want = new Map(setup.specs.map((s) => [s.name, s.shape]));
  const wrong = names.filter((n) => want.get(n)?.join() !== shapes.get(n)!.join());
  const absent = [...want.keys()].filter((n) => !shapes.has(n));
  if (wrong.length || absent.length) {
    throw new Error(`${file}: the adapters do not fit ${c.architecture} with rank ${rank} on ${modules.join(', ')}: ${[...wrong.map((n) => `${n} is [${shapes.get(n)!.join(', ')}], expected ${want.has(n) ? `[${want.get(n)!.join(', ')}]` : 'no such adapter'}`), ...absent.map((n) => `${n} is missing`)].slice(0, 4).join('; ')}`);
  }
  return setup;
}

/** The base folder `baseDir` with a run's trained tensors from `file` (full weights or adapters). */
export async function loadTrainedHfPolicy(baseDir: string, file: string, run: TrainedRunInfo, options: HfPolicyOptions = {}): Promise<HfPolicy> {
  const shapes = await safetensorsShapes(file);
  return HfPolicy.load(baseDir, options, async (config, dir) => {
    const setup = adapterSetupOf(config, shapes, run.loraAlpha, file);
    if (!setup) return (await readHfWeightFiles([file], config, hfParamSpecs(config), file)).params;
    const base = (await readHfWeights(dir, config)).params;
    mergeAdaptersInPlace(setup, base, (await readHfWeightFiles([file], config, setup.specs, file)).params);
    return base;
  });
}
