// scripts/qed-run-report.ts, which the QED acceptance figures in docs/rewards.md come from: validity
// needs a closed tag and an RDKit parse, mean QED equals Python RDKit's over the valid ones, and the
// scaffold count treats ring systems as REINVENT's filter buckets them (acyclic ones share "").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalReport, trainReport } from '../../scripts/qed-run-report';

const COMPLETIONS = [
  '<smiles>CC(=O)Oc1ccccc1C(=O)O</smiles>', // benzene scaffold
  '<smiles>c1ccccc1O</smiles>', // benzene scaffold again
  '<smiles>CCO</smiles>', // acyclic: scaffold ""
  '<smiles>CCCN</smiles>', // acyclic again
  '<smiles>O=C1CCCCC1</smiles>', // cyclohexane
  '<smiles>C1CC</smiles>', // does not parse
  '<smiles>CCCC', // truncated: the tag never closed
];
const VALID = ['CC(=O)Oc1ccccc1C(=O)O', 'c1ccccc1O', 'CCO', 'CCCN', 'O=C1CCCCC1'];

test('qed-run-report: validity, mean QED (against Python RDKit) and unique scaffolds of a run folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qed-report-'));
  try {
    mkdirSync(join(dir, 'generation_logs'));
    mkdirSync(join(dir, 'completions'));
    writeFileSync(join(dir, 'generation_logs', 'generation_log_step_10.json'), JSON.stringify({ samples: COMPLETIONS.map((generated_text) => ({ generated_text })) }));
    writeFileSync(join(dir, 'generation_logs', 'generation_log_step_0.json'), JSON.stringify({ samples: [{ generated_text: '<smiles>CCO</smiles>' }] }));
    for (const step of [1, 2]) writeFileSync(join(dir, 'completions', `step_${step}.jsonl`), COMPLETIONS.map((completion) => JSON.stringify({ completion })).join('\n') + '\n');
    const evals = await evalReport(dir);
    assert.deepEqual(evals.map((e) => e.step), [0, 10], 'evaluations in step order');
    const e = evals[1]!;
    assert.equal(e.samples, 7);
    assert.equal(e.valid, 5);
    assert.ok(Math.abs(e.validity - 5 / 7) < 1e-12);
    const py = spawnSync('/usr/bin/python3', ['-c', 'import sys,json\nfrom rdkit import Chem\nfrom rdkit.Chem import QED\nprint(json.dumps([QED.qed(Chem.MolFromSmiles(s)) for s in json.load(sys.stdin)]))'], { input: JSON.stringify(VALID), encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const ref = (JSON.parse(py.stdout) as number[]).reduce((a, b) => a + b, 0) / VALID.length;
    assert.ok(Math.abs(e.mean_qed - ref) < 1e-3, `mean QED ${e.mean_qed} vs Python RDKit ${ref}`);
    assert.equal(e.unique_smiles_fraction, 1);
    assert.ok(Math.abs(e.unique_scaffold_fraction - 3 / 5) < 1e-12, 'benzene, "" and cyclohexane: 3 scaffolds over 5 valid');
    const train = await trainReport(dir, 2);
    assert.equal(train.length, 1);
    assert.equal(train[0]!.step, 2);
    assert.equal(train[0]!.samples, 14);
    assert.ok(Math.abs(train[0]!.unique_smiles_fraction - 5 / 10) < 1e-12, 'the two steps repeat the same molecules');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
