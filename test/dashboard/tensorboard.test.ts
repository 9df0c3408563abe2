// `ume-studio dashboard RUN... --tensorboard DIR`: the event files it writes read back, record by
// record, through an independent reader (test/dashboard/read_tfevents.py: Google's protobuf runtime
// with a descriptor of TensorFlow's Event/Summary/HistogramProto, crcmod's CRC-32C): every metrics
// scalar at float32 precision, steps, wall times, the reward histogram's buckets; --follow appends
// the rows a training run writes and starts over (one file, no step twice) when a resume rewrites
// metrics.jsonl; bad invocations and unwritable folders get clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from '../cli/run-cli';
import { crc32c, exportRunsToTensorBoard, FILE_VERSION } from '../../server/src/engine/runs/tensorboard';
import type { MetricsRow, Histogram } from '../../server/src/protocol/run-format';

const PY = '/usr/bin/python3';
const READER = join(ROOT, 'test', 'dashboard', 'read_tfevents.py');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'runs', 'grpo-multi');

interface PyEvent { wall_time: number; step: number; file_version?: string; scalars: Record<string, number>; histograms: Record<string, { min: number; max: number; num: number; bucket_limit: number[]; bucket: number[] }> }

function readEvents(file: string): PyEvent[] {
  const r = spawnSync(PY, [READER, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `the reference reader failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PyEvent);
}

const eventFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('events.out.tfevents.')).map((n) => join(dir, n));
const f32 = (x: number): number => Math.fround(x);
const rows = (dir: string): MetricsRow[] => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRow);

function assertMatches(events: PyEvent[], want: MetricsRow[]): void {
  assert.equal(events[0]!.file_version, FILE_VERSION);
  const data = events.slice(1);
  assert.equal(data.length, want.length);
  let scalars = 0;
  data.forEach((e, i) => {
    const row = want[i]!;
    assert.equal(e.step, row.step);
    assert.equal(e.wall_time, row.wall_time / 1000);
    for (const [k, v] of Object.entries(row)) {
      if (k === 'step' || k === 'wall_time') {
        assert.equal(e.scalars[k], undefined, `${k} is the event's own field, not a scalar`);
      } else if (typeof v === 'number' && Number.isFinite(v)) {
        assert.equal(e.scalars[k], f32(v), `step ${row.step} ${k}`);
        scalars++;
      } else if (v && typeof v === 'object') {
        const h = v as Histogram;
        const got = e.histograms[k]!;
        assert.deepEqual(got.bucket, h.bins, `step ${row.step} ${k} buckets`);
        assert.deepEqual(got.bucket_limit, h.edges.slice(1));
        assert.equal(got.min, h.edges[0]);
        assert.equal(got.num, h.bins.reduce((a, b) => a + b, 0));
      }
    }
    assert.equal(Object.keys(e.scalars).length, Object.entries(row).filter(([k, v]) => k !== 'step' && k !== 'wall_time' && typeof v === 'number' && Number.isFinite(v)).length);
  });
  assert.ok(scalars > want.length * 20, `only ${scalars} scalars compared`);
}

test('CRC-32C check value', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('--tensorboard writes one event file per run that the reference reader parses to the metrics rows', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ume-tb-'));
  try {
    const r = await cli('dashboard', FIXTURE, join(ROOT, 'test', 'fixtures', 'runs', 'grpo-single'), '--tensorboard', out);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /grpo-multi \(200 steps\)/);
    assert.match(r.out, /tensorboard --logdir/);
    assert.deepEqual(readdirSync(out).sort(), ['grpo-multi', 'grpo-single']);
    for (const run of ['grpo-multi', 'grpo-single']) {
      const files = eventFiles(join(out, run));
      assert.equal(files.length, 1);
      assertMatches(readEvents(files[0]!), rows(join(ROOT, 'test', 'fixtures', 'runs', run)));
    }
    // Again into the same folder: the earlier file is replaced, not doubled.
    assert.equal((await cli('dashboard', FIXTURE, '--tensorboard', out)).code, 0);
    assert.equal(eventFiles(join(out, 'grpo-multi')).length, 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('following a run: new rows are appended as it trains; a resume that rewrites metrics.jsonl starts the file over', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ume-tb-follow-'));
  try {
    const run = join(tmp, 'live');
    cpSync(FIXTURE, run, { recursive: true });
    const all = rows(run);
    writeFileSync(join(run, 'metrics.jsonl'), all.slice(0, 50).map((r) => JSON.stringify(r) + '\n').join(''));
    const out = join(tmp, 'tb');
    const writes: number[] = [];
    const tb = await exportRunsToTensorBoard([run], out, { follow: true, onWrite: (_, n) => writes.push(n) });
    const until = async (ok: () => boolean, what: string) => {
      const t0 = Date.now();
      while (!ok()) {
        if (Date.now() - t0 > 10_000) assert.fail(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const dir = join(out, 'live');
      const count = () => readEvents(eventFiles(dir)[0]!).length - 1;
      appendFileSync(join(run, 'metrics.jsonl'), all.slice(50, 80).map((r) => JSON.stringify(r) + '\n').join(''));
      await until(() => writes.reduce((a, b) => a + b, 0) >= 80, 'the appended rows');
      assert.equal(count(), 80);
      assertMatches(readEvents(eventFiles(dir)[0]!), all.slice(0, 80));
      // A resume from a checkpoint at step 40 cuts the file back and writes its own rows after it.
      const resumed = all.slice(40, 60).map((r) => ({ ...r, loss: (r.loss as number) + 1 }));
      writeFileSync(join(run, 'metrics.jsonl'), [...all.slice(0, 40), ...resumed].map((r) => JSON.stringify(r) + '\n').join(''));
      await until(() => eventFiles(dir).length === 1 && count() === 60 && readEvents(eventFiles(dir)[0]!).at(-1)!.scalars['loss'] === f32(resumed.at(-1)!.loss as number), 'the rewritten file');
      assertMatches(readEvents(eventFiles(dir)[0]!), [...all.slice(0, 40), ...resumed]);
    } finally {
      await tb.stop();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('bad invocations and an unwritable folder fail with what to do', async () => {
  assert.match((await cli('dashboard', FIXTURE, '--follow')).err, /--follow goes with --tensorboard/);
  assert.match((await cli('dashboard', FIXTURE, '--tensorboard', 'x', '--export', 'r.html')).err, /does not serve or export/);
  assert.match((await cli('dashboard', FIXTURE, '--tensorboard', join(FIXTURE, 'tb'))).err, /inside a run folder/);
  // A folder that cannot be made (a file stands where it would go): the error names it, nothing is left behind.
  const tmp = mkdtempSync(join(tmpdir(), 'ume-tb-bad-'));
  try {
    writeFileSync(join(tmp, 'file'), 'x');
    const r = await cli('dashboard', FIXTURE, '--tensorboard', join(tmp, 'file', 'tb'));
    assert.notEqual(r.code, 0);
    assert.match(r.err, /could not write TensorBoard events to .*file.*pick another --tensorboard folder/);
    assert.deepEqual(readdirSync(tmp), ['file']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
