// E2E: the real `daneprime serve` process answering kdig and dig over UDP and TCP — positive, TLSA, NXDOMAIN, NODATA, wildcard, CNAME chain, DNAME, referral, REFUSED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtureServer } from './helpers/server.js';
import { kdig, dig, ownerTypes, type Answer, type ToolOptions } from './helpers/client.js';
import { requireTool } from './helpers/tools.js';
import { batchedUdp } from '../server/net/udp-batch.js';

const E = 'example.com.';
const TLSA_WWW = '8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1';
const TLSA_SVC = 'd2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971';

interface Case {
  q: [string, string];
  rcode: string;
  aa: boolean;
  answer: string[];
  authority: string[];
  /** Substrings (lower case) that must appear in the answer section: rdata values, as dig text or kdig hex. */
  values?: { dig: string[]; kdig: string[] };
  check?: (a: Answer) => void;
}

const hexA = (ip: string) => ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('').toUpperCase();

const CASES: Record<string, Case> = {
  'positive A': {
    q: [`www.${E}`, 'A'], rcode: 'NOERROR', aa: true, answer: [`www.${E} A`], authority: [],
    values: { dig: ['192.0.2.80'], kdig: [hexA('192.0.2.80')] },
    check: (a) => assert.match(a.answer[0], /^www\.example\.com\. 3600 A /),
  },
  'TLSA at _443._tcp.www': {
    q: [`_443._tcp.www.${E}`, 'TLSA'], rcode: 'NOERROR', aa: true, answer: [`_443._tcp.www.${E} TLSA`], authority: [],
    values: { dig: [`3 1 1 ${TLSA_WWW}`], kdig: [`030101${TLSA_WWW}`.toUpperCase()] },
  },
  NXDOMAIN: { q: [`nope.${E}`, 'A'], rcode: 'NXDOMAIN', aa: true, answer: [], authority: [`${E} SOA`] },
  'NODATA (SOA TTL = min(TTL, MINIMUM) = 300)': {
    q: [`www.${E}`, 'AAAA'], rcode: 'NOERROR', aa: true, answer: [], authority: [`${E} SOA`],
    check: (a) => assert.equal(a.authority[0].split(' ')[1], '300'),
  },
  wildcard: {
    q: [`foo.wild.${E}`, 'A'], rcode: 'NOERROR', aa: true, answer: [`foo.wild.${E} A`], authority: [],
    values: { dig: ['192.0.2.99'], kdig: [hexA('192.0.2.99')] },
  },
  'CNAME chain to a TLSA': {
    q: [`chain1.${E}`, 'TLSA'], rcode: 'NOERROR', aa: true,
    answer: [`_443._tcp.www.${E} TLSA`, `chain1.${E} CNAME`, `chain2.${E} CNAME`], authority: [],
  },
  'DNAME synthesis': {
    q: [`_443._tcp.svc.dn.${E}`, 'TLSA'], rcode: 'NOERROR', aa: true,
    answer: [`_443._tcp.svc.dn.${E} CNAME`, `_443._tcp.svc.target.${E} TLSA`, `dn.${E} DNAME`], authority: [],
    values: { dig: [TLSA_SVC, '_443._tcp.svc.target.example.com.'], kdig: [TLSA_SVC.toUpperCase()] },
  },
  'referral (no AA)': {
    q: [`www.sub.${E}`, 'A'], rcode: 'NOERROR', aa: false, answer: [], authority: [`sub.${E} NS`],
    check: (a) => assert.deepEqual(ownerTypes(a.additional), [`ns.sub.${E} A`], 'glue'),
  },
  'REFUSED for a foreign name': { q: ['www.example.org.', 'A'], rcode: 'REFUSED', aa: false, answer: [], authority: [] },
};

function check(a: Answer, c: Case, tool: 'dig' | 'kdig'): void {
  assert.equal(a.rcode, c.rcode, a.raw);
  assert.equal(a.aa, c.aa, `AA flag\n${a.raw}`);
  assert.equal(a.tc, false);
  assert.deepEqual(ownerTypes(a.answer).sort(), c.answer, `answer\n${a.raw}`);
  assert.deepEqual(ownerTypes(a.authority).sort(), c.authority, `authority\n${a.raw}`);
  const text = a.answer.join('\n').toLowerCase();
  for (const v of c.values?.[tool] ?? []) assert.ok(text.includes(v.toLowerCase()), `answer lacks ${v}\n${a.raw}`);
  c.check?.(a);
}

test('kdig and dig against the running server, UDP and TCP', async (t) => {
  const { srv } = await startFixtureServer(t);
  const { host, port } = srv;
  // The default UDP path is the batched addon wherever it is built (always in CI).
  if (batchedUdp.available || process.env.CI === 'true') assert.match(srv.stderr(), /udp: batched I\/O \(recvmmsg\/sendmmsg\)/);
  assert.match(srv.stderr(), /query: fast path on /, 'the fast path is on by default');

  const tools: ['kdig' | 'dig', (h: string, p: number, n: string, ty: string, o: ToolOptions) => Answer][] = [['kdig', kdig], ['dig', dig]];
  for (const [tool, ask] of tools) {
    await t.test(tool, async (t) => {
      if (!requireTool(tool, t)) return;
      for (const tcp of [false, true]) {
        for (const [name, c] of Object.entries(CASES)) {
          await t.test(`${tcp ? 'TCP' : 'UDP'}: ${name}`, () => check(ask(host, port, c.q[0], c.q[1], { tcp }), c, tool));
        }
      }
    });
  }
});

test('--udp-io dgram (DANEPRIME_UDP_IO): the node:dgram path gives the same UDP answers', async (t) => {
  if (!requireTool('kdig', t)) return;
  const { srv } = await startFixtureServer(t, { env: { DANEPRIME_UDP_IO: 'dgram' } });
  assert.match(srv.stderr(), /udp: node:dgram\n/);
  for (const [name, c] of Object.entries(CASES)) {
    await t.test(`UDP: ${name}`, () => check(kdig(srv.host, srv.port, c.q[0], c.q[1], {}), c, 'kdig'));
  }
});

test('--fast-path off (DANEPRIME_FAST_PATH): logged, and every query taken by the full path gives the same answers', async (t) => {
  if (!requireTool('kdig', t)) return;
  const { srv } = await startFixtureServer(t, { env: { DANEPRIME_FAST_PATH: 'off' } });
  assert.match(srv.stderr(), /query: fast path off: every query takes the full path\n/);
  for (const tcp of [false, true]) {
    for (const [name, c] of Object.entries(CASES)) {
      await t.test(`${tcp ? 'TCP' : 'UDP'}: ${name}`, () => check(kdig(srv.host, srv.port, c.q[0], c.q[1], { tcp }), c, 'kdig'));
    }
  }
});
