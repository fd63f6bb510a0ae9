// `daneprime serve` wiring: open the store, load zones, start listeners, watch for commits, shut down cleanly.
import { Store } from '../zones/store/sqlite.js';
import type { Registry } from '../zones/registry.js';
import type { CommitPipeline, JournalLimits } from '../zones/commit.js';
import type { DnssecService } from '../signer/service.js';
import { hostZones } from './zone-host.js';
import { nativeEcdsa } from '../signer/deterministic-ecdsa.js';
import { shareCommits, isLeaderProcess } from './workers.js';
import { handleMessage, answerOnce, type QueryContext } from './query/handle.js';
import { FastPath } from './query/fast/fast-path.js';
import { RRsetWireCache } from './wire/rr-wire.js';
import { batchedUdp } from './net/udp-batch.js';
import { listenUdp, resolveUdpIo, receiveBufferShort, receiveBufferWarning, type UdpIoChoice, type UdpListener } from './net/udp.js';
import { listenTcp, DEFAULT_TCP_LIMITS, type TcpListener } from './net/tcp.js';
import { ResponseRateLimiter } from './net/rrl.js';
import { formatAddress, ListenError, type ListenAddress } from './net/address.js';
import type tls from 'node:tls';
import type { Logger } from './log.js';
import type { FastifyInstance } from 'fastify';
import { XfrService } from './xfr/service.js';
import { UpdateService } from './update/service.js';
import { PolicyStore } from '../zones/store/policy-sqlite.js';
import { Notifier, type NotifyOptions } from './xfr/notify.js';
import { SecondaryMonitor, type MonitorOptions } from './xfr/monitor.js';
import { SignatureRefresher, type RefreshOptions } from './xfr/refresh.js';
import { Metrics } from './metrics/metrics.js';
import { scraper } from './metrics/scrape.js';
import { buildApi } from './admin/app.js';
import { loadTls, keepTlsFresh, tlsDescription, keyReadableWarning, type TlsFiles } from './admin/tls.js';
import { buildPdnsApi } from './pdns-api/app.js';
import { startBackgroundSigning } from './background-signing.js';
import { startHeapPolicy } from './heap-policy.js';
import { CheckRunner } from './checks/runner.js';
import { CheckScheduler } from './checks/scheduler.js';
import { eventHook } from './checks/event-hook.js';
import { RolloverEngine } from './rollover/engine.js';
import { SERVER_ACTOR } from '../zones/commit.js';
import { KeyRoller } from './keys/roller.js';

export interface ServeOptions {
  db: string;
  dns: ListenAddress[];
  log: Logger;
  /** Where the admin API listens (port 0: any free port); absent: no API. */
  api?: ListenAddress;
  /** Serve the admin API over TLS with this certificate and key (reloaded on `reloadTls` and when the files change). */
  apiTls?: TlsFiles;
  /** Where the PowerDNS-compatible API listens (port 0: any free port); absent: off. */
  pdnsApi?: ListenAddress;
  /** How often to look for commits made by other processes (CLI imports). */
  pollMs?: number;
  /** TCP idle timeout (RFC 7766 §6.2.3); default DEFAULT_TCP_LIMITS.idleTimeoutMs. */
  tcpIdleMs?: number;
  /** The clock, unix seconds; defaults to the system clock (plus the hidden test offset below). */
  now?: () => number;
  notify?: NotifyOptions;
  /** How the leader checks what its secondaries serve (tests shorten the schedule). */
  monitor?: MonitorOptions;
  journal?: Partial<JournalLimits>;
  refresh?: RefreshOptions;
  /** Sign every zone's RRsets and NSEC3 chain in the background after loading (default true). */
  presign?: boolean;
  /** How UDP is read and written (default auto: the batched addon where it is built). */
  udpIo?: UdpIoChoice;
  /** Answer plain queries through the declared fast path (server/query/fast/); default true. */
  fastPath?: boolean;
  /**
   * Response rate limiting over UDP: `rate` responses per second per client prefix and
   * bucket for the whole server, shared out evenly over `workers` processes; absent: off.
   */
  rrl?: { rate: number; slip: number; workers: number };
  /** Seconds between live checks of each service (leader process); 0: no scheduled checks. Default 3600. */
  checkIntervalSec?: number;
  /** A shell command given each check event as JSON on stdin. */
  eventHook?: string;
  /** Seconds between the rollover engine's own checks of a service with a rollover under way (default 30). */
  rolloverCheckSec?: number;
  /** The resolver the status page asks for each zone's DS at its parent. */
  dsResolver?: ListenAddress;
}

/**
 * Test hook, deliberately not a documented option: DANEPRIME_CLOCK_OFFSET seconds are added
 * to every clock reading of the server, so a test can run it "a week later".
 */
export function systemClock(): () => number {
  const offset = Number(process.env.DANEPRIME_CLOCK_OFFSET ?? 0) || 0;
  return () => Math.floor(Date.now() / 1000) + offset;
}

export interface RunningServer {
  store: Store;
  zones: Registry;
  pipeline: CommitPipeline;
  ctx: QueryContext;
  dnssec: DnssecService;
  notifier: Notifier;
  /** The addresses actually bound (port 0 resolved), UDP and TCP alike. */
  addresses: ListenAddress[];
  /** The admin API address actually bound, when it runs. */
  apiAddress?: ListenAddress;
  /** The PowerDNS-compatible API address actually bound, when it runs. */
  pdnsApiAddress?: ListenAddress;
  metrics: Metrics;
  /** The UDP listeners, one per --dns address. */
  udp: UdpListener[];
  /** Re-read the admin API's certificate and key (SIGHUP); a no-op without TLS. */
  reloadTls(why: string): void;
  close(): Promise<void>;
}

export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const store = new Store(opts.db);
  const now = opts.now ?? systemClock();
  // Every zone in the store, loaded and signed; from here on it changes only through the pipeline.
  const metrics = new Metrics();
  const hook = opts.eventHook ? eventHook(opts.eventHook, opts.log) : undefined;
  const { xs, zones, dnssec, pipeline, journal } = hostZones(store, {
    serving: true, now, log: opts.log, journal: opts.journal, onEvent: (e) => { metrics.observeCheckEvent(e.level); hook?.(e); },
  });
  // TSIG time is checked by the peer against its own clock (RFC 8945 §5.2.3): always the wall clock.
  const wallClock = () => Math.floor(Date.now() / 1000);
  // The leader asks each secondary what it serves after every NOTIFY (and on a schedule).
  let monitor: SecondaryMonitor | undefined;
  metrics.signatures = dnssec.cache;
  // Every worker answers a scrape's request for its counters, whichever worker serves /metrics.
  const scrape = scraper(metrics, { store, zones, dnssec }, wallClock);
  const notifier = new Notifier(store, xs, opts.log, wallClock, { ...opts.notify, sent: (apex, t) => monitor?.afterNotify(apex, t), ended: metrics.observeNotify });
  // With --workers, sibling workers catch up with each commit made here before the API answers.
  const share = shareCommits(pipeline, opts.log);
  pipeline.setHooks({ share });
  const leader = isLeaderProcess();
  const ctx: QueryContext = {
    zones, dnssec, now, wire: new RRsetWireCache(), observe: metrics.observe,
    fastPath: opts.fastPath === false ? undefined : new FastPath(),
  };
  const xfr = new XfrService({ store, xs, zones, dnssec, log: opts.log, now, tsigNow: wallClock, journal, answer: (msg, r) => answerOnce(ctx, msg, r), observe: metrics.observeTransfer });
  const update = new UpdateService({ store, xs, ps: new PolicyStore(store), pipeline, log: opts.log, tsigNow: wallClock, observe: metrics.observeUpdate });
  ctx.special = (q, msg, responder) => update.special(q, msg, responder) || xfr.special(q, msg, responder);
  const refresher = new SignatureRefresher(zones, dnssec, pipeline, now, opts.log, opts.refresh);
  // Live checks: any process checks on an API request; the leader also on its schedule.
  let rollovers: RolloverEngine | undefined;
  let keyRoller: KeyRoller | undefined;
  const checks = new CheckRunner({
    store, log: opts.log, now, onResult: (r) => { metrics.observeCheck(r.verdict); rollovers?.observe(r); },
    onEvent: (e) => { metrics.observeCheckEvent(e.level); hook?.(e); },
  });
  const checkInterval = opts.checkIntervalSec ?? 3600;
  const scheduler = leader && checkInterval > 0 ? new CheckScheduler(checks, { intervalSec: checkInterval, now, log: opts.log }) : undefined;
  // Admin writes go through the same pipeline, in this process: the next query already sees them.
  const apiTls = opts.api && opts.apiTls ? loadTls(opts.apiTls) : undefined;
  const api = opts.api ? buildApi({ store, zones, dnssec, pipeline, metrics, scrape, log: opts.log, now, checks, dsResolver: opts.dsResolver, onEvent: (e) => { metrics.observeCheckEvent(e.level); hook?.(e); } },
    { https: apiTls?.options }) : undefined;
  let tlsKeeper: ReturnType<typeof keepTlsFresh> | undefined;
  let apiAddress: ListenAddress | undefined;
  // PUT …/notify sends NOTIFY from whichever worker takes the request: it is asked for, not a commit's.
  const pdnsApi = opts.pdnsApi ? buildPdnsApi({ store, zones, dnssec, pipeline, metrics, log: opts.log, now,
    notify: (apex) => { const zone = zones.get(apex); if (zone) notifier.notifyZone(apex, zone.soa); } }) : undefined;
  let pdnsApiAddress: ListenAddress | undefined;
  opts.log(nativeEcdsa.available ? 'signing: deterministic ECDSA (RFC 6979), addon'
    : `signing: deterministic ECDSA (RFC 6979), JavaScript (addon unavailable: ${nativeEcdsa.reason})`);
  opts.log(ctx.fastPath ? 'query: fast path on (reply cache, ready NXDOMAIN and wildcard replies)' : 'query: fast path off: every query takes the full path');
  const udpIo = resolveUdpIo(opts.udpIo ?? 'auto');
  opts.log(udpIo === 'batch' ? 'udp: batched I/O (recvmmsg/sendmmsg)'
    : `udp: node:dgram${opts.udpIo === 'dgram' ? '' : ` (batched I/O unavailable: ${batchedUdp.reason})`}`);
  const rrl = opts.rrl ? new ResponseRateLimiter({ rate: opts.rrl.rate / opts.rrl.workers, slip: opts.rrl.slip }) : undefined;
  metrics.rrl = rrl;
  if (opts.rrl && rrl) {
    opts.log(`rrl: ${opts.rrl.rate} UDP responses/s per client prefix (/24, /56) and bucket`
      + `${opts.rrl.workers > 1 ? `, ${+rrl.rate.toFixed(2)}/s in each of ${opts.rrl.workers} workers` : ''}; slip ${rrl.slip}`);
  }
  const udps: UdpListener[] = [];
  const tcps: TcpListener[] = [];
  const addresses: ListenAddress[] = [];
  try {
    for (const a of opts.dns) {
      // Bind TCP first so port 0 picks one free port that UDP then shares.
      const tcp = await listenTcp(a, (msg, responder) => handleMessage(ctx, msg, responder), opts.log, { ...DEFAULT_TCP_LIMITS, idleTimeoutMs: opts.tcpIdleMs ?? DEFAULT_TCP_LIMITS.idleTimeoutMs });
      const bound = { host: a.host, port: tcp.port };
      tcps.push(tcp);
      const udp = await listenUdp(bound, (msg, responder) => handleMessage(ctx, msg, responder), opts.log, udpIo, rrl);
      udps.push(udp);
      if (receiveBufferShort(udp)) opts.log(receiveBufferWarning(udp));
      addresses.push(bound);
      opts.log(`dns: listening on ${formatAddress(bound)} (udp, tcp)`);
    }
    if (api && opts.api) {
      apiAddress = await listenHttp(api, opts.api, 'api', opts.log, apiTls !== undefined);
      if (apiTls && opts.apiTls) {
        opts.log(`api: TLS 1.2 and 1.3, ECDHE with AEAD ciphers only; ${tlsDescription(apiTls)}`);
        const warning = keyReadableWarning(opts.apiTls.key);
        if (warning) opts.log(warning);
        tlsKeeper = keepTlsFresh(api.server as unknown as tls.Server, opts.apiTls, opts.log);
      }
    }
    if (pdnsApi && opts.pdnsApi) pdnsApiAddress = await listenHttp(pdnsApi, opts.pdnsApi, 'pdns-api', opts.log);
  } catch (err) {
    notifier.close();
    for (const s of udps) void s.close();
    for (const s of tcps) void s.close();
    await api?.close();
    await pdnsApi?.close();
    store.close();
    throw err;
  }
  // Once we can answer the secondaries' SOA queries and transfers, tell them what we serve,
  // and from now on every new version: the leader alone, so each change is notified once.
  if (leader) {
    // A secondary in trouble is an event like the checks' (GET /api/v1/events, metrics, the hook).
    monitor = new SecondaryMonitor(store, xs, zones, opts.log, wallClock, (e) => {
      const at = wallClock();
      checks.checks.addEvent({ at, zone: e.zone, service: '', endpoint: e.secondary, level: e.level, kind: 'secondary', message: e.message });
      hook?.({ time: new Date(at * 1000).toISOString(), level: e.level, zone: e.zone, service: '', endpoint: e.secondary, kind: 'secondary', message: e.message });
    }, opts.monitor);
    monitor.start();
    // A changed TLSA RRset is checked at once, whichever process committed it.
    pipeline.setHooks({ share, notify: (apex, soa) => notifier.notifyZone(apex, soa), changed: scheduler?.zoneChanged });
    for (const apex of zones.apexes()) notifier.notifyZone(apex, zones.get(apex)!.soa);
    // One re-signer for all workers: each re-sign is a commit the others catch up with.
    refresher.start();
    scheduler?.start();
    // TLSA rollovers move on from SQLite: whatever was under way when the leader stopped resumes here.
    rollovers = new RolloverEngine({
      store, xs, runner: checks, log: opts.log, checkEverySec: opts.rolloverCheckSec,
      commit: (change) => pipeline.commit(change, SERVER_ACTOR),
      onEvent: (e) => { metrics.observeCheckEvent(e.level); hook?.(e); },
    });
    rollovers.start();
    // DNSSEC key rollovers move on from SQLite too, each step a commit.
    keyRoller = new KeyRoller({ store, zones, now, log: opts.log, dsResolver: opts.dsResolver && formatAddress(opts.dsResolver), commit: (change) => pipeline.commit(change, SERVER_ACTOR) });
    keyRoller.start();
    if (scheduler) opts.log(`checks: every service every ${checkInterval} s (with jitter) and after each change to its TLSA records`);
  }
  const stopSigning = (opts.presign ?? true) ? startBackgroundSigning(dnssec, now, opts.log) : () => {};
  // After loading, so the first look sees the zones' live heap.
  const stopHeapPolicy = startHeapPolicy(opts.log);
  // Commits by other processes (the CLI, a sibling whose notice was lost) are noticed through
  // SQLite's data_version, which moves only when another connection commits.
  let seen = store.dataVersion();
  const timer = setInterval(() => {
    const v = store.dataVersion();
    if (v === seen) return;
    seen = v;
    try { pipeline.catchUpAll(); } catch (err) { opts.log(`zone catch-up failed: ${(err as Error).message}`, { level: 'error' }); }
  }, opts.pollMs ?? 250);
  timer.unref();
  opts.log(`serving ${zones.apexes().length} zone(s) from ${opts.db}`);
  return {
    store, zones, pipeline, ctx, dnssec, notifier, addresses, apiAddress, pdnsApiAddress, metrics, udp: udps,
    reloadTls: (why) => tlsKeeper?.reload(why),
    async close() {
      tlsKeeper?.close();
      clearInterval(timer);
      stopSigning();
      stopHeapPolicy();
      refresher.stop();
      monitor?.close();
      scheduler?.stop();
      rollovers?.stop();
      keyRoller?.stop();
      notifier.close();
      await Promise.all([
        api?.close(),
        pdnsApi?.close(),
        ...udps.map((s) => s.close()),
        ...tcps.map((s) => s.close()),
      ]);
      store.close();
    },
  };
}

/** Start an HTTP API on `at` (port 0: any free port); the address actually bound, logged. */
async function listenHttp(app: FastifyInstance, at: ListenAddress, name: string, log: Logger, secure = false): Promise<ListenAddress> {
  try {
    // IPv6 only on an IPv6 address, as the DNS listeners: [::] does not also claim the IPv4 port.
    await app.listen({ host: at.host, port: at.port, ipv6Only: at.host.includes(':') });
  } catch (err) {
    throw new ListenError(name, at, err);
  }
  const a = app.server.address();
  const bound = { host: at.host, port: typeof a === 'object' && a ? a.port : at.port };
  log(`${name}: listening on ${secure ? 'https' : 'http'}://${formatAddress(bound)}`);
  return bound;
}
