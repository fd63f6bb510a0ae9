// E2E: `daneprime backup FILE` copies the database a running server uses: the same zones, keys and TSIG keys, file mode 0600, no overwrite without --force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, runCli, startServer, tmpDir, fixturePath } from './helpers/server.js';

/** What a backup must carry: zone data, the DNSSEC keys (as their DS), TSIG keys, secondaries. */
function contents(db: string): string {
  return [
    cli(['zone', 'export', 'example.com', '--db', db]),
    cli(['zone', 'export', 'second.example', '--db', db]),
    cli(['zone', 'ds', 'example.com', '--db', db]),
    cli(['tsig', 'list', '--db', db]),
    cli(['zone', 'secondary', 'list', 'example.com', '--db', db]),
  ].join('\n--\n');
}

test('backup of a database a running server uses: the same contents, mode 0600, no overwrite without --force', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'live.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  const srv = await startServer(db);
  t.after(async () => { await srv.stop(); });
  // Written while the server holds the database open: these commits sit in its WAL, which a
  // copy of the main file alone would miss.
  const second = join(dir, 'second.zone');
  writeFileSync(second, ['$ORIGIN second.example.', '$TTL 300', '@ SOA ns1 hostmaster 7 7200 3600 1209600 300', '@ NS ns1', 'ns1 A 192.0.2.7', ''].join('\n'));
  cli(['zone', 'import', second, '--db', db]);
  cli(['tsig', 'add', 'xfr-key', '--db', db]);
  cli(['zone', 'secondary', 'add', 'example.com', '192.0.2.53', '--tsig', 'xfr-key', '--db', db]);
  assert.ok(existsSync(`${db}-wal`), 'the server keeps the database in WAL mode');

  const copy = join(dir, 'copy.db');
  const r = runCli(['backup', copy, '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^backed up .*live\.db to .*copy\.db: \d+ pages\n$/);
  assert.equal(statSync(copy).mode & 0o777, 0o600, 'private keys and TSIG secrets: owner only');
  const original = contents(db);
  assert.match(original, /second\.example\./);
  assert.equal(contents(copy), original);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('partial')), [], 'no partial file left behind');

  // An existing file is kept unless --force; with it, replaced (and still 0600).
  const other = join(dir, 'other.db');
  writeFileSync(other, 'not a database', { mode: 0o644 });
  const refused = runCli(['backup', other, '--db', db]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^daneprime: .*other\.db exists; pass --force to replace it\n$/);
  assert.equal(statSync(other).size, 'not a database'.length, 'left as it was');
  const forced = runCli(['backup', other, '--force', '--db', db]);
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(statSync(other).mode & 0o777, 0o600);
  assert.equal(cli(['zone', 'export', 'second.example', '--db', other]), cli(['zone', 'export', 'second.example', '--db', db]));

  // Never over the database itself, --force or not.
  const self = runCli(['backup', db, '--force', '--db', db]);
  assert.equal(self.status, 1);
  assert.match(self.stderr, /is the database itself\n$/);

  // The server served on throughout.
  assert.equal(srv.proc.exitCode, null);
});

test('backup: a missing database or a missing FILE is a one-line error, and nothing is created', (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const missing = runCli(['backup', join(dir, 'copy.db'), '--db', join(dir, 'nope.db')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^daneprime: cannot open database .*nope\.db: [^\n]*\n$/);
  assert.deepEqual(readdirSync(dir), [], 'neither the database nor a copy was made');
  const usage = runCli(['backup', '--db', join(dir, 'nope.db')]);
  assert.equal(usage.status, 1);
  assert.match(usage.stderr, /^daneprime: backup needs one FILE\n/);
});
