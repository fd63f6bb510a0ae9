// Decides whether a test that drives an external tool can run: missing tools skip locally, fail in CI.
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** True when `name` is on PATH. Missing: fails the test when CI=true, otherwise skips it with a reason. */
export function requireTool(name: string, t: TestContext): boolean {
  const found = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', name], { encoding: 'utf8' }).status === 0;
  if (found) return true;
  if (process.env.CI === 'true') {
    throw new Error(`required tool '${name}' is not installed (CI=true, so this fails instead of skipping)`);
  }
  t.skip(`${name} not installed`);
  return false;
}
