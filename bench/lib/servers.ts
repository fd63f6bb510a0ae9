// The servers under test — ours, PowerDNS, Knot and the Node ceiling: how each is set up, started on core 0, and checked.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { freePort } from '../../test/helpers/server.js';
import { run, shellLine, startDaemon, waitReady, type Daemon } from './procs.js';
import { answersSigned, probe } from './probe.js';

export const ZONE = 'example.com';
/** CPU list for the servers (taskset -c); BENCH_SERVER_CPU=0,1 for the multi-worker run. */
export const SERVER_CPU = process.env.BENCH_SERVER_CPU ?? '0';
/** The core dnsperf runs on. */
export const LOADGEN_CPU = '1';
/** Workers per server: ours gets `--workers`, Knot as many UDP workers, so the 2-worker run is like for like. */
const WORKERS = process.env.BENCH_WORKERS ?? '1';
const DIST = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(DIST, 'server/cli.js');
// A name every server must answer with an RRSIG before it is measured: proves the zone is loaded and signed.
const READY_NAME = `_443._tcp.www.${ZONE}`;

export interface Running {
  port: number;
  /** The daemon's process (taskset execs it, so this is the server itself); workers are its children. */
  pid: number;
  /** Exact command lines used for setup and for the daemon. */
  commands: string[];
  stop(): Promise<void>;
}

export interface ServerDef {
  key: string;
  label: string;
  version(): string;
  start(dir: string, zoneFile: string): Promise<Running>;
}

/** Runs a setup command and records its line. */
function step(commands: string[], cmd: string, args: string[], opts?: Parameters<typeof run>[2]): string {
  commands.push(shellLine(cmd, args));
  return run(cmd, args, opts);
}

/** Starts `cmd args` pinned to the server core, records the line, waits for `ready`. */
async function daemon(commands: string[], what: string, cmd: string, args: string[], ready: (d: Daemon, port: number) => Promise<boolean> | boolean, port: number, timeoutMs = 60_000): Promise<Running> {
  const full = ['-c', SERVER_CPU, cmd, ...args];
  commands.push(shellLine('taskset', full));
  const d = startDaemon('taskset', full);
  await waitReady(d, what, () => ready(d, port), timeoutMs);
  return { port, pid: d.proc.pid!, commands, stop: () => d.stop() };
}

const firstLine = (cmd: string, args: string[]): string => {
  try { return run(cmd, args).split('\n').find((l) => l.trim())!.trim(); } catch (e) { return `unknown (${(e as Error).message.split('\n')[0]})`; }
};

/** Our server; `udpIo` picks its UDP path (the default, batched, or node:dgram as the same-run peer). */
function daneprime(key: string, label: string, udpIo: 'auto' | 'dgram'): ServerDef {
  return {
    key, label,
    version: () => `daneprime (this commit), node ${process.version}`,
    async start(dir, zoneFile) {
      const commands: string[] = [];
      const db = join(dir, `${key}.db`);
      step(commands, process.execPath, [CLI, 'zone', 'import', zoneFile, '--db', db]);
      const port = await freePort();
      // One worker by default (the single-core comparison); BENCH_WORKERS=2 measures the multi-core mode
      // (with BENCH_SERVER_CPU=0,1 so the workers are not squeezed onto one core). No admin API.
      // BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to our server's node only.
      const nodeFlags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
      return daemon(commands, label, process.execPath, [...nodeFlags, CLI, 'serve', '--db', db, '--dns', `127.0.0.1:${port}`, '--workers', WORKERS, '--api', 'off', '--udp-io', udpIo],
        async (d, p) => d.output().includes('dns: listening') && answersSigned(p, READY_NAME, 'TLSA'), port);
    },
  };
}

export const ours = daneprime('ours', 'daneprime', 'auto');
/** The same server on node:dgram: how much of the figure the batched UDP path makes, measured in the same run. */
export const oursDgram = daneprime('ours-dgram', 'daneprime, dgram', 'dgram');

/** The trivial responder on `io`: `dgram` is the stock Node ceiling, `batch` the same on our batched UDP path. */
function trivial(key: string, label: string, io: 'dgram' | 'batch'): ServerDef {
  return {
    key, label,
    version: () => `node ${process.version} ${io === 'batch' ? 'recvmmsg/sendmmsg addon' : 'dgram'}, one fixed reply`,
    async start() {
      const port = await freePort();
      return daemon([], label, process.execPath, [join(DIST, 'bench/lib/trivial-responder.js'), String(port), io],
        async (d, p) => d.output().includes('listening') && (await probe(p, READY_NAME, 'TLSA')) !== undefined, port);
    },
  };
}

export const ceiling = trivial('ceiling', 'Node ceiling', 'dgram');
export const ceilingBatched = trivial('ceiling-batch', 'Node ceiling, batched', 'batch');

const PDNS_SCHEMA = '/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql';
export const powerdns: ServerDef = {
  key: 'pdns', label: 'PowerDNS',
  version: () => firstLine('sh', ['-c', 'pdns_server --version 2>&1 | grep -o "PowerDNS Authoritative Server [0-9.]*"']),
  async start(dir, zoneFile) {
    if (!existsSync(PDNS_SCHEMA)) throw new Error(`${PDNS_SCHEMA} missing (run bench/install-deps.sh)`);
    const commands: string[] = [];
    const dbFile = join(dir, 'pdns.db');
    const db = new Database(dbFile);
    db.exec(readFileSync(PDNS_SCHEMA, 'utf8'));
    db.close();
    commands.push(`# schema: ${PDNS_SCHEMA} executed on ${dbFile} with better-sqlite3 (same as: sqlite3 ${dbFile} < ${PDNS_SCHEMA})`);
    // pdnsutil reads only the config file, so the backend and key algorithms live there; the
    // listener and thread settings are on the daemon's command line, where RESULTS.md shows them.
    writeFileSync(join(dir, 'pdns.conf'), [
      'launch=gsqlite3', `gsqlite3-database=${dbFile}`, 'gsqlite3-dnssec=yes',
      'default-ksk-algorithm=ecdsa256', 'default-zsk-algorithm=ecdsa256', '',
    ].join('\n'));
    commands.push(`# ${dir}/pdns.conf: launch=gsqlite3 gsqlite3-database=${dbFile} gsqlite3-dnssec=yes default-ksk-algorithm=ecdsa256 default-zsk-algorithm=ecdsa256`);
    const util = (...a: string[]) => step(commands, 'pdnsutil', [`--config-dir=${dir}`, ...a]);
    util('load-zone', ZONE, zoneFile);
    util('secure-zone', ZONE);
    util('set-nsec3', ZONE, '1 0 0 -');
    util('rectify-zone', ZONE);
    const port = await freePort();
    return daemon(commands, 'pdns_server', 'pdns_server', [
      '--daemon=no', '--guardian=no', '--disable-syslog', `--socket-dir=${dir}`, '--local-address=127.0.0.1', `--local-port=${port}`,
      '--launch=gsqlite3', `--gsqlite3-database=${dbFile}`, '--gsqlite3-dnssec=yes',
      '--receiver-threads=1', '--distributor-threads=1', '--signing-threads=1', `--config-dir=${dir}`,
      // Off by default in 4.7: without it the DNAME half of mix (d) is answered NXDOMAIN.
      '--dname-processing=yes',
    ], (_d, p) => answersSigned(p, READY_NAME, 'TLSA'), port);
  },
};

export const knot: ServerDef = {
  key: 'knot', label: 'Knot',
  version: () => firstLine('knotd', ['--version']),
  async start(dir, zoneFile) {
    const commands: string[] = [];
    const port = await freePort();
    const conf = join(dir, 'knot.conf');
    mkdirSync(join(dir, 'knotdb'));
    writeFileSync(conf, [
      'server:', `  listen: 127.0.0.1@${port}`, `  rundir: "${dir}"`, `  udp-workers: ${WORKERS}`, '  tcp-workers: 1', '  background-workers: 1',
      'database:', `  storage: "${join(dir, 'knotdb')}"`, `  kasp-db: "${join(dir, 'kasp')}"`,
      'log:', '  - target: stderr', '    any: info',
      'policy:', '  - id: ecdsa', '    algorithm: ecdsap256sha256', '    nsec3: on', '    nsec3-iterations: 0', '    nsec3-salt-length: 0',
      'zone:', `  - domain: ${ZONE}`, `    file: "${zoneFile}"`, `    storage: "${dir}"`,
      // Keep the zone file as given: the signed zone stays in memory and the journal.
      '    zonefile-sync: -1', '    semantic-checks: off', '    dnssec-signing: on', '    dnssec-policy: ecdsa',
      '',
    ].join('\n'));
    commands.push(`# ${conf}: policy ecdsa (ecdsap256sha256, nsec3 on, iterations 0, salt length 0); udp workers ${WORKERS}, tcp/background workers 1`);
    return daemon(commands, 'knotd', 'knotd', ['-c', conf], (_d, p) => answersSigned(p, READY_NAME, 'TLSA'), port);
  },
};

export const ALL: ServerDef[] = [ours, oursDgram, powerdns, knot, ceiling, ceilingBatched];
