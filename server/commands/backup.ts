// `daneprime backup FILE`: an online, consistent copy of the database, readable by its owner only.
import { parseArgs } from 'node:util';
import { closeSync, fchmodSync, lstatSync, openSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError, dbPath } from './common.js';

export const BACKUP_USAGE = `  daneprime backup FILE [--force] [--db PATH]   (online copy, file mode 0600; --force replaces FILE)`;

/** The database holds every zone's DNSSEC private keys and the TSIG secrets: so does its copy. */
const BACKUP_MODE = 0o600;

export async function cmdBackup(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true, options: { db: { type: 'string' }, force: { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`backup needs one FILE\n${BACKUP_USAGE}`);
  const db = dbPath(values.db);
  if (statOf(file, lstatSync) && !values.force) throw new UsageError(`${file} exists; pass --force to replace it`);
  // Read-only and never created: a backup must not migrate, or make, the database it copies.
  let source: Database.Database;
  try {
    source = new Database(db, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new UsageError(`cannot open database ${db}: ${(err as Error).message}`);
  }
  try {
    const same = statOf(file, statSync);
    const live = statSync(db);
    if (same && same.dev === live.dev && same.ino === live.ino) throw new UsageError(`${file} is the database itself`);
    source.pragma('busy_timeout = 5000');
    // Copied beside FILE and renamed over it when complete: FILE is never a partial copy.
    const partial = join(dirname(file), `.${basename(file)}.partial-${process.pid}`);
    createPrivate(partial);
    try {
      // SQLite's online backup API. Its first step only counts the pages; returning the total
      // from the progress callback makes the second step copy them all inside one read
      // transaction: one consistent snapshot, which the server's writes (WAL) do not block
      // or restart.
      const { totalPages } = await source.backup(partial, { progress: ({ totalPages: all }) => all });
      checkCopy(partial);
      if (!values.force && statOf(file, lstatSync)) throw new UsageError(`${file} exists; pass --force to replace it`);
      renameSync(partial, file);
      process.stdout.write(`backed up ${db} to ${file}: ${totalPages} pages\n`);
    } catch (err) {
      for (const f of [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
      if (err instanceof UsageError) throw err;
      throw new UsageError(`backup of ${db} failed: ${(err as Error).message}`);
    }
  } finally {
    source.close();
  }
}

function statOf(path: string, stat: typeof statSync | typeof lstatSync): Stats | undefined {
  try {
    return stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`${path}: ${(err as Error).message}`);
  }
}

/** An empty file only its owner may read, made before any byte of the copy lands in it. */
function createPrivate(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', BACKUP_MODE);
  } catch (err) {
    throw new UsageError(`cannot create ${path}: ${(err as Error).message}`);
  }
  try {
    fchmodSync(fd, BACKUP_MODE); // whatever the umask took away or let through
  } finally {
    closeSync(fd);
  }
}

/** The copy opens and passes SQLite's quick check (structure, not every index entry). */
function checkCopy(path: string): void {
  const copy = new Database(path, { fileMustExist: true });
  try {
    const result = copy.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new Error(`the copy fails SQLite's quick_check: ${String(result)}`);
  } finally {
    copy.close();
  }
}
