import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FILTERS, extractSequence, filterSamples, rewardNames, sortSamples } from './samples';
import { diffConfigs } from './config-diff';
import { toCsv } from './csv';
import { heatGrid } from './heat';
import type { CompletionRow, RunConfigFile } from '../../../server/src/protocol/run-format';

const c = (index: number, over: Partial<CompletionRow>): CompletionRow => ({ step: 1, index, group: index >> 1, prompt: 'p', completion: '<smiles>CCO</smiles>', modality: 'SMILES', reward: index, rewards: { ume: -index, qed: null }, advantage: 0, length: 5, truncated: false, valid: true, ...over });
const rows = [c(0, { reward: null, valid: false }), c(1, { modality: 'amino_acid', completion: '<protein>MKV</protein>' }), c(2, { prompt: 'find <img src=x>' }), c(3, { modality: null, rewards: { ume: 5, qed: 0.4 } })];

test('filters by modality, validity, reward range and search (prompt or completion, any case)', () => {
  const f = (o: Partial<typeof DEFAULT_FILTERS>) => filterSamples(rows, { ...DEFAULT_FILTERS, ...o }).map((r) => r.index);
  assert.deepEqual(f({}), [0, 1, 2, 3]);
  assert.deepEqual(f({ modality: 'SMILES' }), [0, 2]);
  assert.deepEqual(f({ modality: 'none' }), [3]);
  assert.deepEqual(f({ valid: 'invalid' }), [0]);
  assert.deepEqual(f({ minReward: 1.5 }), [2, 3], 'a null reward is outside any range');
  assert.deepEqual(f({ minReward: 1, maxReward: 2 }), [1, 2]);
  assert.deepEqual(f({ search: 'mkv' }), [1]);
  assert.deepEqual(f({ search: '<IMG' }), [2]);
});

test('sorts by column or reward function, nulls last both ways, stable', () => {
  assert.deepEqual(sortSamples(rows, { key: 'reward', dir: 'desc' }).map((r) => r.index), [3, 2, 1, 0]);
  assert.deepEqual(sortSamples(rows, { key: 'reward', dir: 'asc' }).map((r) => r.index), [1, 2, 3, 0]);
  assert.deepEqual(sortSamples(rows, { key: 'rewards.qed', dir: 'asc' }).map((r) => r.index), [3, 0, 1, 2]);
  assert.deepEqual(sortSamples(rows, { key: 'modality', dir: 'asc' }).map((r) => r.index), [3, 1, 0, 2]);
  assert.deepEqual(rewardNames(rows), ['ume', 'qed']);
});

test('the sequence inside a completion: tagged, cut short, or untagged', () => {
  assert.deepEqual(extractSequence('Sure! <smiles> CC(=O)O </smiles> done'), { tag: 'smiles', sequence: 'CC(=O)O' });
  assert.deepEqual(extractSequence('<protein>MKVL'), { tag: 'protein', sequence: 'MKVL' });
  assert.deepEqual(extractSequence('  c1ccccc1 \n'), { tag: null, sequence: 'c1ccccc1' });
});

test('config diff flattens settings and marks the keys that differ', () => {
  const cfg = (lr: number, extra: Record<string, unknown> = {}): RunConfigFile => ({ format: 'ume-studio-run', version: 1, run_name: 'r', created: '', config_hash: '', config: { learning_rate: lr, beta: 0, ...extra }, policy: { name: 'p', architecture: 'llama', parameters: 1, vocab_size: 2 }, rewards: [{ name: 'ume', weight: 1 }], dataset: { source: 's', train_rows: 1, eval_rows: 1, modalities: {} }, machine: { platform: '', cpus: 1, node: '', provider: 'cpu' } });
  const d = diffConfigs([cfg(1e-5), cfg(3e-5, { seed: 4 }), null]);
  const by = new Map(d.map((r) => [r.key, r]));
  assert.deepEqual(by.get('learning_rate'), { key: 'learning_rate', values: ['0.00001', '0.00003', null], differs: true });
  assert.deepEqual(by.get('seed')?.values, [null, '4', null]);
  assert.equal(diffConfigs([cfg(1), cfg(1)]).filter((r) => r.differs).length, 0);
  assert.equal(by.get('rewards')?.values[0], 'ume×1');
});

test('CSV quotes what needs it and keeps formulas as text', () => {
  assert.equal(toCsv(['run', 'x'], [['=cmd|x', 1], ['a,"b"', NaN], [null, -2]]), "run,x\r\n'=cmd|x,1\r\n\"a,\"\"b\"\"\",\r\n,-2\r\n");
});

test('heat grid re-bins each step’s histogram onto one reward grid, shares per column', () => {
  const h1 = { bins: [2, 2], edges: [0, 1, 2] };
  const h2 = { bins: [4, 0], edges: [2, 3, 4] };
  const g = heatGrid([1, 2, 3], [h1, null, h2], 10, 4)!;
  assert.equal(g.lo, 0);
  assert.equal(g.hi, 4);
  assert.deepEqual([...g.cells[0]!], [0.5, 0.5, 0, 0]);
  assert.deepEqual([...g.cells[1]!], [0, 0, 1, 0]);
  assert.deepEqual([g.x0, g.x1], [[1, 3], [1, 3]]);
  const merged = heatGrid([1, 2, 3], [h1, null, h2], 1, 4)!;
  assert.deepEqual([...merged.cells[0]!], [0.25, 0.25, 0.5, 0]);
  assert.equal(heatGrid([1], [null], 5, 5), null);
});
