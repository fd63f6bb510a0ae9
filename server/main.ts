// `daneprime serve` wiring: open the store, load zones, start listeners, watch for commits, shut down cleanly.
import type dgram from 'node:dgram';
import { Store } from '../zones/store/sqlite.js';
import { Registry } from '../zones/registry.js';
import { DnssecService } from '../signer/service.js';
import { SqliteKeyStore } from '../signer/keystore-sqlite.js';
import { handleMessage, type QueryContext } from './query/handle.js';
import { listenUdp } from './net/udp.js';
import { listenTcp, type TcpListener } from './net/tcp.js';
import { formatAddress, type ListenAddress } from './net/address.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { buildApi } from './admin/app.js';

export interface ServeOptions {
  db: string;
  dns: ListenAddress[];
  log: Logger;
  /** Where the admin API listens (port 0: any free port); absent: no API. */
  api?: ListenAddress;
  /** How often to look for commits made by other processes (CLI imports). */
  pollMs?: number;
}

export interface RunningServer {
  store: Store;
  zones: Registry;
  ctx: QueryContext;
  dnssec: DnssecService;
  /** The addresses actually bound (port 0 resolved), UDP and TCP alike. */
  addresses: ListenAddress[];
  /** The admin API address actually bound, when it runs. */
  apiAddress?: ListenAddress;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const store = new Store(opts.db);
  const zones = new Registry(store, opts.log);
  // Subscribe before the first load so every zone gets its signer.
  const dnssec = new DnssecService(zones, new SqliteKeyStore(store), opts.log);
  zones.sync();
  const metrics = new Metrics();
  const ctx: QueryContext = { zones, dnssec, observe: metrics.observe };
  // Admin edits run in this process, through zones/update.ts, so the next query already sees them.
  const api = opts.api ? buildApi({ store, zones, dnssec, metrics, log: opts.log }) : undefined;
  let apiAddress: ListenAddress | undefined;
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
      }, opts.log);
      const bound = { host: a.host, port: tcp.port };
      tcps.push(tcp);
      udps.push(await listenUdp(bound, (msg, remote) => {
        const reply = handleMessage(ctx, msg, 'udp', remote);
        return Buffer.isBuffer(reply) ? reply : undefined;
      }, opts.log));
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
    for (const s of udps) s.close();
    for (const s of tcps) void s.close();
    await api?.close();
    store.close();
    throw err;
  }
  const timer = setInterval(() => {
    try { zones.syncIfChanged(); } catch (err) { opts.log(`zone reload failed: ${(err as Error).message}`); }
  }, opts.pollMs ?? 250);
  timer.unref();
  opts.log(`serving ${zones.apexes().length} zone(s) from ${opts.db}`);
  return {
    store, zones, ctx, dnssec, addresses, apiAddress, metrics,
    async close() {
      clearInterval(timer);
      await Promise.all([
        api?.close(),
        ...udps.map((s) => new Promise<void>((r) => s.close(() => r()))),
        ...tcps.map((s) => s.close()),
      ]);
      store.close();
    },
  };
}
