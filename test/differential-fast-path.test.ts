// Differential: the fast path on and off give the same reply bytes for thousands of seeded random questions over every fixture zone, UDP and TCP, every EDNS shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleMessage, type QueryContext } from '../server/query/handle.js';
import { FastPath } from '../server/query/fast/fast-path.js';
import { RRType } from '../zones/model/types.js';
import { rdataFromText } from '../zones/model/rdata/index.js';
import { CapturingResponder, TEST_ACTOR } from './helpers/dns.js';
import { diffServer, zoneNames, randomQuestion, queryMessage, describe, runSeed, Random, type DiffServer } from './helpers/differential.js';

const seed = runSeed();
const QUESTIONS = Number(process.env.DIFF_QUESTIONS ?? 20000);

/** What a context sends for `msg`: its replies, and what it streams. */
function replies(ctx: QueryContext, msg: Buffer, tcp: boolean): Buffer[] {
  const r = new CapturingResponder(tcp ? 'tcp' : 'udp');
  handleMessage(ctx, msg, r);
  return [...r.replies, ...r.streamed];
}

/** `msg` asked of both contexts: the same bytes, or a failure that names the seed to repeat it with. */
function same(s: DiffServer, msg: Buffer, tcp: boolean, what: string): Buffer | undefined {
  const fast = replies(s.fast, msg, tcp);
  const full = replies(s.full, msg, tcp);
  if (fast.length !== full.length || fast.some((b, i) => !b.equals(full[i]))) {
    assert.fail(`DIFF_SEED=${seed}: ${what}: fast path and full path differ\nquery ${msg.toString('hex')}\nfast  ${fast.map((b) => b.toString('hex')).join(' ')}\nfull  ${full.map((b) => b.toString('hex')).join(' ')}`);
  }
  return fast[0];
}

test(`fast path on and off: the same bytes for ${QUESTIONS} random questions, repeats, commits and a moving clock (DIFF_SEED=${seed} repeats this run)`, (t) => {
  t.diagnostic(`DIFF_SEED=${seed}`);
  const s = diffServer(1_800_000_000);
  while (s.dnssec.presign(s.clock.now, Infinity));
  const fast = s.fast.fastPath as FastPath;
  const names = zoneNames();
  const r = new Random(seed);
  const rcodes = new Map<number, number>();
  let truncated = 0, optioned = 0;
  for (let i = 0; i < QUESTIONS; i++) {
    const q = randomQuestion(r, names);
    const msg = queryMessage(q, r.int(65536));
    const reply = same(s, msg, q.tcp, describe(q));
    // Half the questions come again, in another spelling: a repeat the reply cache may answer.
    if (r.chance(0.5)) same(s, queryMessage({ ...q, name: r.mixCase(q.name.toLowerCase()) }, r.int(65536)), q.tcp, `${describe(q)}, repeated`);
    if (reply) {
      rcodes.set(reply[3] & 0xf, (rcodes.get(reply[3] & 0xf) ?? 0) + 1);
      if (reply[2] & 0x02) truncated++;
    }
    if (q.options.length) optioned++;
    // The clock moves (now and then past the fast path's freshness limit), and zones change.
    if (r.chance(0.02)) s.clock.now += r.int(90);
    if (r.chance(0.002)) {
      const n = `e${i}.example.com.`;
      s.pipeline.commit({ kind: 'edit', apex: 'example.com.', edits: [{ name: n, type: RRType.TXT, rdatas: [rdataFromText(RRType.TXT, `"edit ${i}"`, 'example.com.')] }], action: 'test.edit' }, TEST_ACTOR);
    }
  }
  t.diagnostic(`rcodes ${JSON.stringify(Object.fromEntries(rcodes))}, truncated ${truncated}, with options ${optioned}; reply cache hits ${fast.cache.hits}, ready missing-name replies ${fast.missing.served}`);
  // Not vacuous: the fast path answered many of them itself, and the mix reached every kind of reply.
  assert.ok(fast.cache.hits > QUESTIONS / 10, `reply cache hits: ${fast.cache.hits}`);
  assert.ok(fast.missing.served > QUESTIONS / 50, `ready missing-name replies: ${fast.missing.served}`);
  for (const rcode of [0, 3, 5]) assert.ok((rcodes.get(rcode) ?? 0) > 0, `rcode ${rcode} seen`);
  assert.ok(truncated > 0, 'some replies were truncated');
});

test(`fast path on and off: the same bytes (or silence) for messages that are not plain queries (DIFF_SEED=${seed})`, () => {
  const s = diffServer(1_800_000_000);
  const r = new Random(seed ^ 0x5eed);
  const names = zoneNames();
  const poke = (m: Buffer, at: number, v: number) => { const c = Buffer.from(m); c[at] = v; return c; };
  for (let i = 0; i < 300; i++) {
    const q = { ...randomQuestion(r, names), udpSize: 1232, options: [] };
    const m = queryMessage(q, i);
    const end = m.length - 11; // the question ends where the OPT starts
    const variants: [string, Buffer][] = [
      ['QR=1', poke(m, 2, m[2] | 0x80)],
      ['opcode NOTIFY', poke(m, 2, (m[2] & 0x87) | (4 << 3))],
      ['opcode UPDATE', poke(m, 2, (m[2] & 0x87) | (5 << 3))],
      ['opcode 3', poke(m, 2, (m[2] & 0x87) | (3 << 3))],
      ['QDCOUNT 2', poke(m, 5, 2)],
      ['QDCOUNT 0', poke(m, 5, 0)],
      ['ANCOUNT 1', poke(m, 7, 1)],
      ['class CH', poke(m, end - 1, 3)],
      ['class ANY', poke(m, end - 1, 255)],
      ['EDNS version 1', poke(m, end + 6, 1)],
      ['cut short', m.subarray(0, 12 + r.int(m.length - 12))],
      ['trailing octet', Buffer.concat([m, Buffer.from([0])])],
      ['type AXFR', poke(poke(m, end - 4, 0), end - 3, 252)],
      ['type IXFR', poke(poke(m, end - 4, 0), end - 3, 251)],
      ['type TSIG', poke(poke(m, end - 4, 0), end - 3, 250)],
      ['type MAILB', poke(poke(m, end - 4, 0), end - 3, 253)],
    ];
    for (const [what, msg] of variants) for (const tcp of [false, true]) same(s, msg, tcp, `${describe(q)}: ${what}`);
  }
});
