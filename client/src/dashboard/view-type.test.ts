// A restored dashboard panel activates the extension only if package.json names its view type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_VIEW_TYPE } from './view-type';

test('package.json activates the extension for a restored dashboard panel', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { activationEvents: string[] };
  assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${DASHBOARD_VIEW_TYPE}`), pkg.activationEvents.join(', '));
});
