// Helpers shared by CLI commands: the database path, zone-name arguments, the user-error type.
import { Store } from '../../zones/store/sqlite.js';
import { parseName, type Name } from '../../zones/model/name.js';

/** A user error: printed as one line, exit status 1 (or `exitCode` where a command's contract says otherwise). */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 1) { super(message); }
}

export const DEFAULT_DB = './data/daneprime.db';

export function dbPath(v: string | undefined): string {
  return v ?? process.env.DANEPRIME_DB ?? DEFAULT_DB;
}

export function zoneArg(text: string | undefined, what = 'zone name'): Name {
  if (!text) throw new UsageError(`missing ${what}`);
  try {
    return parseName(text.endsWith('.') ? text : text + '.');
  } catch (err) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}

export function withStore<T>(path: string, fn: (s: Store) => T): T {
  const store = new Store(path);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
