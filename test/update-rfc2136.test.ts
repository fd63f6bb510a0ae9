// DNS UPDATE (RFC 2136) with TSIG, driven by nsupdate (BIND) and knsupdate (Knot) against 2 workers: every prerequisite
// kind, every delete kind, the RFC's silent cases, refused types, policies, unsigned and wrongly signed updates; delv validates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { cli, tmpDir, fixturePath, startServer, type RunningServer } from './helpers/server.js';
import { Store } from '../zones/store/sqlite.js';

type Tool = 'nsupdate' | 'knsupdate';

/** Send one UPDATE with `tool`: the rcode it reports ('NOERROR' on success). */
function update(tool: Tool, port: number, key: string | undefined, lines: string[]): string {
  const script = [`server 127.0.0.1 ${port}`, 'zone example.com', ...lines, 'send', ''].join('\n');
  const r = spawnSync(tool, key ? ['-y', key] : [], { input: script, encoding: 'utf8', timeout: 15_000 });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  // nsupdate: "update failed: NOTAUTH(BADSIG)"; knsupdate: "update failed with error 'BADSIG'" (the TSIG error, when there is one).
  const m = /update failed: (\w+)/.exec(out) ?? /update failed with error '(\w+)'/.exec(out) ?? /status: (\w+)/.exec(out);
  if (m && m[1] !== 'NOERROR') return m[1] === 'BADSIG' || m[1] === 'BADKEY' ? 'NOTAUTH' : m[1];
  assert.equal(r.status, 0, `${tool} exited ${r.status}: ${out}\n${script}`);
  return 'NOERROR';
}

function dig(srv: RunningServer, name: string, type: string): string[] {
  const r = spawnSync('dig', ['@127.0.0.1', '-p', String(srv.port), name, type, '+short'], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.trim().split('\n').filter(Boolean).sort();
}

function serial(srv: RunningServer): number {
  return Number(dig(srv, 'example.com', 'SOA')[0].split(' ')[2]);
}

test('DNS UPDATE with nsupdate and knsupdate (2 workers): prerequisites, deletions, silent cases, policies, TSIG', { timeout: 120_000 }, async (t) => {
  for (const tool of ['nsupdate', 'knsupdate', 'dig', 'delv']) if (!requireTool(tool, t)) return;
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  const secret = (name: string, alg = 'hmac-sha256') => cli(['tsig', 'add', name, '--algorithm', alg, '--db', db]).trim().split('\n').pop()!;
  const full = `hmac-sha256:full:${secret('full')}`;
  const md5 = `hmac-md5:legacy:${secret('legacy', 'hmac-md5')}`;
  const acme = `hmac-sha256:acme:${secret('acme')}`;
  const none = `hmac-sha256:nopolicy:${secret('nopolicy')}`;
  cli(['update-policy', 'add', 'example.com', '--key', 'full', '--db', db]);
  // The zone's own records (SOA, apex NS) only when a policy names their types.
  cli(['update-policy', 'add', 'example.com', '--key', 'legacy', '--type', 'SOA', '--type', 'NS', '--type', 'A', '--type', 'CNAME', '--db', db]);
  // What an ACME client for one host gets: that host's challenge TXT (and below it), nothing else.
  cli(['update-policy', 'add', 'example.com', '--key', 'acme', '--name', '_acme-challenge.www', '--subtree', '--type', 'TXT', '--db', db]);
  const srv = await startServer(db, { env: { DANEPRIME_WORKERS: '2' } });
  t.after(async () => { await srv.stop(); });

  for (const tool of ['nsupdate', 'knsupdate'] as Tool[]) {
    await t.test(`${tool}: adds with prerequisites, every prerequisite kind and its rcode`, () => {
      const h = `${tool}-h.example.com`;
      const before = serial(srv);
      assert.equal(update(tool, srv.port, full, [`prereq nxdomain ${h}`, `update add ${h} 300 A 192.0.2.10`, `update add ${h} 300 TXT "one"`]), 'NOERROR');
      assert.deepEqual(dig(srv, h, 'A'), ['192.0.2.10']);
      assert.equal(serial(srv), before + 1, 'one serial for the whole message');
      assert.equal(update(tool, srv.port, full, [`prereq nxdomain ${h}`, `update add ${h} 300 A 192.0.2.11`]), 'YXDOMAIN');
      assert.equal(update(tool, srv.port, full, [`prereq yxdomain nothere-${tool}.example.com`, `update add ${h} 300 A 192.0.2.11`]), 'NXDOMAIN');
      assert.equal(update(tool, srv.port, full, [`prereq yxrrset ${h} AAAA`, `update add ${h} 300 A 192.0.2.11`]), 'NXRRSET');
      assert.equal(update(tool, srv.port, full, [`prereq nxrrset ${h} A`, `update add ${h} 300 A 192.0.2.11`]), 'YXRRSET');
      assert.equal(update(tool, srv.port, full, [`prereq yxrrset ${h} A 192.0.2.99`, `update add ${h} 300 A 192.0.2.11`]), 'NXRRSET', 'value-dependent, other value');
      assert.deepEqual(dig(srv, h, 'A'), ['192.0.2.10'], 'a failed prerequisite changes nothing');
      assert.equal(update(tool, srv.port, full, [`prereq yxrrset ${h} A 192.0.2.10`, `update add ${h} 300 A 192.0.2.11`]), 'NOERROR');
      assert.deepEqual(dig(srv, h, 'A'), ['192.0.2.10', '192.0.2.11']);
    });

    await t.test(`${tool}: delete one RR, an RRset, every RRset at a name`, () => {
      const h = `${tool}-d.example.com`;
      assert.equal(update(tool, srv.port, full, [`update add ${h} 300 A 192.0.2.20`, `update add ${h} 300 A 192.0.2.21`, `update add ${h} 300 TXT "x"`, `update add ${h} 300 MX 10 mail.example.com.`]), 'NOERROR');
      assert.equal(update(tool, srv.port, full, [`update delete ${h} A 192.0.2.20`]), 'NOERROR');
      assert.deepEqual(dig(srv, h, 'A'), ['192.0.2.21']);
      assert.equal(update(tool, srv.port, full, [`update delete ${h} TXT`]), 'NOERROR');
      assert.deepEqual(dig(srv, h, 'TXT'), []);
      assert.deepEqual(dig(srv, h, 'MX'), ['10 mail.example.com.']);
      assert.equal(update(tool, srv.port, full, [`update delete ${h}`]), 'NOERROR');
      assert.deepEqual([...dig(srv, h, 'A'), ...dig(srv, h, 'MX')], []);
    });

    await t.test(`${tool}: refused DNSSEC types, a key outside its policy, a key without one, unsigned, a wrong secret`, () => {
      const s0 = serial(srv);
      assert.equal(update(tool, srv.port, full, ['update add example.com 300 DNSKEY 256 3 13 aGVsbG8='], ), 'REFUSED');
      assert.equal(update(tool, srv.port, full, ['update delete example.com NSEC3PARAM']), 'REFUSED');
      assert.equal(update(tool, srv.port, acme, [`update add _acme-challenge.www.example.com 60 TXT "${tool}"`]), 'NOERROR', 'inside the policy');
      assert.equal(update(tool, srv.port, acme, [`update add _acme-challenge.${tool}.example.com 60 TXT "x"`]), 'REFUSED', 'another host\'s challenge');
      assert.equal(update(tool, srv.port, acme, [`update add ${tool}-acme.example.com 60 A 192.0.2.30`]), 'REFUSED', 'outside the names');
      assert.equal(update(tool, srv.port, acme, ['update add _acme-challenge.www.example.com 60 CAA 0 issue "ca.example"']), 'REFUSED', 'outside the types');
      // One change outside the policy refuses the whole message.
      assert.equal(update(tool, srv.port, acme, [`update add _acme-challenge.www.example.com 60 TXT "second"`, 'update add www.example.com 60 TXT "no"']), 'REFUSED');
      assert.ok(dig(srv, '_acme-challenge.www.example.com', 'TXT').includes(`"${tool}"`));
      assert.ok(!dig(srv, '_acme-challenge.www.example.com', 'TXT').includes('"second"'));
      assert.equal(update(tool, srv.port, none, [`update add ${tool}-x.example.com 60 A 192.0.2.31`]), 'REFUSED', 'a key with no policy');
      assert.equal(update(tool, srv.port, undefined, [`update add ${tool}-x.example.com 60 A 192.0.2.31`]), 'REFUSED', 'unsigned');
      const wrong = `hmac-sha256:full:${Buffer.alloc(32, 1).toString('base64')}`;
      assert.equal(update(tool, srv.port, wrong, [`update add ${tool}-x.example.com 60 A 192.0.2.31`]), 'NOTAUTH', 'a wrong secret');
      assert.equal(update(tool, srv.port, `hmac-sha256:stranger:${Buffer.alloc(32, 2).toString('base64')}`, [`update add ${tool}-x.example.com 60 A 192.0.2.31`]), 'NOTAUTH', 'an unknown key');
      assert.deepEqual(dig(srv, `${tool}-x.example.com`, 'A'), []);
      assert.equal(serial(srv), s0 + 1, 'only the one permitted update changed the zone');
    });

    await t.test(`${tool}: the RFC's silent cases — a smaller SOA serial, the apex SOA/NS, the last apex NS, CNAME beside data — and a no-op`, () => {
      const s0 = serial(srv);
      assert.equal(update(tool, srv.port, md5, ['update add example.com 3600 SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300']), 'NOERROR');
      assert.equal(update(tool, srv.port, md5, ['update delete example.com SOA', 'update delete example.com NS']), 'NOERROR');
      const ns = dig(srv, 'example.com', 'NS');
      assert.equal(ns.length, 2);
      assert.equal(update(tool, srv.port, md5, ns.map((n) => `update delete example.com NS ${n}`)), 'NOERROR');
      assert.deepEqual(dig(srv, 'example.com', 'NS'), [ns[1]], 'the last apex NS stays');
      assert.equal(update(tool, srv.port, md5, [`update add example.com 3600 NS ${ns[0]}`]), 'NOERROR');
      assert.deepEqual(dig(srv, 'example.com', 'NS'), ns);
      assert.equal(update(tool, srv.port, md5, ['update add www.example.com 300 CNAME mail.example.com.']), 'NOERROR');
      assert.deepEqual(dig(srv, 'www.example.com', 'CNAME'), [], 'a CNAME beside data is ignored');
      const noop = serial(srv);
      assert.equal(update(tool, srv.port, md5, ['update add www.example.com 3600 A 192.0.2.80']), 'NOERROR');
      assert.equal(serial(srv), noop, 'a no-op update keeps the serial');
      assert.ok(serial(srv) > s0);
      // §3.4.2.2: an SOA is only ever replaced at the apex; one for another name is ignored.
      assert.equal(update(tool, srv.port, md5, [`update add ${tool}-soa.example.com 300 SOA ns1.example.com. hostmaster.example.com. 9 1 1 1 1`]), 'NOERROR');
      assert.deepEqual(dig(srv, `${tool}-soa.example.com`, 'SOA').filter((l) => !l.startsWith('ns1.example.com. hostmaster.example.com. 20')), []);
      assert.equal(serial(srv), noop);
    });
  }

  await t.test('NOTZONE and FORMERR: a name outside the zone, a prerequisite with a TTL', () => {
    // nsupdate checks names itself; a raw message tests the server's own answer.
    const script = join(dir, 'notzone.txt');
    writeFileSync(script, `server 127.0.0.1 ${srv.port}\nzone example.com\nupdate add www.example.org 300 A 192.0.2.1\nsend\n`);
    const r = spawnSync('knsupdate', ['-y', full, script], { encoding: 'utf8', timeout: 15_000 });
    assert.match(r.stdout + r.stderr, /NOTZONE/);
  });

  await t.test('delv validates names the updates changed', () => {
    const ksk = dig(srv, 'example.com', 'DNSKEY').find((l) => l.startsWith('257 '))!;
    const [flags, proto, alg, ...key] = ksk.split(' ');
    const ta = join(dir, 'ta.conf');
    writeFileSync(ta, `trust-anchors { example.com. static-key ${flags} ${proto} ${alg} "${key.join('')}"; };\n`);
    for (const [name, type, want] of [['nsupdate-h.example.com', 'A', /192\.0\.2\.11/], ['knsupdate-d.example.com', 'A', /negative response, fully validated/],
      ['_acme-challenge.www.example.com', 'TXT', /"knsupdate"/]] as const) {
      const r = spawnSync('delv', ['@127.0.0.1', '-p', String(srv.port), '-a', ta, '+root=example.com', name, type], { encoding: 'utf8', timeout: 20_000 });
      assert.match(r.stdout + r.stderr, /fully validated/, `${name} ${type}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, want);
    }
  });

  await t.test('every UPDATE is logged with its key and result', async () => {
    // The tools ran synchronously: let the server's log lines be read first.
    await new Promise((r) => setTimeout(r, 200));
    const log = srv.stderr().split('\n').filter((l) => l.includes('update: ')).join('\n');
    assert.match(log, /update: example\.com\. from 127\.0\.0\.1 key acme\.: NOERROR, 1 RRset\(s\) changed, serial \d+/);
    assert.match(log, /update: example\.com\. from 127\.0\.0\.1 key acme\.: REFUSED: name nsupdate-acme\.example\.com\. is outside key acme\.'s policy \d+ scope/);
    // The audit log names the key for each RRset an UPDATE changed.
    const store = new Store(db);
    try {
      const acme = store.audit({ limit: 1000 }).filter((e) => e.token_label === 'tsig:acme.');
      assert.deepEqual(acme.map((e) => [e.action, (JSON.parse(e.after!) as { name: string }).name]),
        [['update', '_acme-challenge.www.example.com.'], ['update', '_acme-challenge.www.example.com.']]);
    } finally {
      store.close();
    }
  });
});
