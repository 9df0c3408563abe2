import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePhases, previousPhases } from '../../scripts/ume/training-phases';

function withSummary(content: string | undefined, f: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'phases-'));
  try {
    const path = join(dir, 'summary.json');
    if (content !== undefined) writeFileSync(path, content);
    f(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a summary from before phases existed counts as one phase, cut at the checkpoint resumed from', () => {
  withSummary(JSON.stringify({ steps: 8384, plannedSteps: 9000, stoppedEarly: true, optimizer: { lr: 0.002 } }), (path) => {
    assert.deepEqual(previousPhases(path, 8384), [{ fromStep: 0, toStep: 8384, plannedSteps: 9000, lr: 0.002, stoppedEarly: true }]);
    // Killed after its last checkpoint: steps 8001-8384 are redone, so the phase ends at 8000.
    assert.deepEqual(previousPhases(path, 8000), [{ fromStep: 0, toStep: 8000, plannedSteps: 9000, lr: 0.002, stoppedEarly: true }]);
  });
});

test('recorded phases carry over; phases after the resume point are dropped', () => {
  const phases = [
    { fromStep: 0, toStep: 2000, plannedSteps: 2200, lr: 0.002, stoppedEarly: true },
    { fromStep: 2000, toStep: 5500, plannedSteps: 26000, lr: 0.002, stoppedEarly: true },
    { fromStep: 5500, toStep: 16000, plannedSteps: 16000, lr: 0.002, stoppedEarly: false },
  ];
  withSummary(JSON.stringify({ steps: 16000, plannedSteps: 16000, phases }), (path) => {
    assert.deepEqual(previousPhases(path, 16000), phases);
    assert.deepEqual(previousPhases(path, 4000), [phases[0], { ...phases[1], toStep: 4000 }]);
  });
});

test('no summary or a fresh start: no history; a corrupt summary is an error that says what to do', () => {
  withSummary(undefined, (path) => assert.deepEqual(previousPhases(path, 500), []));
  withSummary('{"steps": 3', (path) => {
    assert.deepEqual(previousPhases(path, 0), []);
    assert.throws(() => previousPhases(path, 500), /not readable JSON.*move it aside/);
  });
});

test('describePhases says where each schedule was cut short', () => {
  assert.deepEqual(describePhases([
    { fromStep: 0, toStep: 8384, plannedSteps: 9000, lr: 0.002, stoppedEarly: true },
    { fromStep: 8384, toStep: 26000, plannedSteps: 26000, lr: 0.0012, stoppedEarly: false },
  ]), ['steps 1-8384: peak lr 0.002, schedule over 9000 steps (stopped at 8384)', 'steps 8385-26000: peak lr 0.0012, schedule over 26000 steps']);
});
