// `daneprime serve` wiring: open the store, load zones, start listeners, watch for commits, shut down cleanly.
import { Store } from '../zones/store/sqlite.js';
import { Registry } from '../zones/registry.js';
import { DnssecService } from '../signer/service.js';
import { SqliteKeyStore } from '../signer/keystore-sqlite.js';
import { APEX_DERIVED } from '../signer/zone-signer.js';
import { shareEdits, isLeaderProcess } from './workers.js';
import { handleMessage, type QueryContext } from './query/handle.js';
import { FastPath } from './query/fast/fast-path.js';
import { RRsetWireCache } from './wire/rr-wire.js';
import { batchedUdp } from './net/udp-batch.js';
import { listenUdp, resolveUdpIo, receiveBufferShort, receiveBufferWarning, type UdpIoChoice, type UdpListener } from './net/udp.js';
import { listenTcp, DEFAULT_TCP_LIMITS, type TcpListener } from './net/tcp.js';
import { formatAddress, type ListenAddress } from './net/address.js';
import type { Logger } from './log.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { XfrService } from './xfr/service.js';
import { Notifier, type NotifyOptions } from './xfr/notify.js';
import { Journal, DEFAULT_JOURNAL_LIMITS, type JournalLimits } from './xfr/journal.js';
import { SignatureRefresher, type RefreshOptions } from './xfr/refresh.js';
import { Metrics } from './metrics.js';
import { buildApi } from './admin/app.js';
import { startBackgroundSigning } from './background-signing.js';
import { startHeapPolicy } from './heap-policy.js';

export interface ServeOptions {
  db: string;
  dns: ListenAddress[];
  log: Logger;
  /** Where the admin API listens (port 0: any free port); absent: no API. */
  api?: ListenAddress;
  /** How often to look for commits made by other processes (CLI imports). */
  pollMs?: number;
  /** TCP idle timeout (RFC 7766 §6.2.3); default DEFAULT_TCP_LIMITS.idleTimeoutMs. */
  tcpIdleMs?: number;
  /** The clock, unix seconds; defaults to the system clock (plus the hidden test offset below). */
  now?: () => number;
  notify?: NotifyOptions;
  journal?: Partial<JournalLimits>;
  refresh?: RefreshOptions;
  /** Sign every zone's RRsets and NSEC3 chain in the background after loading (default true). */
  presign?: boolean;
  /** How UDP is read and written (default auto: the batched addon where it is built). */
  udpIo?: UdpIoChoice;
  /** Answer plain queries through the declared fast path (server/query/fast/); default true. */
  fastPath?: boolean;
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
  ctx: QueryContext;
  dnssec: DnssecService;
  notifier: Notifier;
  /** The addresses actually bound (port 0 resolved), UDP and TCP alike. */
  addresses: ListenAddress[];
  /** The admin API address actually bound, when it runs. */
  apiAddress?: ListenAddress;
  metrics: Metrics;
  /** The UDP listeners, one per --dns address. */
  udp: UdpListener[];
  close(): Promise<void>;
}

export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const store = new Store(opts.db);
  const zones = new Registry(store, opts.log);
  // Subscribe before the first load so every zone gets its signer.
  const dnssec = new DnssecService(zones, new SqliteKeyStore(store), opts.log);
  const now = opts.now ?? systemClock();
  const xs = new XfrStore(store);
  // Every change of a zone (edit, reload by another process, startup load) tells its secondaries (RFC 1996).
  // TSIG time is checked by the peer against its own clock (RFC 8945 §5.2.3): always the wall clock.
  const wallClock = () => Math.floor(Date.now() / 1000);
  const notifier = new Notifier(store, xs, opts.log, wallClock, opts.notify);
  let listening = false;
  // With --workers, each change reaches every worker: the one that made an edit notifies, and
  // whole reloads (another process's commit, seen by all) are notified by the leader only.
  const leader = isLeaderProcess();
  zones.onChange((e) => { if (listening && e.zone && (e.local || (!e.delta && leader))) notifier.notifyZone(e.apex, e.zone.soa); });
  const journal = new Journal(store, xs, zones, dnssec, now, opts.log, { ...DEFAULT_JOURNAL_LIMITS, ...opts.journal });
  const xfr = new XfrService({ store, xs, zones, dnssec, log: opts.log, now, tsigNow: wallClock, journal });
  const refresher = new SignatureRefresher(store, xs, zones, dnssec, journal, now, opts.log, opts.refresh);
  zones.sync();
  // With --workers, siblings apply each other's edits (a no-op in a single process).
  shareEdits(zones, (apex, name, type) => name === apex && APEX_DERIVED.has(type));
  const metrics = new Metrics();
  const ctx: QueryContext = {
    zones, dnssec, now, special: xfr.special, wire: new RRsetWireCache(), observe: metrics.observe,
    fastPath: opts.fastPath === false ? undefined : new FastPath(),
  };
  // Admin edits run in this process, through zones/update.ts, so the next query already sees them.
  const api = opts.api ? buildApi({ store, zones, dnssec, metrics, log: opts.log }) : undefined;
  let apiAddress: ListenAddress | undefined;
  opts.log(ctx.fastPath ? 'query: fast path on (reply cache, ready NXDOMAIN and wildcard replies)' : 'query: fast path off: every query takes the full path');
  const udpIo = resolveUdpIo(opts.udpIo ?? 'auto');
  opts.log(udpIo === 'batch' ? 'udp: batched I/O (recvmmsg/sendmmsg)'
    : `udp: node:dgram${opts.udpIo === 'dgram' ? '' : ` (batched I/O unavailable: ${batchedUdp.reason})`}`);
  const udps: UdpListener[] = [];
  const tcps: TcpListener[] = [];
  const addresses: ListenAddress[] = [];
  try {
    for (const a of opts.dns) {
      // Bind TCP first so port 0 picks one free port that UDP then shares.
      const tcp = await listenTcp(a, (msg, responder) => handleMessage(ctx, msg, responder), opts.log, { ...DEFAULT_TCP_LIMITS, idleTimeoutMs: opts.tcpIdleMs ?? DEFAULT_TCP_LIMITS.idleTimeoutMs });
      const bound = { host: a.host, port: tcp.port };
      tcps.push(tcp);
      const udp = await listenUdp(bound, (msg, responder) => handleMessage(ctx, msg, responder), opts.log, udpIo);
      udps.push(udp);
      if (receiveBufferShort(udp)) opts.log(receiveBufferWarning(udp));
      addresses.push(bound);
      opts.log(`dns: listening on ${formatAddress(bound)} (udp, tcp)`);
    }
    if (api && opts.api) {
      await api.listen({ host: opts.api.host, port: opts.api.port });
      const a = api.server.address();
      apiAddress = { host: opts.api.host, port: typeof a === 'object' && a ? a.port : opts.api.port };
      opts.log(`api: listening on http://${formatAddress(apiAddress)}`);
    }
  } catch (err) {
    notifier.close();
    for (const s of udps) void s.close();
    for (const s of tcps) void s.close();
    await api?.close();
    store.close();
    throw err;
  }
  // Once we can answer the secondaries' SOA queries and transfers, tell them what we serve.
  listening = true;
  if (leader) {
    for (const apex of zones.apexes()) notifier.notifyZone(apex, zones.get(apex)!.soa);
    // One re-signer for all workers: each bump is an edit that the others then apply.
    refresher.start();
  }
  const stopSigning = (opts.presign ?? true) ? startBackgroundSigning(dnssec, now, opts.log) : () => {};
  // After loading, so the first look sees the zones' live heap.
  const stopHeapPolicy = startHeapPolicy(opts.log);
  const timer = setInterval(() => {
    try { zones.syncIfChanged(); } catch (err) { opts.log(`zone reload failed: ${(err as Error).message}`); }
  }, opts.pollMs ?? 250);
  timer.unref();
  opts.log(`serving ${zones.apexes().length} zone(s) from ${opts.db}`);
  return {
    store, zones, ctx, dnssec, notifier, addresses, apiAddress, metrics, udp: udps,
    async close() {
      clearInterval(timer);
      stopSigning();
      stopHeapPolicy();
      refresher.stop();
      notifier.close();
      await Promise.all([
        api?.close(),
        ...udps.map((s) => s.close()),
        ...tcps.map((s) => s.close()),
      ]);
      store.close();
    },
  };
}
