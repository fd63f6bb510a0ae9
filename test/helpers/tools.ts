// Decides whether a test that needs something installed or built can run: missing, it skips locally and fails in CI.
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** True when `name` is on PATH. Missing: fails the test when CI=true, otherwise skips it with a reason. */
export function requireTool(name: string, t: TestContext): boolean {
  const found = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', name], { encoding: 'utf8' }).status === 0;
  return requirePresent(found, `required tool '${name}' is not installed`, t);
}

/** True when `present`. Otherwise fails the test when CI=true, else skips it saying `missing`. */
export function requirePresent(present: boolean, missing: string, t: TestContext): boolean {
  if (present) return true;
  if (process.env.CI === 'true') throw new Error(`${missing} (CI=true, so this fails instead of skipping)`);
  t.skip(missing);
  return false;
}
