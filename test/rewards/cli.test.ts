import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../server/src/cli/main';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('ume-studio reward', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'reward-cli-'));
    writeFileSync(join(dir, 'm.smi'), 'CC(=O)Oc1ccccc1C(=O)O aspirin\nC1CC broken\nc1ccccc1 benzene\n');
    writeFileSync(join(dir, 'p.fasta'), '>ubq\nMQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG\n');
    writeFileSync(join(dir, 'empty.smi'), '');
    writeFileSync(join(dir, 'r.json'), JSON.stringify({ aggregation: 'arithmetic_mean', components: [{ name: 'qed', type: 'qed', weight: 2 }, { name: 'valid', type: 'validity' }] }));
    writeFileSync(join(dir, 'sum.json'), JSON.stringify({ components: [{ name: 'qed', type: 'qed', weight: 2 }, { name: 'len', type: 'length', weight: 0.5, params: { min: 5, max: 30 } }] }));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ components: [{ type: 'qed', params: { radius: 2 } }] }));
    writeFileSync(join(dir, 'seed.json'), JSON.stringify({ accuracy_weight: 0.5, length_weight: 0.5, length: { optimal_length: 20 } }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--json prints {id, sequence, modality, components: {name: {raw, value, error?}}, total} per sequence', async () => {
    const r = await cli(['reward', '--config', join(dir, 'r.json'), join(dir, 'm.smi'), join(dir, 'p.fasta'), '--json']);
    const rows = r.out.split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 4);
    assert.match(rows[0].id, /m\.smi:1:1$/);
    assert.equal(rows[0].modality, 'SMILES');
    assert.ok(Math.abs(rows[0].components.qed.raw - 0.5501217966938848) < 1e-6);
    assert.ok(Math.abs(rows[0].total - (2 * rows[0].components.qed.value + 1) / 3) < 1e-12);
    assert.equal(rows[1].components.qed.value, null);
    assert.match(rows[1].components.qed.error, /could not parse/);
    assert.equal(rows[1].total, 0, 'only validity scored the broken SMILES: the mean is its 0');
    assert.equal(rows[3].modality, 'amino_acid');
    assert.equal(rows[3].total, 1);
    assert.equal(r.code, 0);
  });

  it('weighted_sum totals are sum w * value over the components that scored; the table shows raw -> value', async () => {
    const r = await cli(['reward', '--config', join(dir, 'sum.json'), join(dir, 'm.smi'), '--json']);
    const rows = r.out.split('\n').map((l) => JSON.parse(l));
    assert.ok(Math.abs(rows[0].total - (2 * rows[0].components.qed.value + 0.5 * 1)) < 1e-12);
    assert.equal(rows[0].components.len.raw, 21);
    const t = await cli(['reward', '--config', join(dir, 'sum.json'), join(dir, 'm.smi')]);
    assert.match(t.out, /qed\s+len\s+total/);
    assert.match(t.out, /21\.000→1\.000/);
    assert.match(t.out, /3 sequences in 1 file/);
  });

  it('bad configs, missing files and empty files: clear errors and exit codes', async () => {
    const bad = await cli(['reward', '--config', join(dir, 'bad.json'), join(dir, 'm.smi')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /component "qed" \(qed\): unknown param "radius"/);
    const missing = await cli(['reward', '--config', join(dir, 'nope.json'), join(dir, 'm.smi')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no such file/);
    const noConfig = await cli(['reward', join(dir, 'm.smi')]);
    assert.equal(noConfig.code, 2);
    assert.match(noConfig.err, /give --config/);
    const empty = await cli(['reward', '--config', join(dir, 'r.json'), join(dir, 'empty.smi')]);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /empty\.smi: no sequences found/);
  });

  it('accepts the seed-003 shape and says what each key became', async () => {
    const r = await cli(['reward', '--config', join(dir, 'seed.json'), join(dir, 'p.fasta'), '--json']);
    assert.equal(r.code, 0);
    assert.match(r.err, /accuracy_weight = 0.5 -> component "accuracy" \(type validity\)/);
    assert.match(r.err, /length.optimal_length = 20 -> length params.target/);
    const row = JSON.parse(r.out);
    assert.equal(row.components.length.raw, 76);
  });
});
