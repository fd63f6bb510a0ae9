// `daneprime serve` wiring: open the store, load zones, start listeners, watch for commits, shut down cleanly.
import type dgram from 'node:dgram';
import { Store } from '../zones/store/sqlite.js';
import { Registry } from '../zones/registry.js';
import { DnssecService } from '../signer/service.js';
import { SqliteKeyStore } from '../signer/keystore-sqlite.js';
import { APEX_DERIVED } from '../signer/zone-signer.js';
import { shareEdits } from './workers.js';
import { handleMessage, type QueryContext } from './query/handle.js';
import { ResponseCache } from './query/response-cache.js';
import { listenUdp } from './net/udp.js';
import { listenTcp, DEFAULT_TCP_LIMITS, type TcpListener } from './net/tcp.js';
import { formatAddress, type ListenAddress } from './net/address.js';
import type { Logger } from './log.js';

export interface ServeOptions {
  db: string;
  dns: ListenAddress[];
  log: Logger;
  /** How often to look for commits made by other processes (CLI imports). */
  pollMs?: number;
  /** TCP idle timeout (RFC 7766 §6.2.3); default DEFAULT_TCP_LIMITS.idleTimeoutMs. */
  tcpIdleMs?: number;
}

export interface RunningServer {
  store: Store;
  zones: Registry;
  ctx: QueryContext;
  dnssec: DnssecService;
  /** The addresses actually bound (port 0 resolved), UDP and TCP alike. */
  addresses: ListenAddress[];
  close(): Promise<void>;
}

export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const store = new Store(opts.db);
  const zones = new Registry(store, opts.log);
  // Subscribe before the first load so every zone gets its signer.
  const dnssec = new DnssecService(zones, new SqliteKeyStore(store), opts.log);
  zones.sync();
  // With --workers, siblings apply each other's edits (a no-op in a single process).
  shareEdits(zones, (apex, name, type) => name === apex && APEX_DERIVED.has(type));
  const ctx: QueryContext = { zones, dnssec, cache: new ResponseCache() };
  const udps: dgram.Socket[] = [];
  const tcps: TcpListener[] = [];
  const addresses: ListenAddress[] = [];
  try {
    for (const a of opts.dns) {
      // Bind TCP first so port 0 picks one free port that UDP then shares.
      const tcp = await listenTcp(a, (msg, sink) => {
        const reply = handleMessage(ctx, msg, 'tcp', sink.remote);
        if (Buffer.isBuffer(reply)) sink.write(reply);
        else if (Array.isArray(reply)) for (const m of reply) sink.write(m);
      }, opts.log, { ...DEFAULT_TCP_LIMITS, idleTimeoutMs: opts.tcpIdleMs ?? DEFAULT_TCP_LIMITS.idleTimeoutMs });
      const bound = { host: a.host, port: tcp.port };
      tcps.push(tcp);
      udps.push(await listenUdp(bound, (msg, remote) => {
        const reply = handleMessage(ctx, msg, 'udp', remote);
        return Buffer.isBuffer(reply) ? reply : undefined;
      }, opts.log));
      addresses.push(bound);
      opts.log(`dns: listening on ${formatAddress(bound)} (udp, tcp)`);
    }
  } catch (err) {
    for (const s of udps) s.close();
    for (const s of tcps) void s.close();
    store.close();
    throw err;
  }
  const timer = setInterval(() => {
    try { zones.syncIfChanged(); } catch (err) { opts.log(`zone reload failed: ${(err as Error).message}`); }
  }, opts.pollMs ?? 250);
  timer.unref();
  opts.log(`serving ${zones.apexes().length} zone(s) from ${opts.db}`);
  return {
    store, zones, ctx, dnssec, addresses,
    async close() {
      clearInterval(timer);
      await Promise.all([
        ...udps.map((s) => new Promise<void>((r) => s.close(() => r()))),
        ...tcps.map((s) => s.close()),
      ]);
      store.close();
    },
  };
}
