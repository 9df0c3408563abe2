import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hitAtK, mrrAtK, ndcgAtK, ranksOf } from '../../server/src/engine/rewards/retrieval/metrics';
import { loadRewardConfig } from '../../server/src/engine/rewards/load';
import { Rng } from '../../server/src/engine/train/rng';

const PYTHON = '/usr/bin/python3';

describe('retrieval metrics agree with an independent reference on random rankings', { skip: existsSync(PYTHON) ? false : 'needs python3' }, () => {
  it('NDCG/Hit/MRR@K on 500 random cases (ties included), exactly', () => {
    const rng = new Rng(7);
    const cases = Array.from({ length: 500 }, () => {
      const n = 2 + Math.floor(rng.uniform() * 60);
      // coarse scores so ties happen
      const scores = Array.from({ length: n }, () => Math.round(rng.uniform() * 20) / 20);
      const nrel = 1 + Math.floor(rng.uniform() * Math.min(4, n));
      const relevant = [...new Set(Array.from({ length: nrel }, () => Math.floor(rng.uniform() * n)))];
      return { scores, relevant, k: 1 + Math.floor(rng.uniform() * n) };
    });
    const r = spawnSync(PYTHON, [join(__dirname, '..', '..', 'bench', 'peers', 'reward_retrieval.py')], { input: JSON.stringify({ cases }), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const ref = (JSON.parse(r.stdout) as { results: Array<{ ndcg: number; hit: number; mrr: number }> }).results;
    cases.forEach((c, i) => {
      const ranks = ranksOf(c.scores, c.relevant);
      assert.equal(hitAtK(ranks, c.k), ref[i]!.hit, `case ${i} hit`);
      assert.equal(mrrAtK(ranks, c.k), ref[i]!.mrr, `case ${i} mrr`);
      assert.ok(Math.abs(ndcgAtK(ranks, c.k) - ref[i]!.ndcg) <= 2 * Number.EPSILON, `case ${i} ndcg ${ndcgAtK(ranks, c.k)} vs ${ref[i]!.ndcg}`);
    });
  });
});

describe('retrieval component (UME embeddings, cached reference set)', () => {
  it('ranks a reference item first for its own sequence, and caches the embeddings on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrieval-'));
    try {
      writeFileSync(join(dir, 'refs.fasta'), '>ubq\nMQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG\n>ins\nGIVEQCCTSICSLYQLENYCN\n>gfp\nMSKGEELFTGVVPILVELDGDVNGHKFSVSGEGEGDATYGKLTLKFICTTGKLPVPWPTLVTTFSYGVQCFSRYPDHMKQ\n');
      const config = { components: [{ name: 'ret', type: 'retrieval', params: { references_file: join(dir, 'refs.fasta'), k: 1, metric: 'hit', device: 'cpu' } }] };
      const first = await loadRewardConfig(config);
      const rows = [
        { prompt: '', completion: '<protein>GIVEQCCTSICSLYQLENYCN</protein>', columns: { target: 'ins' } },
        { prompt: '', completion: '<protein>GIVEQCCTSICSLYQLENYCN</protein>', columns: { target: 'gfp' } },
        { prompt: '', completion: '<protein>GIVEQCCTSICSLYQLENYCN</protein>', columns: { target: 'nope' } },
        { prompt: '', completion: '<protein>GIVEQCCTSICSLYQLENYCN</protein>' },
      ];
      const res = await first.functions[0]!.score(rows);
      await first.close();
      assert.deepEqual(res.slice(0, 2).map((r) => r.value), [1, 0]);
      assert.equal(res[2]!.value, null);
      assert.match(res[2]!.reason!, /"nope" is not in the reference set/);
      assert.match(res[3]!.reason!, /no "target" column/);
      assert.ok(existsSync(join(dir, '.ume-embeddings')), 'embeddings cached beside the reference file');
      const second = await loadRewardConfig(config);
      const again = await second.functions[0]!.score(rows.slice(0, 2));
      await second.close();
      assert.deepEqual(again.map((r) => r.value), [1, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
