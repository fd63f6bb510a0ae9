// The example alert rules (docs/prometheus-alerts.yml): promtool checks them, and fires each on the series that should raise it (test/fixtures/prometheus-alerts-test.yml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireTool } from './helpers/tools.js';

const RULES = fileURLToPath(new URL('../../docs/prometheus-alerts.yml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('../../test/fixtures/prometheus-alerts-test.yml', import.meta.url));

test('the example alert rules pass promtool check rules and their unit tests', (t) => {
  if (!requireTool('promtool', t)) return;
  const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /SUCCESS: 4 rules found/);
  const run = spawnSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
