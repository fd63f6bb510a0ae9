// Many zones: BENCH_ZONES signed, TLSA-heavy zones of BENCH_NAMES_PER_ZONE names, all in one catalog.
// Measures the import, `daneprime serve` start-up and memory, positive QPS over random zones against
// Knot serving our signed export of the same zones, and how long a Knot catalog consumer takes to
// serve every member; writes bench/RESULTS-many-zones.md (or BENCH_OUT).
import dgram from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { Store } from '../zones/store/sqlite.js';
import { parseZoneText } from '../zones/io/zonefile-parse.js';
import { SERVER_ACTOR } from '../zones/commit.js';
import { initialKeys } from '../signer/keystore-sqlite.js';
import { hostZones } from '../server/zone-host.js';
import { addSecondary } from '../server/xfr/acl.js';
import { exportZone } from '../server/commands/zone.js';
import { freePort } from '../test/helpers/server.js';
import { tmpDir, startDaemon, waitReady, run, cpuSeconds, sleep, shellLine, type Daemon } from './lib/procs.js';
import { answersSigned, doQuery } from './lib/probe.js';
import { dnsperf, perfCommand } from './lib/dnsperf.js';
import { SERVER_CPU, LOADGEN_CPU } from './lib/servers.js';
import { median, noise, type RunResult } from './lib/report.js';

const ZONES = Number(process.env.BENCH_ZONES ?? 10_000);
const NAMES = Number(process.env.BENCH_NAMES_PER_ZONE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORKERS = process.env.BENCH_WORKERS ?? '1';
/** Longest wait for background signing to finish, and for the catalog consumer to serve every member (s). */
const PRESIGN_WAIT_S = Number(process.env.BENCH_PRESIGN_WAIT_S ?? 900);
const CONSUMER_WAIT_S = Number(process.env.BENCH_CONSUMER_WAIT_S ?? 900);
const OUT = process.env.BENCH_OUT ?? 'RESULTS-many-zones.md';
const CAT = 'catalog.test.';
const SRC = fileURLToPath(new URL('../../bench/', import.meta.url));
const CLI = fileURLToPath(new URL('../server/cli.js', import.meta.url));
const TLSA = '3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6';
const log = (s: string) => console.log(`many-zones: ${s}`);
const s1 = (ms: number) => (ms / 1000).toFixed(1);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const zoneName = (i: number) => `z${String(i).padStart(5, '0')}.test.`;

/**
 * One zone of about `names` owner names: apex (SOA, NS, MX), ns1, ns2, mail with TLSA, then
 * hosts: each with A + AAAA and a `_443._tcp` TLSA, every 4th a `_25._tcp` TLSA as well, every
 * 8th a CNAME to it. About half the names own a TLSA. Returns the text and the positive questions.
 */
function zone(origin: string, i: number, names: number): { text: string; questions: [string, string][] } {
  const lines = [`$ORIGIN ${origin}`, '$TTL 3600', '@ SOA ns1 hostmaster 1 7200 3600 1209600 300', '@ NS ns1', '@ NS ns2', '@ MX 10 mail',
    `ns1 A 192.0.2.53`, `ns2 A 192.0.2.54`, `mail A 192.0.2.25`, `mail AAAA 2001:db8::25`, `_25._tcp.mail TLSA ${TLSA}`];
  const questions: [string, string][] = [['mail', 'A'], ['mail', 'AAAA'], ['_25._tcp.mail', 'TLSA']];
  let count = 5;
  for (let h = 0; count < names; h++) {
    const a = `10.${(i >> 8) & 255}.${i & 255}.${h & 255}`;
    lines.push(`h${h} A ${a}`, `h${h} AAAA 2001:db8:${i.toString(16)}::${h.toString(16)}`, `_443._tcp.h${h} TLSA ${TLSA}`);
    questions.push([`h${h}`, 'A'], [`h${h}`, 'AAAA'], [`_443._tcp.h${h}`, 'TLSA']);
    count += 2;
    if (h % 4 === 0) { lines.push(`_25._tcp.h${h} TLSA ${TLSA}`); questions.push([`_25._tcp.h${h}`, 'TLSA']); count++; }
    if (h % 8 === 0) { lines.push(`w${h} CNAME h${h}`); count++; }
  }
  return { text: lines.join('\n') + '\n', questions };
}

/** Resident memory (MB) of `pid` and its children (the workers), from /proc/PID/status. */
function rssMb(pid: number, field = 'VmRSS'): number {
  let kb = 0;
  for (const p of [pid, ...childPids(pid)]) {
    try { kb += Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
  }
  return Math.round(kb / 1024);
}
function childPids(pid: number): number[] {
  try { return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch { return []; }
}

/**
 * Asks every zone's SOA over one UDP socket, `window` questions at a time (a burst of 10,000
 * would overflow the server's receive buffer); the zones answered authoritatively with their SOA.
 */
async function soaSweep(host: string, port: number, zones: string[], window = 200): Promise<Set<string>> {
  const served = new Set<string>();
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, r));
  let waiting = new Set<string>();
  let wake: (() => void) | undefined;
  s.on('message', (m) => {
    try {
      const p = packet.decode(m);
      const q = `${p.questions?.[0]?.name ?? ''}.`.toLowerCase();
      if ((p.flags! & 0xf) === 0 && (p.flags! & packet.AUTHORITATIVE_ANSWER) && p.answers?.some((a) => a.type === 'SOA')) served.add(q);
      waiting.delete(q);
      if (waiting.size === 0) wake?.();
    } catch { /* ignore */ }
  });
  for (let at = 0; at < zones.length; at += window) {
    const batch = zones.slice(at, at + window);
    waiting = new Set(batch);
    const done = new Promise<void>((r) => { wake = r; setTimeout(r, 300); });
    batch.forEach((z, k) => s.send(doQuery(z, 'SOA', k), port, host));
    await done;
  }
  s.close();
  return served;
}

/** Polls until every zone answers; logs progress; returns ms until then or undefined at the limit, with the progress lines. */
async function waitAllServed(host: string, port: number, zones: string[], limitS: number, t0: number, d: Daemon): Promise<{ ms?: number; progress: string[] }> {
  const progress: string[] = [];
  let lastNote = 0;
  let left = zones;
  while (performance.now() - t0 < limitS * 1000) {
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error(`knotd exited:\n${d.output().slice(-2000)}`);
    const got = await soaSweep(host, port, left);
    left = left.filter((z) => !got.has(z));
    const t = performance.now() - t0;
    if (left.length === 0) { progress.push(`${s1(t)} s: ${int(zones.length)}`); return { ms: t, progress }; }
    if (t - lastNote >= 15_000) { lastNote = t; progress.push(`${s1(t)} s: ${int(zones.length - left.length)}`); log(`  ${progress.at(-1)} of ${int(zones.length)} served`); }
    await sleep(500);
  }
  progress.push(`${s1(performance.now() - t0)} s: ${int(zones.length - left.length)} (gave up)`);
  return { progress };
}

/** The dnsperf datafile: positive questions spread uniformly over random zones (and names within each). */
function datafile(dir: string, questions: [string, string][], lines = 500_000): string {
  let seed = 12345;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const out: string[] = [];
  for (let k = 0; k < lines; k++) {
    const [rel, type] = questions[rnd(questions.length)];
    out.push(`${rel}.${zoneName(rnd(ZONES))} ${type}`);
  }
  const f = join(dir, 'positive.txt');
  writeFileSync(f, out.join('\n') + '\n');
  return f;
}

function knotConf(dir: string, body: string[]): string {
  const conf = join(dir, 'knot.conf');
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(conf, body.join('\n') + '\n');
  return conf;
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = tmpDir('daneprime-many-zones-');
  const db = join(dir, 'dp.db');
  const apexes = Array.from({ length: ZONES }, (_, i) => zoneName(i));
  const now = Math.floor(Date.now() / 1000);
  const consumerPort = await freePort();

  // 1. Import through the commit pipeline, as `zone import --catalog` does (KSK + ZSK per zone).
  log(`importing ${int(ZONES)} zones of ${NAMES} names into a catalog`);
  const store = new Store(db);
  const host = hostZones(store, { serving: false, now: () => now });
  host.pipeline.commit({ kind: 'catalog-create', apex: CAT }, SERVER_ACTOR);
  // The consumer's address on the catalog: every member's secondary (transfers, NOTIFY) through it.
  addSecondary(store, host.xs, CAT, `127.0.0.2:${consumerPort}`, undefined, now);
  let questions: [string, string][] = [];
  let records = 0;
  const perThousand: number[] = [];
  let t = performance.now();
  let tBlock = t;
  for (let i = 0; i < ZONES; i++) {
    const z = zone(apexes[i], i, NAMES);
    if (i === 0) questions = z.questions;
    const recs = parseZoneText(z.text, { origin: apexes[i] });
    records += recs.length;
    host.pipeline.commit({ kind: 'import', apex: apexes[i], records: recs, makeKeys: () => initialKeys(now, false), catalog: { name: CAT } }, SERVER_ACTOR);
    if ((i + 1) % 1000 === 0 || i + 1 === ZONES) {
      const tn = performance.now();
      perThousand.push((tn - tBlock) / ((i % 1000) + 1));
      tBlock = tn;
      log(`  ${int(i + 1)} zones, ${s1(tn - t)} s, last block ${perThousand.at(-1)!.toFixed(1)} ms/zone`);
    }
  }
  const importMs = performance.now() - t;
  store.close();
  const dbMb = Math.round(Number(run('du', ['-sm', db]).split('\t')[0]));
  log(`import: ${s1(importMs)} s (${int(records)} records), database ${dbMb} MB`);

  // The same zones signed by us, as `zone export NAME --signed` writes them, for Knot to serve as they are.
  const knotDir = join(dir, 'knot-serve');
  mkdirSync(join(knotDir, 'zones'), { recursive: true });
  t = performance.now();
  {
    const s = new Store(db);
    for (const a of apexes) writeFileSync(join(knotDir, 'zones', `${a.slice(0, -1)}.zone`), exportZone(s, a, true));
    s.close();
  }
  const exportMs = performance.now() - t;
  log(`signed export: ${s1(exportMs)} s`);

  // 2. `daneprime serve`: spawn to first signed answer from a random zone, and to the "serving N zone(s)" line.
  const ourPort = await freePort();
  const serveArgs = ['-c', SERVER_CPU, process.execPath, CLI, 'serve', '--db', db, '--dns', `127.0.0.1:${ourPort}`, '--api', 'off', '--workers', WORKERS];
  t = performance.now();
  const ours = startDaemon('taskset', serveArgs);
  let servingMs: number | undefined;
  let firstMs: number | undefined;
  const probeName = `_443._tcp.h1.${apexes[Math.floor(ZONES / 2 + 7) % ZONES]}`;
  await waitReady(ours, 'daneprime', async () => {
    if (servingMs === undefined && /serving \d+ zone\(s\)/.test(ours.output())) servingMs = performance.now() - t;
    if (firstMs === undefined && await answersSigned(ourPort, probeName, 'TLSA')) firstMs = performance.now() - t;
    return firstMs !== undefined && servingMs !== undefined;
  }, 600_000);
  const rssStart = rssMb(ours.proc.pid!);
  log(`serve: first signed answer ${s1(firstMs!)} s, "serving" line ${s1(servingMs!)} s, RSS ${rssStart} MB`);
  t = performance.now();
  let presign = 'not finished';
  while (performance.now() - t < PRESIGN_WAIT_S * 1000) {
    const m = /background signing done: .*/.exec(ours.output());
    if (m) { presign = m[0]; break; }
    await sleep(500);
  }
  const presignWaitMs = performance.now() - t;
  const rssSigned = rssMb(ours.proc.pid!);
  log(`serve: ${presign} (waited ${s1(presignWaitMs)} s), RSS ${rssSigned} MB`);

  // Knot serving our signed export of the same zones (no signing of its own).
  const knotPort = await freePort();
  const kconf = knotConf(knotDir, [
    'server:', `  listen: 127.0.0.1@${knotPort}`, `  rundir: "${knotDir}"`, `  udp-workers: ${WORKERS}`, '  tcp-workers: 1', '  background-workers: 1',
    'database:', `  storage: "${join(knotDir, 'db')}"`,
    'log:', '  - target: stderr', '    any: warning',
    'template:', '  - id: default', `    storage: "${join(knotDir, 'zones')}"`, '    zonefile-sync: -1', '    journal-content: none', '    semantic-checks: off',
    'zone:', ...apexes.map((a) => `  - domain: ${a}`),
  ]);
  t = performance.now();
  const knot = startDaemon('taskset', ['-c', SERVER_CPU, 'knotd', '-c', kconf]);
  const knotAll = await waitAllServed('127.0.0.1', knotPort, apexes, 600, t, knot);
  if (knotAll.ms === undefined) throw new Error(`Knot did not load all zones: ${knotAll.progress.join('; ')}`);
  await waitReady(knot, 'knotd', () => answersSigned(knotPort, probeName, 'TLSA'), 30_000);
  const knotRss = rssMb(knot.proc.pid!);
  log(`knot: all zones served ${s1(knotAll.ms)} s after start, RSS ${knotRss} MB`);

  // 3. dnsperf, interleaved: ours then Knot in odd runs, the other way round in even runs.
  const file = datafile(dir, questions);
  const servers = [{ key: 'ours', port: ourPort, pid: ours.proc.pid! }, { key: 'knot', port: knotPort, pid: knot.proc.pid! }];
  const results: Record<string, RunResult[]> = { ours: [], knot: [] };
  // Other work on the machine shows here (the servers and dnsperf alone make about 2 on 2 cores).
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  for (const s of servers) await dnsperf({ port: s.port, datafile: file, seconds: 2, once: false }); // warm-up, unmeasured
  for (let r = 0; r < RUNS; r++) {
    for (const s of r % 2 ? [...servers].reverse() : servers) {
      const c0 = cpuSeconds(s.pid);
      const res = await dnsperf({ port: s.port, datafile: file, seconds: SECONDS, once: false });
      results[s.key].push({ ...res, cpuSeconds: cpuSeconds(s.pid) - c0 });
      log(`  run ${r + 1} ${s.key}: ${int(res.qps)} q/s, lost ${res.lost}, SERVFAIL ${res.servfail}, NXDOMAIN ${res.nxdomain}`);
    }
  }
  const rssAfterPerf = rssMb(ours.proc.pid!);
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  await knot.stop();

  // 4. Knot as a catalog consumer of our catalog: time until it serves every member.
  const consDir = join(dir, 'knot-consumer');
  const cconf = knotConf(consDir, [
    'server:', `  listen: 127.0.0.2@${consumerPort}`, `  rundir: "${consDir}"`, '  background-workers: 1',
    'database:', `  storage: "${join(consDir, 'db')}"`,
    'log:', '  - target: stderr', '    any: warning',
    // From 127.0.0.2: the address the catalog's secondary entry names, which is what daneprime's transfer ACL checks.
    'remote:', '  - id: primary', `    address: 127.0.0.1@${ourPort}`, '    via: 127.0.0.2',
    'acl:', '  - id: notify_from_primary', '    address: 127.0.0.1', '    action: notify',
    'template:', '  - id: member', '    master: primary', '    acl: notify_from_primary', '    zonefile-load: none', '    journal-content: none',
    `    storage: "${consDir}"`, '    zonefile-sync: -1',
    'zone:', `  - domain: ${CAT}`, '    master: primary', '    acl: notify_from_primary', '    catalog-role: interpret', '    catalog-template: member',
    `    storage: "${consDir}"`, '    zonefile-sync: -1', '    zonefile-load: none',
  ]);
  t = performance.now();
  const consumer = startDaemon('taskset', ['-c', SERVER_CPU, 'knotd', '-c', cconf]);
  const cons = await waitAllServed('127.0.0.2', consumerPort, apexes, CONSUMER_WAIT_S, t, consumer);
  const consRss = rssMb(consumer.proc.pid!);
  const oursPeak = rssMb(ours.proc.pid!, 'VmHWM');
  log(`consumer: ${cons.ms === undefined ? 'did not serve every member' : `all ${int(ZONES)} members served after ${s1(cons.ms)} s`}`);
  const consTail = consumer.output().split('\n').filter(Boolean).slice(-8);
  const oursTail = ours.output().split('\n').filter((l) => !/dns: listening|udp:/.test(l)).slice(-12);
  await consumer.stop();
  await ours.stop();

  // 5. The report.
  const sh = (c: string) => { try { return run('sh', ['-c', c]).trim(); } catch { return 'unknown'; } };
  const single = /### \(a\) positive[\s\S]*?\| daneprime \| ([\d,]+) [\s\S]*?\| Knot \| ([\d,]+) /.exec(existsSync(join(SRC, 'RESULTS.md')) ? readFileSync(join(SRC, 'RESULTS.md'), 'utf8') : '');
  const singleOurs = single ? Number(single[1].replace(/,/g, '')) : NaN;
  const singleKnot = single ? Number(single[2].replace(/,/g, '')) : NaN;
  const row = (key: string, label: string, singleQps: number) => {
    const rs = results[key];
    const q = rs.map((r) => r.qps);
    return `| ${label} | ${int(median(q))} | ${q.map(int).join(', ')} | ${(100 * noise(q)).toFixed(0)}% | ${median(rs.map((r) => (1e6 * r.cpuSeconds) / r.completed)).toFixed(1)} | ${median(rs.map((r) => r.lost))} | ${median(rs.map((r) => r.servfail))} | ${int(singleQps)} | ${(median(q) / singleQps).toFixed(2)}× |`;
  };
  const within = results.ours.map((r, i) => r.qps / results.knot[i].qps);
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const qpsRatio = median(results.ours.map((r) => r.qps)) / singleOurs;
  const text = `# Many zones: results

Generated by \`node dist/bench/many-zones.js\` on ${new Date(started).toISOString()} in ${((Date.now() - started) / 60000).toFixed(1)} min:
${int(ZONES)} zones of ${NAMES} names each (${int(records)} records in all, ${(records / ZONES).toFixed(0)} a zone), every
zone signed (ECDSA P-256 KSK + ZSK, NSEC3) and a member of the catalog \`${CAT}\`; \`daneprime serve --workers ${WORKERS}\`.
See bench/README.md ("Many zones") for the method.

## Targets

| target | measured | |
|---|---:|---|
| start-up < 30 s (spawn to first signed answer from a random zone) | ${s1(firstMs!)} s | ${verdict(firstMs! < 30_000)} |
| memory < 2 GB (RSS after background signing) | ${int(rssSigned)} MB | ${verdict(rssSigned < 2048)} |
| QPS ≥ 0.8 × single-zone positive figure | ${qpsRatio.toFixed(2)}× (${int(median(results.ours.map((r) => r.qps)))} vs ${int(singleOurs)} q/s) | ${verdict(qpsRatio >= 0.8)} |

## Import

In-process through the commit pipeline (\`{kind: 'import', …, catalog: {name}}\` per zone, keys from
\`initialKeys\` as \`zone import\` makes them), one transaction per zone, into a fresh SQLite database.

- ${int(ZONES)} zones in ${s1(importMs)} s: ${(ZONES / (importMs / 1000)).toFixed(0)} zones/s, ${(importMs / ZONES).toFixed(1)} ms a zone.
- ms per zone in each block of 1,000 zones (a catalog commit that grew with its members would show here): ${perThousand.map((x) => x.toFixed(1)).join(', ')}.
- Database: ${int(dbMb)} MB.
- Signed export of every zone for Knot (\`exportZone\`, what \`zone export NAME --signed\` prints): ${s1(exportMs)} s.

## Start-up and memory

- Spawn to the first signed answer (\`${probeName} TLSA\`, DO=1): **${s1(firstMs!)} s**; to the \`serving N zone(s)\` line: ${s1(servingMs!)} s.
- Resident memory (VmRSS of the server and its workers): ${int(rssStart)} MB at the first answer;
  ${int(rssSigned)} MB after background signing (${presign}; waited ${s1(presignWaitMs)} s after the first answer, limit ${PRESIGN_WAIT_S} s);
  ${int(rssAfterPerf)} MB after the dnsperf runs; peak (VmHWM) ${int(oursPeak)} MB at the end, after the catalog consumer's transfers.
- Knot serving the same zones (our signed export, loaded as is): all ${int(ZONES)} answered ${s1(knotAll.ms)} s after start, ${int(knotRss)} MB RSS.

## Queries per second over random zones

Positive questions (A, AAAA, TLSA of hosts, \`_443._tcp\` and \`_25._tcp\` owners, mail) in random zones,
${int(500_000)} lines looped, DO=1, UDP. ${RUNS} runs × ${SECONDS} s per server after 2 s of unmeasured warm-up,
interleaved (the order alternates). The single-zone figure is the positive mix (a) of bench/RESULTS.md
(10,000-name zone, same dnsperf settings, 5 s runs).

| server | QPS (median) | runs | noise | server CPU µs/query | lost | SERVFAIL | single-zone QPS | ÷ single-zone |
|---|---:|---|---:|---:|---:|---:|---:|---:|
${row('ours', 'daneprime', singleOurs)}
${row('knot', 'Knot (our signed export)', singleKnot)}

daneprime ÷ Knot within each run: ${within.map((x) => `${x.toFixed(2)}×`).join(', ')} (median ${median(within).toFixed(2)}×).
Load average (1, 5, 15 min) before the runs ${loadBefore}, after them ${loadAfter}.

## Catalog consumer

Knot (\`catalog-role: interpret\`, one template whose primary is daneprime, no TSIG; the catalog's
secondary address gives it every member's transfers) started with an empty database against the
running daneprime: ${cons.ms === undefined ? `**did not serve all ${int(ZONES)} members within ${CONSUMER_WAIT_S} s**` : `all ${int(ZONES)} members served (authoritative SOA over UDP, checked by a sweep of all zones) **${s1(cons.ms)} s** after start`}; Knot's RSS then ${int(consRss)} MB.
Members served over time: ${cons.progress.join('; ')}.

Last lines of the consumer's log (warnings and errors only):

\`\`\`
${consTail.join('\n') || '(none)'}
\`\`\`

Last lines of daneprime's log:

\`\`\`
${oursTail.join('\n')}
\`\`\`

## Machine

- CPU: ${sh("lscpu | sed -n 's/^Model name: *//p' | head -1")}; \`nproc\` = ${sh('nproc')} (${cpus().length} logical CPUs seen by Node)
- OS: ${sh('. /etc/os-release && echo "$PRETTY_NAME"')}, kernel ${sh('uname -r')}
- Node ${process.version}; ${sh('knotd --version')}; dnsperf ${sh("dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1")}
- Servers (daneprime, Knot, the Knot consumer) pinned to CPU ${SERVER_CPU}, dnsperf to CPU ${LOADGEN_CPU}; the import and export ran in the bench process, unpinned.
- DANEPRIME_PRESIGN=${process.env.DANEPRIME_PRESIGN ?? '1 (default)'}.

## Command lines

\`\`\`
${shellLine('taskset', serveArgs).replace(dir, '$TMP')}
taskset -c ${SERVER_CPU} knotd -c $TMP/knot-serve/knot.conf      # ${int(ZONES)} zones, file per zone, no signing, journal-content none
taskset -c ${SERVER_CPU} knotd -c $TMP/knot-consumer/knot.conf   # catalog-role interpret, members from template "member"
${perfCommand({ port: 0, datafile: '$TMP/positive.txt', seconds: SECONDS, once: false }).replace(' -p 0 ', ' -p PORT ')}
\`\`\`
`;
  writeFileSync(join(SRC, OUT), text);
  log(`wrote bench/${OUT}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
