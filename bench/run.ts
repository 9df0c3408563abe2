// `npm run bench -- NAME [options]`: a small registry of named benchmarks. Each bench prints its
// figures and, as its LAST line, one JSON object with the headline numbers (CI and docs read it).
// Add a bench: create bench/NAME.ts exporting `bench: Bench`, and list it below.

import type { Bench } from './lib/bench';

const registry: Record<string, () => Promise<{ bench: Bench }>> = {
  'train-step': () => import('./train-step'),
  detect: () => import('./detect'),
  pll: () => import('./pll'),
  hover: () => import('./hover'),
  'policy-generate': () => import('./policy-generate'),
  'grpo-step': () => import('./grpo-step'),
  generate: () => import('./generate'),
  reward: () => import('./reward'),
  dashboard: () => import('./dashboard'),
  'smiles-grammar': () => import('./smiles-grammar'),
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h') {
    console.log('usage: npm run bench -- NAME [options]\n\nbenches:');
    for (const [n, load] of Object.entries(registry)) console.log(`  ${n.padEnd(12)} ${(await load()).bench.description}`);
    process.exit(name ? 0 : 2);
  }
  const load = registry[name];
  if (!load) {
    console.error(`unknown bench "${name}"; available: ${Object.keys(registry).join(', ')}`);
    process.exit(2);
  }
  const { bench } = await load();
  await bench.run(args);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
