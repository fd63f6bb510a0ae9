// Loading one of our node-gyp addons, or saying why it is not there: every addon has a JavaScript fallback or a clear start-up error.
import { createRequire } from 'node:module';

/** An addon that loaded, or the reason it did not. */
export type Loaded<T> = { addon: T } | { unavailable: string };

/** Load `build/Release/<file>` at the repo root, where `npm ci` (package.json "install": node-gyp rebuild) builds it. */
export function loadAddon<T>(file: string): Loaded<T> {
  const path = new URL(`../../../build/Release/${file}`, import.meta.url).pathname;
  try {
    return { addon: createRequire(import.meta.url)(path) as T };
  } catch (err) {
    return { unavailable: `${path} did not load (${(err as Error).message.split('\n')[0]}); run npm run build:native` };
  }
}

/** Whether it loaded, and if not, why: what callers and tests report. */
export const availability = (l: Loaded<unknown>): { available: boolean; reason?: string } =>
  'addon' in l ? { available: true } : { available: false, reason: l.unavailable };
