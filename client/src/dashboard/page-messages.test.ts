import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePageMessage, safeFileName } from './page-messages';

test('page messages are taken only in their documented shapes', () => {
  assert.deepEqual(parsePageMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
  assert.ok(parsePageMessage({ type: 'request', id: 3, request: { kind: 'completions', runId: 'a', step: 1 } }));
  assert.equal(parsePageMessage({ type: 'request', id: '3', request: {} }), null);
  assert.equal(parsePageMessage({ type: 'request', id: 1.5, request: {} }), null);
  assert.equal(parsePageMessage({ type: 'openText', text: 42 }), null);
  assert.ok(parsePageMessage({ type: 'openText', text: 'CCO', language: 'smiles' }));
  assert.equal(parsePageMessage({ type: 'saveFile', name: 'a.csv', mime: 'text/csv' }), null);
  assert.equal(parsePageMessage({ type: 'log', level: 'warn', message: 'x' }), null);
  assert.equal(parsePageMessage({ type: 'eval', code: '1' }), null);
  assert.equal(parsePageMessage(null), null);
  assert.equal(parsePageMessage('ready'), null);
});

test('a suggested file name loses folders and characters no file system takes', () => {
  assert.equal(safeFileName('../../etc/passwd'), 'passwd');
  assert.equal(safeFileName('C:\\x\\reward<1>.csv'), 'reward_1_.csv');
  assert.equal(safeFileName('.hidden'), 'hidden');
  assert.equal(safeFileName(''), 'dashboard-export');
  assert.equal(safeFileName('reward_mean.png'), 'reward_mean.png');
});
