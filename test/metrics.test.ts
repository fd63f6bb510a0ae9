// /metrics and the JSON log of 2 workers against what the test did: kdig queries (UDP/TCP, DO, an unlisted type), nsupdate, a kdig AXFR, NOTIFY, a failing live check; promtool lints the exposition, an independent parser reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import parsePrometheus from 'parse-prometheus-text-format';
import { cli, CLI, startServer, freePort, waitFor, kdig, type Child } from './helpers/procs.js';
import { requireTool } from './helpers/tools.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url));
const ZONE = 'example.com.';

interface Family { name: string; type: string; metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }[] }

/** The value of the one series of `name` with exactly `labels`; undefined when there is none. */
function value(fams: Family[], name: string, labels: Record<string, string>): number | undefined {
  const f = fams.find((x) => x.name === name);
  const m = f?.metrics.find((s) => JSON.stringify(Object.entries(s.labels ?? {}).sort()) === JSON.stringify(Object.entries(labels).sort()));
  return m?.value === undefined ? undefined : Number(m.value);
}

test('metrics and JSON logs of 2 workers match what was done', { timeout: 180_000 }, async (t) => {
  for (const tool of ['kdig', 'nsupdate', 'promtool']) if (!requireTool(tool, t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-metrics-'));
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  const secondary = dgram.createSocket('udp4');
  try {
    cli(['zone', 'import', FIXTURE, '--db', db]);
    const updSecret = cli(['tsig', 'add', 'upd', '--db', db]).trim().split('\n').pop()!;
    cli(['update-policy', 'add', 'example.com', '--key', 'upd', '--db', db]);
    const token = cli(['token', 'create', '--admin', '--label', 'metrics-robot', '--db', db]).trim();
    // A secondary that acknowledges every NOTIFY (and answers nothing else): also what lets 127.0.0.1 transfer.
    const notifyPort = await freePort();
    await new Promise<void>((r) => secondary.bind(notifyPort, '127.0.0.1', () => r()));
    const notifies = new Set<number>();
    secondary.on('message', (m, from) => {
      const n = packet.decode(m) as unknown as packet.Packet & { opcode: string; id: number };
      if (n.opcode !== 'NOTIFY') return;
      notifies.add(n.id);
      // dns-packet writes the opcode only from `flags` (NOTIFY is 4, RFC 1996 §3.7); AA set.
      secondary.send(packet.encode({ type: 'response', id: n.id, flags: packet.AUTHORITATIVE_ANSWER | (4 << 11), questions: n.questions } as packet.Packet), from.port, from.address);
    });
    cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${notifyPort}`, '--db', db]);

    const srv = await startServer(db, { DANEPRIME_API: '127.0.0.1:0' }, 0, 2, ['--log-format', 'json', '--check-interval', 'off']);
    children.push(srv);
    const api = /api: listening on (http:\/\/[0-9.:]+)/.exec(srv.log())![1];
    const at = ['@127.0.0.1', '-p', String(srv.port)];
    // The start-up NOTIFY, acknowledged.
    await waitFor('the start-up NOTIFY', 10_000, () => notifies.size >= 1);

    // Queries: each kdig its own socket (UDP flows and TCP connections spread over both workers).
    const q = (args: string[]) => { const out = kdig([...at, ...args]); assert.match(out, /status: (NOERROR|REFUSED)/, out); return out; };
    for (let i = 0; i < 3; i++) q(['www.example.com', 'A']);
    for (let i = 0; i < 2; i++) q(['www.example.com', 'AAAA', '+dnssec']);
    for (let i = 0; i < 3; i++) q(['www.example.com', 'TXT', '+tcp']);
    q(['www.example.com', 'TYPE65400']); // not counted by name: `other`
    assert.match(q(['www.example.org', 'A']), /REFUSED/); // not ours: zone `other`

    // An UPDATE (nsupdate, TSIG), then its NOTIFY.
    const up = spawnSync('nsupdate', ['-y', `hmac-sha256:upd:${updSecret}`], {
      input: `server 127.0.0.1 ${srv.port}\nzone example.com\nupdate add metrics.example.com. 300 A 192.0.2.99\nsend\n`, encoding: 'utf8', timeout: 20_000,
    });
    assert.equal(up.status, 0, up.stderr);
    await waitFor('the NOTIFY after the UPDATE', 10_000, () => notifies.size >= 2);

    // An AXFR (kdig over TCP): one transfer, done.
    const axfr = kdig([...at, 'example.com', 'AXFR']);
    assert.match(axfr, /metrics\.example\.com\.\s+300\s+IN\s+A\s+192\.0\.2\.99/);

    // A live check that fails: nothing listens on the endpoint.
    const closed = await freePort();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const svc = await fetch(`${api}/api/v1/zones/example.com/services`, { method: 'POST', headers, body: JSON.stringify({ name: '_443._tcp.www', connect: [`127.0.0.1:${closed}`] }) });
    assert.equal(svc.status, 201, await svc.text());
    const check = await fetch(`${api}/api/v1/zones/example.com/services/_443._tcp.www.example.com./check`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const checked = await check.json() as { verdict: string };
    assert.equal(check.status, 200, JSON.stringify(checked));
    assert.notEqual(checked.verdict, 'match');

    // A zone created over the API: its keys are made, logged and shown.
    const created = await fetch(`${api}/api/v1/zones`, { method: 'POST', headers, body: JSON.stringify({
      name: 'new.example.', rrsets: [
        { name: '@', type: 'SOA', ttl: 300, records: ['ns1.example.com. hostmaster 1 7200 3600 1209600 300'] },
        { name: '@', type: 'NS', records: ['ns1.example.com.'] },
      ],
    }) });
    assert.equal(created.status, 201, await created.text());

    const soa = kdig([...at, 'example.com', 'SOA', '+dnssec', '+short']).trim().split('\n');
    const serial = Number(soa[0].split(/\s+/)[2]);
    const rrsigExpiry = soa[1].split(/\s+/)[4]; // YYYYMMDDHHmmSS
    const expiresAt = Date.UTC(+rrsigExpiry.slice(0, 4), +rrsigExpiry.slice(4, 6) - 1, +rrsigExpiry.slice(6, 8), +rrsigExpiry.slice(8, 10), +rrsigExpiry.slice(10, 12), +rrsigExpiry.slice(12, 14)) / 1000;
    const keysOf = (zone: string) => cli(['zone', 'keys', zone, '--db', db]).trim().split('\n').slice(1).map((l) => l.split('\t'));
    const keys = keysOf('example.com');
    const newKeys = keysOf('new.example');

    // Scrape a few times: the API port is shared by both workers, each scrape sums both.
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${api}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      texts.push(await res.text());
    }
    for (const text of texts) {
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
      assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
      const fams = parsePrometheus(text) as Family[];
      const req = (proto: string, type: string, zone = ZONE) => value(fams, 'daneprime_dns_requests_total', { zone, proto, family: '1', type });
      assert.equal(req('udp', 'A'), 3);
      assert.equal(req('udp', 'AAAA'), 2);
      assert.equal(req('tcp', 'TXT'), 3);
      assert.equal(req('udp', 'other'), 1);
      assert.equal(req('udp', 'A', 'other'), 1);
      assert.equal(fams.find((f) => f.name === 'daneprime_dns_requests_total')!.metrics.filter((m) => m.labels!.type === 'TYPE65400').length, 0);
      assert.equal(value(fams, 'daneprime_dns_do_requests_total', { zone: ZONE }), 2 + 1); // the AAAA queries and the SOA +dnssec
      assert.equal(value(fams, 'daneprime_dns_responses_total', { zone: 'other', rcode: 'REFUSED' }), 1);
      const answered = fams.find((f) => f.name === 'daneprime_dns_responses_total')!.metrics.reduce((n, m) => n + Number(m.value), 0);
      const hist = fams.find((f) => f.name === 'daneprime_dns_request_duration_seconds')!;
      assert.equal(hist.type, 'HISTOGRAM');
      // Each worker times its first query and every 16th after it (query-stats.ts TIMED_EVERY).
      const timed = Number(hist.metrics[0].count);
      assert.ok(timed >= 1 && timed <= Math.ceil(answered / 16) + 1, `${timed} timed of ${answered} answered by 2 workers`);
      assert.equal(Number(hist.metrics[0].buckets!['+Inf']), timed);
      assert.equal(value(fams, 'daneprime_dns_updates_total', { zone: ZONE, rcode: 'NOERROR' }), 1);
      assert.equal(value(fams, 'daneprime_xfr_transfers_total', { zone: ZONE, type: 'AXFR', result: 'done' }), 1);
      assert.equal(value(fams, 'daneprime_xfr_notifies_total', { zone: ZONE, result: 'acknowledged' }), notifies.size);
      assert.equal(value(fams, 'daneprime_zone_serial', { zone: ZONE }), serial);
      const expiry = value(fams, 'daneprime_zone_signature_expiry_timestamp_seconds', { zone: ZONE })!;
      assert.ok(expiry <= expiresAt && expiresAt - expiry <= 86400, `soonest expiry ${expiry}, the SOA's RRSIG expires at ${expiresAt} (jitter up to a day)`);
      assert.equal(keys.length, 2);
      for (const [tag, role] of keys) assert.equal(value(fams, 'daneprime_dnssec_key_info', { zone: ZONE, keytag: tag, role, state: 'active', algorithm: '13' }), 1);
      for (const [tag, role] of newKeys) assert.equal(value(fams, 'daneprime_dnssec_key_info', { zone: 'new.example.', keytag: tag, role, state: 'active', algorithm: '13' }), 1);
      assert.equal(fams.find((f) => f.name === 'daneprime_dnssec_key_info')!.metrics.length, keys.length + newKeys.length);
      assert.equal(value(fams, 'daneprime_secondary_up', { zone: ZONE, secondary: `127.0.0.1:${notifyPort}` }) !== undefined, true);
      assert.equal(value(fams, 'daneprime_service_endpoint_match', { zone: ZONE, service: '_443._tcp.www.example.com.', endpoint: `127.0.0.1:${closed}` }), 0);
      assert.equal(value(fams, 'daneprime_service_checks_total', { verdict: checked.verdict }), 1);
      assert.equal(value(fams, 'daneprime_rollover_state', { zone: ZONE, service: '_443._tcp.www.example.com.', state: 'steady' }), 1);
    }

    // The log: JSON lines with level, time and msg; the token's label on its requests, never the token.
    await srv.stop();
    const lines = srv.log().split('\n').filter((l) => l.trim() !== '');
    const entries = lines.map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { assert.fail(`not JSON: ${l}`); } });
    for (const e of entries) {
      assert.ok(typeof e.level === 'string' && typeof e.time === 'string' && typeof e.msg === 'string', JSON.stringify(e));
    }
    assert.ok(!srv.log().includes(token), 'the token secret is not in the log');
    assert.ok(!srv.log().includes(updSecret), 'the TSIG secret is not in the log');
    const events = (name: string) => entries.filter((e) => e.event === name);
    const requests = events('api.request').filter((e) => e.token === 'metrics-robot');
    assert.equal(requests.length, 3, JSON.stringify(events('api.request')));
    assert.deepEqual(requests.map((e) => e.status).sort(), [200, 201, 201]);
    const keyEvents = events('key');
    assert.deepEqual(keyEvents.map((e) => `${String(e.zone)} ${String(e.keytag)} ${String(e.role)} ${String(e.action)} ${String(e.actor)}`).sort(),
      newKeys.map(([tag, role]) => `new.example. ${tag} ${role} created metrics-robot`).sort());
    const updates = events('update');
    assert.equal(updates.length, 1, JSON.stringify(updates));
    assert.equal(updates[0].rcode, 'NOERROR');
    assert.equal(updates[0].key, 'upd.');
    assert.equal(updates[0].zone, ZONE);
    const transfers = events('xfr.transfer');
    assert.equal(transfers.length, 1, JSON.stringify(transfers));
    assert.equal(transfers[0].type, 'AXFR');
    assert.equal(transfers[0].result, 'done');
    assert.ok(Number(transfers[0].records) > 10);
    const acked = events('notify').filter((e) => e.result === 'acknowledged');
    assert.equal(acked.length, notifies.size);
    assert.deepEqual([...new Set(acked.map((e) => e.serial))].length, 2, 'one NOTIFY per version');
  } finally {
    secondary.close();
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad --log-format or --log-level is a one-line usage error before anything starts', () => {
  for (const [args, pattern] of [
    [['--log-format', 'xml'], /^daneprime: bad --log-format "xml": expected json or text\n$/],
    [['--log-level', 'loud'], /^daneprime: bad --log-level "loud": expected one of debug, info, warn, error\n$/],
  ] as [string[], RegExp][]) {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--db', join(tmpdir(), 'never-opened.db'), ...args], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, pattern);
  }
});
