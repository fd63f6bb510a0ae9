// The zones a process holds and the one pipeline that changes them, wired the same for `serve`, the CLI and the tests.
import type { Store } from '../zones/store/sqlite.js';
import { XfrStore } from '../zones/store/xfr-sqlite.js';
import { Registry } from '../zones/registry.js';
import { CommitPipeline, type JournalLimits } from '../zones/commit.js';
import { DnssecService, type DnssecOptions } from '../signer/service.js';
import { SqliteKeyStore } from '../signer/keystore-sqlite.js';
import { Journal } from './xfr/journal.js';
import { WriteGuard } from './rollover/guard.js';
import type { CheckEvent } from './checks/types.js';

export interface ZoneHost {
  store: Store;
  xs: XfrStore;
  /** The zones held in memory: what the query path answers from. */
  zones: Registry;
  /** Signers of the signed zones (the pipeline's derived data). */
  dnssec: DnssecService;
  /** The one way zones change. */
  pipeline: CommitPipeline;
  /** The IXFR journal as transfers read it. */
  journal: Journal;
}

export interface HostOptions {
  /** A serving process holds every stored zone (loaded here); the CLI loads a zone only to edit it. */
  serving: boolean;
  /** The clock, unix seconds. */
  now: () => number;
  log?: (m: string) => void;
  dnssec?: DnssecOptions;
  journal?: Partial<JournalLimits>;
  /** Told of each event the write guard raises (the event hook, metrics). */
  onEvent?: (e: CheckEvent) => void;
  /** Records one zone may hold; default DANEPRIME_MAX_ZONE_RECORDS, else DEFAULT_MAX_ZONE_RECORDS. */
  maxZoneRecords?: number;
}

/** DANEPRIME_MAX_ZONE_RECORDS (which `serve --max-zone-records` sets for its workers), checked. */
export function maxZoneRecordsFromEnv(): number | undefined {
  const v = process.env.DANEPRIME_MAX_ZONE_RECORDS;
  if (v === undefined || v === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(v)) throw new Error(`bad DANEPRIME_MAX_ZONE_RECORDS ${JSON.stringify(v)}: expected a number of records > 0`);
  return Number(v);
}

export function hostZones(store: Store, opts: HostOptions): ZoneHost {
  const xs = new XfrStore(store);
  const zones = new Registry();
  const dnssec = new DnssecService(new SqliteKeyStore(store), opts.log, opts.dnssec);
  // Every writer's commits pass the write guard: the CLI's as well as a server's.
  const guard = new WriteGuard({ store, log: opts.log, onEvent: opts.onEvent });
  const pipeline = new CommitPipeline({ store, xs, zones, deriver: dnssec, now: opts.now, log: opts.log, journal: opts.journal, 
    maxZoneRecords: opts.maxZoneRecords ?? maxZoneRecordsFromEnv(), serving: opts.serving, guard });
  if (opts.serving) pipeline.catchUpAll();
  return { store, xs, zones, dnssec, pipeline, journal: new Journal(store, xs) };
}
