// E2E: the `daneprime zone …` CLI as a child process — import/list/export round trip, named-checkzone/kzonecheck on the export, error reporting, --replace, delete, --db vs DANEPRIME_DB, bad usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, runCli, tmpDir, fixturePath } from './helpers/server.js';
import { requireTool } from './helpers/tools.js';
import Database from 'better-sqlite3';

const FIXTURE = fixturePath('example.com.zone');

/** Sorted non-empty lines: exports are compared as record sets. */
const lines = (s: string) => s.split('\n').filter((l) => l.trim() && !l.startsWith(';')).sort();

/** One line on stderr, prefixed "daneprime: ", no stack trace. */
function assertOneLineError(stderr: string, re: RegExp): void {
  const ls = stderr.trimEnd().split('\n');
  assert.equal(ls.length, 1, `expected a one-line error, got:\n${stderr}`);
  assert.match(ls[0], /^daneprime: /);
  assert.match(ls[0], re);
}

test('import → list → export; re-import of the export gives the same records', (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  const out = cli(['zone', 'import', FIXTURE, '--db', db]);
  assert.match(out, /^imported zone example\.com\.: 45 records, \d+ RRsets, \d+ names; 2 new key\(s\)\n$/);
  assert.equal(cli(['zone', 'list', '--db', db]), 'example.com.\n');

  const exported = cli(['zone', 'export', 'example.com', '--db', db]);
  assert.match(exported, /^example\.com\.\s+3600\s+IN\s+SOA\s+ns1\.example\.com\. hostmaster\.example\.com\. 2024010101 7200 3600 1209600 300$/m);
  assert.equal(lines(exported).length, 45, 'one line per record');
  const exportFile = join(dir, 'export.zone');
  writeFileSync(exportFile, exported);

  // Into a fresh db…
  const db2 = join(dir, 'y.db');
  cli(['zone', 'import', exportFile, '--db', db2]);
  assert.deepEqual(lines(cli(['zone', 'export', 'example.com.', '--db', db2])), lines(exported));
  // …and over the existing zone with --replace.
  assert.match(cli(['zone', 'import', exportFile, '--replace', '--db', db]), /^replaced zone example\.com\./);
  assert.deepEqual(lines(cli(['zone', 'export', 'example.com', '--db', db])), lines(exported));
  assert.equal(cli(['zone', 'list', '--db', db]), 'example.com.\n');
});

test('the export passes named-checkzone and kzonecheck', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', FIXTURE, '--db', db]);
  const exportFile = join(dir, 'export.zone');
  writeFileSync(exportFile, cli(['zone', 'export', 'example.com', '--db', db]));

  await t.test('named-checkzone', (t) => {
    if (!requireTool('named-checkzone', t)) return;
    const r = spawnSync('named-checkzone', ['example.com', exportFile], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /loaded serial 2024010101/);
    assert.match(r.stdout, /^OK$/m);
  });
  await t.test('kzonecheck', (t) => {
    if (!requireTool('kzonecheck', t)) return;
    const r = spawnSync('kzonecheck', ['-o', 'example.com', exportFile], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

test('import errors: one line on stderr, exit 1, nothing written', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', FIXTURE, '--db', db]);
  const exportBefore = cli(['zone', 'export', 'example.com', '--db', db]);
  const head = '$ORIGIN bad.test.\n$TTL 60\n@ SOA ns1 hostmaster 1 7200 3600 1209600 60\n@ NS ns1\n';
  const cases: Record<string, { text: string; origin?: string; re: RegExp }> = {
    'syntax error → file:line: message': { text: head + 'ns1 A 192.0.2.1\nbroken A 1.2.3\n', re: /bad\.zone:6: .*1\.2\.3/ },
    'unknown type → file:line': { text: head + 'x NOTATYPE 1\n', re: /bad\.zone:5: / },
    'CNAME and A at the same name': { text: head + 'ns1 A 192.0.2.1\nx CNAME ns1\nx A 192.0.2.2\n', re: /x\.bad\.test\..*CNAME/ },
    'no SOA and no --origin': { text: '$ORIGIN bad.test.\n$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n', re: /bad\.zone: no SOA/ },
    'no SOA with --origin': { text: '$ORIGIN bad.test.\n$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n', origin: 'bad.test', re: /bad\.test\.: .*no SOA/ },
  };
  for (const [name, c] of Object.entries(cases)) {
    await t.test(name, () => {
      const file = join(dir, 'bad.zone');
      writeFileSync(file, c.text);
      const r = runCli(['zone', 'import', file, '--db', db, ...(c.origin ? ['--origin', c.origin] : [])]);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assertOneLineError(r.stderr, c.re);
      assert.equal(cli(['zone', 'list', '--db', db]), 'example.com.\n', 'zone list unchanged');
    });
  }
  // A broken file must not damage an existing zone even with --replace.
  await t.test('broken file with --replace leaves the existing zone intact', () => {
    const file = join(dir, 'broken-example.zone');
    writeFileSync(file, '$ORIGIN example.com.\n$TTL 60\n@ SOA ns1 h 2 1 1 1 1\n@ NS ns1\nns1 A 999.0.0.1\n');
    const r = runCli(['zone', 'import', file, '--replace', '--db', db]);
    assert.equal(r.status, 1);
    assertOneLineError(r.stderr, /broken-example\.zone:5: /);
    assert.equal(cli(['zone', 'export', 'example.com', '--db', db]), exportBefore);
  });
});

test('--replace is needed to overwrite; delete removes the zone', (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', FIXTURE, '--db', db]);
  const before = cli(['zone', 'export', 'example.com', '--db', db]);
  const changed = join(dir, 'changed.zone');
  writeFileSync(changed, '$ORIGIN example.com.\n$TTL 60\n@ SOA ns1 h 2 7200 3600 1209600 60\n@ NS ns1\nns1 A 192.0.2.53\n');

  const r = runCli(['zone', 'import', changed, '--db', db]);
  assert.equal(r.status, 1);
  assertOneLineError(r.stderr, /zone example\.com\. already exists; use --replace/);
  assert.equal(cli(['zone', 'export', 'example.com', '--db', db]), before, 'not overwritten');

  cli(['zone', 'import', changed, '--replace', '--db', db]);
  assert.deepEqual(lines(cli(['zone', 'export', 'example.com', '--db', db])).length, 3);

  assert.equal(cli(['zone', 'delete', 'example.com', '--db', db]), 'deleted zone example.com.\n');
  assert.equal(cli(['zone', 'list', '--db', db]), '');
  const again = runCli(['zone', 'delete', 'example.com', '--db', db]);
  assert.equal(again.status, 1);
  assertOneLineError(again.stderr, /no such zone: example\.com\./);
  const exp = runCli(['zone', 'export', 'example.com', '--db', db]);
  assert.equal(exp.status, 1);
  assertOneLineError(exp.stderr, /no such zone/);
});

test('--db and DANEPRIME_DB are both honoured; --db wins', (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const envDb = join(dir, 'env.db');
  const flagDb = join(dir, 'flag.db');
  cli(['zone', 'import', FIXTURE], { env: { DANEPRIME_DB: envDb }, cwd: dir });
  assert.ok(existsSync(envDb));
  assert.equal(cli(['zone', 'list'], { env: { DANEPRIME_DB: envDb }, cwd: dir }), 'example.com.\n');
  assert.equal(cli(['zone', 'list', '--db', flagDb], { env: { DANEPRIME_DB: envDb }, cwd: dir }), '', '--db overrides the env');
  assert.ok(!existsSync(join(dir, 'data')), 'the default ./data/daneprime.db was not used');
});

test('unknown command or option: exit 1, a one-line message, no stack trace', () => {
  const cmd = runCli(['bogus']);
  assert.equal(cmd.status, 1);
  // The message is one line; the usage text follows it (intended: help for a typo).
  assert.match(cmd.stderr.split('\n')[0], /^daneprime: unknown command "bogus"$/);
  assert.doesNotMatch(cmd.stderr, /^\s+at /m);

  const sub = runCli(['zone', 'frobnicate']);
  assert.equal(sub.status, 1);
  assert.match(sub.stderr.split('\n')[0], /^daneprime: unknown zone command "frobnicate"$/);

  for (const args of [['zone', 'list', '--bogus'], ['serve', '--bogus'], ['zone', 'import', '--replace']]) {
    const r = runCli(args);
    assert.equal(r.status, 1, args.join(' '));
    assertOneLineError(r.stderr, /./);
  }
});

test('a database written by a newer daneprime: one line naming both schema versions, exit 1, the file untouched', (t) => {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', FIXTURE, '--db', db]);
  const raw = new Database(db);
  raw.pragma('user_version = 99');
  raw.close();
  for (const args of [['zone', 'list'], ['serve', '--workers', '1', '--api', 'off', '--dns', '127.0.0.1:0']]) {
    const r = runCli([...args, '--db', db]);
    assert.equal(r.status, 1, args.join(' '));
    assertOneLineError(r.stderr, /has schema version 99, newer than this daneprime \(\d+\)/);
  }
  const after = new Database(db);
  assert.equal(after.pragma('user_version', { simple: true }), 99);
  after.close();
});
