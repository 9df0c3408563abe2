// The server's packed init (server/src/dashboard/metrics-pack.ts) decodes to the same run as the
// row batches it packs: random rows with gaps, NaN, keys that appear late, histograms of any size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsEncoder } from '../../../server/src/dashboard/metrics-encoder';
import { packBatch } from '../../../server/src/dashboard/metrics-pack';
import type { MetricsRow } from '../../../server/src/protocol/run-format';
import { RunData } from './run-data';
import { float64FromBase64 } from './packed';

const meta = { id: 'a', name: 'a', dir: '/a', config: null, status: null, summary: null, problems: [] };

function rows(seed: number, n: number): MetricsRow[] {
  let a = seed;
  const r = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, unknown> = { step: i + 1, wall_time: 1.7e12 + i * 1234.5 };
    for (let k = 0; k < 12; k++) if (r() < 0.8 && (k < 6 || i > n / 3)) row[`m${k}`] = r() < 0.05 ? NaN : (r() - 0.5) * 10 ** Math.floor(r() * 12 - 6);
    if (r() < 0.7) {
      const size = 1 + Math.floor(r() * 25);
      row['train/reward_histogram'] = { bins: Array.from({ length: size }, () => Math.floor(r() * 9)), edges: Array.from({ length: size + 1 }, (_, e) => -1 + e * 0.1 + r() * 0.01) };
    }
    return row as MetricsRow;
  });
}

function snapshot(d: RunData) {
  const keys = d.numericKeys().sort();
  return { length: d.length, numeric: keys.map((k) => [k, d.column(k)!.map((x) => (Number.isNaN(x) ? 'NaN' : x))]), hist: d.histograms('train/reward_histogram') };
}

test('a packed batch decodes to exactly the run its rows make, after earlier rows too', () => {
  for (let c = 0; c < 25; c++) {
    const all = rows(7 + c, 1 + c * 37);
    const cut = Math.floor(all.length / 3);
    const enc = new MetricsEncoder();
    const first = enc.encode(all.slice(0, cut));
    const rest = enc.encode(all.slice(cut));
    const plain = new RunData(meta);
    plain.append(first);
    plain.append(rest);
    const packed = new RunData(meta);
    packed.append(packBatch(first, first.keys.length));
    packed.append(packBatch(rest, first.keys.length + rest.keys.length));
    assert.equal(packed.append(packBatch({ keys: [], rows: [] }, 0)), all.length, 'an empty packed batch adds nothing');
    assert.deepEqual(snapshot(packed), snapshot(plain), `case ${c}`);
  }
});

test('float64 columns survive base64 bit for bit; a torn column is an error', () => {
  const xs = Float64Array.from([0, -0, 1e-310, Math.PI, -1e300, NaN, 2 ** 53 + 2]);
  const back = float64FromBase64(Buffer.from(xs.buffer).toString('base64'));
  assert.deepEqual([...back].map((x) => Object.is(x, -0) ? '-0' : x), [...xs].map((x) => Object.is(x, -0) ? '-0' : x));
  assert.throws(() => float64FromBase64(Buffer.from([1, 2, 3]).toString('base64')), /not a whole number of float64/);
});
