// E2E: agreement with a reference server — the same fixture zones served by knotd and by daneprime, the same questions asked with kdig, rcode/AA/answer/authority compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, startServer, tmpDir, fixturePath, freePort, pollUntil, type RunningServer } from './helpers/server.js';
import { kdig, type Answer } from './helpers/client.js';
import { requireTool } from './helpers/tools.js';
import { track } from './helpers/procs.js';

const KNOTD = '/usr/sbin/knotd';
const E = 'example.com.';
const ZONES = ['example.com', 'child.example.com'];

/** [name, type] pairs covering the answer path; each is asked over UDP of both servers. */
const QUESTIONS: [string, string][] = [
  [E, 'SOA'], [E, 'NS'], [E, 'MX'], [E, 'A'], [E, 'AAAA'], [E, 'ANY'],
  [`www.${E}`, 'A'], [`www.${E}`, 'AAAA'], [`WwW.ExAmPlE.CoM.`, 'A'],
  [`_443._tcp.www.${E}`, 'TLSA'], [`_tcp.www.${E}`, 'TLSA'], [`_tcp.xmpp.${E}`, 'A'],
  [`nope.${E}`, 'A'], [`nope.${E}`, 'TLSA'],
  [`foo.wild.${E}`, 'A'], [`foo.wild.${E}`, 'TXT'], [`a.b.c.wild.${E}`, 'TXT'], [`foo.wild.${E}`, 'AAAA'],
  [`sub.wild.${E}`, 'TXT'], [`x.sub.wild.${E}`, 'A'], [`wild.${E}`, 'A'],
  [`_25._tcp.host.${E}`, 'TLSA'], [`_25._udp.host.${E}`, 'TLSA'],
  [`alias.${E}`, 'A'], [`alias.${E}`, 'CNAME'], [`chain1.${E}`, 'TLSA'], [`loop1.${E}`, 'A'],
  [`dangling.${E}`, 'A'], [`ext.${E}`, 'A'], [`wcname.${E}`, 'A'], [`tochild.${E}`, 'A'],
  [`_443._tcp.svc.dn.${E}`, 'TLSA'], [`nothing.dn.${E}`, 'A'], [`dn.${E}`, 'DNAME'], [`dn.${E}`, 'A'],
  [`www.sub.${E}`, 'A'], [`sub.${E}`, 'A'], [`sub.${E}`, 'NS'], [`sub.${E}`, 'DS'], [`ns.sub.${E}`, 'A'],
  [`ins.${E}`, 'DS'], [`x.ins.${E}`, 'A'],
  [`child.${E}`, 'DS'], [`child.${E}`, 'SOA'], [`child.${E}`, 'NS'], [`www.child.${E}`, 'A'], [`_443._tcp.www.child.${E}`, 'TLSA'],
  [`nope.child.${E}`, 'A'],
  [`_xmpp-client._tcp.${E}`, 'SRV'], [`_5222._tcp.xmpp.${E}`, 'TLSA'], [`big.${E}`, 'TXT'], [`mail.${E}`, 'AAAA'],
  ['www.example.org.', 'A'], ['com.', 'SOA'], ['.', 'NS'],
];

/**
 * Intended differences, keyed by "name type". Each entry states what daneprime does instead of Knot and why.
 * Keep this short: every entry is a place where our answers are not Knot's.
 */
const INTENDED: Record<string, { why: string; adjust: (ours: Answer, knot: Answer) => void }> = {
  // The CNAME target lies in child.example.com, which we also host. daneprime restarts the lookup in the best
  // zone it serves (RFC 1034 §4.3.2 step 3a, RFC 6604 §2) and appends the child's A; knotd stays in example.com,
  // meets the delegation to child and appends a referral. Only the CNAME, rcode and AA are compared.
  [`tochild.${E} A`]: {
    why: 'CNAME chased into another hosted zone',
    adjust: (o, k) => {
      assert.deepEqual(o.answer.map((r) => r.split(' ')[0]), [`tochild.${E}`, `www.child.${E}`]);
      for (const a of [o, k]) { a.answer = a.answer.filter((r) => r.startsWith(`tochild.${E} `)); a.authority = []; }
    },
  },
};

/** Compare what both servers said. Additional sections are ignored (glue choice differs legitimately). */
function comparable(a: Answer) {
  return { rcode: a.rcode, aa: a.aa, answer: a.answer, authority: a.authority };
}

async function startKnot(dir: string, port: number): Promise<{ stop: () => Promise<void>; log: () => string }> {
  for (const z of ZONES) copyFileSync(fixturePath(`${z}.zone`), join(dir, `${z}.zone`));
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, [
    'server:', `  listen: 127.0.0.1@${port}`, `  rundir: "${dir}"`,
    'database:', `  storage: "${join(dir, 'db')}"`,
    'log:', '  - target: stderr', '    any: info',
    'template:', '  - id: default', `    storage: "${dir}"`, '    semantic-checks: off', '    zonefile-sync: -1', '    journal-content: none',
    'zone:', ...ZONES.flatMap((z) => [`  - domain: ${z}`, `    file: ${z}.zone`]),
    '',
  ].join('\n'));
  const proc = spawn(KNOTD, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Output kept, stopped with SIGTERM then SIGKILL: the tests' one process wrapper.
  const { log: out, stop } = track(proc);
  const dead = () => proc.exitCode !== null || proc.signalCode !== null;
  const { value: ok } = await pollUntil(() => dead() || ZONES.every((z) => out().includes(`[${z}.] loaded, serial`)), 5000);
  if (!ok || dead()) {
    await stop();
    throw new Error(`knotd did not load the zones; log:\n${out()}`);
  }
  return { stop, log: out };
}

test('daneprime answers like Knot DNS for the fixture zones', async (t) => {
  if (!requireTool('kdig', t) || !requireTool(KNOTD, t)) return;
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  for (const z of ZONES) cli(['zone', 'import', fixturePath(`${z}.zone`), '--db', db]);

  let srv: RunningServer | undefined;
  let knot: Awaited<ReturnType<typeof startKnot>> | undefined;
  t.after(async () => { await Promise.all([srv?.stop(), knot?.stop()]); });
  srv = await startServer(db);
  const knotPort = await freePort();
  knot = await startKnot(dir, knotPort);

  for (const tcp of [false, true]) {
    for (const [name, type] of QUESTIONS) {
      await t.test(`${tcp ? 'TCP' : 'UDP'} ${name} ${type}`, () => {
        const ours = kdig('127.0.0.1', srv!.port, name, type, { tcp });
        const theirs = kdig('127.0.0.1', knotPort, name, type, { tcp });
        INTENDED[`${name} ${type}`]?.adjust(ours, theirs);
        assert.deepEqual(comparable(ours), comparable(theirs), `daneprime:\n${ours.raw}\nknotd:\n${theirs.raw}`);
      });
    }
  }
});
