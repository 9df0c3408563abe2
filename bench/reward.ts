// `npm run bench -- reward`: molecules/s per reward component and for a default molecular multi
// config, ours (RDKit.js + the TypeScript QED/Murcko ports, through loadRewardConfig, as the
// trainer calls them) vs the same work in Python RDKit (bench/peers/reward_rdkit.py bench) in the
// same run, on RDKit's NCI first_5K molecules. Each of our runs starts with an empty molecule
// cache (every molecule parsed again), as Python parses each time.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChemistry } from '../server/src/engine/rewards/chem/molecule';
import { loadRewardConfig } from '../server/src/engine/rewards/load';
import type { RewardConfig } from '../server/src/protocol/reward-config';
import { fmt, machine, median, parseOptions, type Bench } from './lib/bench';

const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';
const PYTHON = '/usr/bin/python3';

function configs(refs: string[]): Record<string, RewardConfig> {
  const one = (type: string, params?: Record<string, unknown>): RewardConfig => ({ components: [{ name: type, type: type as 'qed', ...(params ? { params } : {}) }] });
  return {
    validity: one('validity'),
    qed: one('qed'),
    mw: one('mw'),
    clogp: one('clogp'),
    tpsa: one('tpsa'),
    similarity: one('similarity', { references: refs }),
    murcko: { aggregation: 'arithmetic_mean', components: [{ name: 'v', type: 'validity' }, { name: 'df', type: 'diversity_filter', params: { bucket_size: 1000000 } }] },
    multi: {
      aggregation: 'arithmetic_mean',
      components: [
        { name: 'validity', type: 'validity' },
        { name: 'qed', type: 'qed', weight: 2 },
        { name: 'mw', type: 'mw', transform: { type: 'double_sigmoid', low: 200, high: 500 } },
        { name: 'diversity', type: 'diversity_filter' },
      ],
    },
  };
}

export const bench: Bench = {
  description: 'reward components and a multi config: molecules/s vs Python RDKit',
  async run(args) {
    const o = parseOptions(args, { molecules: 1000, repeat: 3, batch: 64 });
    if (!existsSync(NCI)) throw new Error(`${NCI} not found: apt-get install rdkit-data`);
    const all = readFileSync(NCI, 'utf8').split('\n').map((l) => l.split(/\s+/)[0]!).filter(Boolean);
    const chem = await loadChemistry();
    const mols = all.filter((s) => chem.parse(s).ok).slice(0, o.molecules);
    const refs = mols.slice(0, 16);
    const dir = mkdtempSync(join(tmpdir(), 'reward-bench-'));
    const file = join(dir, 'mols.smi');
    writeFileSync(file, `${mols.join('\n')}\n`);
    const inputs = mols.map((s) => ({ prompt: '', completion: `<smiles>${s}</smiles>` }));
    const m = machine();
    console.log(`reward bench: ${mols.length} NCI molecules, batches of ${o.batch}, median of ${o.repeat}; ${m.cpu}, ${m.cores} cores, node ${m.node}, load ${loadavg()[0]!.toFixed(2)}`);
    const ours: Record<string, number> = {};
    try {
      for (const [name, cfg] of Object.entries(configs(refs))) {
        const times: number[] = [];
        for (let r = 0; r < o.repeat; r++) {
          const loaded = await loadRewardConfig(cfg);
          chem.clearMolecules();
          const t0 = performance.now();
          for (let s = 0; s < inputs.length; s += o.batch) {
            const chunk = inputs.slice(s, s + o.batch);
            await Promise.all(loaded.functions.map((f) => f.score(chunk)));
          }
          times.push((performance.now() - t0) / 1000);
          await loaded.close();
        }
        ours[name] = median(times);
      }
      const py = spawnSync(PYTHON, [join(__dirname, 'peers', 'reward_rdkit.py'), 'bench', file, String(o.repeat)], { encoding: 'utf8' });
      if (py.status !== 0) throw new Error(`Python RDKit peer failed: ${py.stderr}`);
      const peer = JSON.parse(py.stdout.trim().split('\n').pop()!) as { seconds: Record<string, number> };
      const rows: Array<Record<string, number | string>> = [];
      console.log(`\n${'component'.padEnd(12)} ${'ours mol/s'.padStart(12)} ${'RDKit py mol/s'.padStart(15)} ${'ratio'.padStart(7)}`);
      for (const name of Object.keys(ours)) {
        const a = mols.length / ours[name]!;
        const b = mols.length / peer.seconds[name]!;
        rows.push({ component: name, ours: a, python: b, ratio: a / b });
        console.log(`${name.padEnd(12)} ${fmt(a).padStart(12)} ${fmt(b).padStart(15)} ${(a / b).toFixed(2).padStart(7)}`);
      }
      console.log(JSON.stringify({ bench: 'reward', molecules: mols.length, machine: m, rows }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
