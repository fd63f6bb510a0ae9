// A TLSA rollover of one service (RFC 7671 §8): publish the next records, report where it stands, retire the old records. Shared by the CLI, the API and the engine.
import type { Logger } from '../log.js';
import type { Store } from '../../zones/store/sqlite.js';
import { CheckStore, type ServiceRow } from '../../zones/store/checks-sqlite.js';
import { RolloverStore, type RolloverRow, type RolloverState } from '../../zones/store/rollover-sqlite.js';
import { RRType } from '../../zones/model/types.js';
import { soaMinimum } from '../../zones/model/rdata/index.js';
import type { CommitResult, ZoneChange } from '../../zones/commit.js';
import type { Zone } from '../../zones/zone.js';
import { tlsaRecordsAt, hostingZone } from '../checks/zone-data.js';
import { serviceEndpoints } from '../checks/endpoints.js';
import type { CheckEvent, CheckJson, EventLevel } from '../checks/types.js';
import { nextRecords, RolloverError, type NextKeySource } from './records.js';
import type { TlsaRecord } from '../checks/tlsa-match.js';

export { RolloverError, type NextKeySource };

/** What `service status --json` prints and GET …/rollover returns. */
export interface RolloverStatus {
  name: string;
  state: RolloverState;
  /** ISO 8601: when the state was entered (null: steady, never rolled). */
  since: string | null;
  /** ISO 8601: when the next key may be deployed (null until T_vis is known). */
  readyAt: string | null;
  current: string[];
  next: string[];
  secondaries: { address: string; serial: number | null; servesNext: boolean }[];
  /** The serial that published the next records. */
  serial: number | null;
  /** ISO 8601: the first moment every secondary served that serial (the commit time without secondaries). */
  tVis: string | null;
  /** The largest TTL the RRset was served with since the rollover began. */
  maxTtl: number | null;
  negativeTtl: number | null;
  /** An endpoint presented the next key before readyAt. */
  prematureSwitch: boolean;
}

export interface RolloverDeps {
  store: Store;
  /** A commit through the pipeline, in the caller's name (audited). */
  commit: (change: ZoneChange) => CommitResult;
  /** Wall clock, milliseconds. */
  nowMs?: () => number;
  log?: Logger;
  /** Told of each event once it is stored (the event hook, metrics). */
  onEvent?: (e: CheckEvent) => void;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function serviceOf(store: Store, name: string): ServiceRow {
  const svc = new CheckStore(store).service(name);
  if (!svc) throw new RolloverError(`no service ${name}`, 'name', 404);
  return svc;
}

export function rolloverStatus(store: Store, svc: ServiceRow): RolloverStatus {
  const row = RolloverStore.of(store).one(svc.id);
  if (!row) {
    return {
      name: svc.name, state: 'steady', since: null, readyAt: null, current: tlsaRecordsAt(store, svc.name).map((r) => r.text), next: [], secondaries: [],
      serial: null, tVis: null, maxTtl: null, negativeTtl: null, prematureSwitch: false,
    };
  }
  return {
    name: svc.name, state: row.state, since: iso(row.since), readyAt: iso(row.ready_at), current: JSON.parse(row.current) as string[], next: JSON.parse(row.next) as string[],
    secondaries: JSON.parse(row.secondaries) as RolloverStatus['secondaries'], serial: row.serial, tVis: iso(row.t_vis),
    maxTtl: row.state === 'steady' ? null : row.max_ttl, negativeTtl: row.state === 'steady' ? null : row.negative_ttl, prematureSwitch: row.premature === 1,
  };
}

/** The TTL of the TLSA RRset at `name` as stored (undefined without one). */
export function storedTtl(store: Store, name: string): number | undefined {
  const zone = hostingZone(store, name);
  return zone && store.recordsAt(zone.id, name).find((r) => r.type === RRType.TLSA)?.ttl;
}

/** The zone's negative TTL (RFC 2308 §5: the smaller of the SOA's TTL and its MINIMUM). */
function negativeTtl(store: Store, name: string): number {
  const zone = hostingZone(store, name)!;
  const soa = store.recordsAt(zone.id, zone.name).find((r) => r.type === RRType.SOA)!;
  return Math.min(soa.ttl, soaMinimum(soa.rdata));
}

/** Store an event with the checks' events, log it, tell the hook. */
export function raise(d: Pick<RolloverDeps, 'store' | 'log' | 'onEvent' | 'nowMs'>, svc: ServiceRow, level: EventLevel, kind: string, message: string, endpoint: string | null = null): void {
  const ms = (d.nowMs ?? Date.now)();
  const e: CheckEvent = { time: new Date(ms).toISOString(), level, zone: svc.zone, service: svc.name, endpoint, kind, message };
  new CheckStore(d.store).addEvent({ at: Math.floor(ms / 1000), zone: e.zone, service: e.service, endpoint, level, kind, message });
  d.log?.(`rollover event ${level}: ${svc.name}: ${message}`);
  d.onEvent?.(e);
}

/** A rollover's row as its next records are published, before the commit's serial is known. */
export function publishingRow(store: Store, svc: ServiceRow, current: readonly TlsaRecord[], next: readonly TlsaRecord[], start: number): RolloverRow {
  return {
    service_id: svc.id, state: 'publishing', since: start, current: JSON.stringify(current.map((r) => r.text)), next: JSON.stringify(next.map((r) => r.text)),
    serial: null, committed_at: null, max_ttl: storedTtl(store, svc.name) ?? 0, negative_ttl: current.length ? 0 : negativeTtl(store, svc.name),
    t_vis: null, ready_at: null, premature: 0, secondaries: '[]', started_at: start,
  };
}

/**
 * Publish the next records of `name` and start its rollover: the row is claimed first (a
 * second rollover of the same service is refused, whichever process asks), then one commit
 * adds the records; if the commit fails the claim is undone and nothing changed.
 */
export async function startRollover(d: RolloverDeps, name: string, src: NextKeySource): Promise<RolloverStatus> {
  const nowMs = d.nowMs ?? Date.now;
  const svc = serviceOf(d.store, name);
  const rs = RolloverStore.of(d.store);
  const before = rs.one(svc.id);
  if (before && before.state !== 'steady') throw new RolloverError(`a rollover of ${name} is under way (${before.state})`, 'name', 409);
  const current = tlsaRecordsAt(d.store, name);
  const next = nextRecords(current, src);
  const { endpoints, problem } = await serviceEndpoints(d.store, svc);
  if (!endpoints.length) throw new RolloverError(`${name} has no endpoints${problem ? `: ${problem}` : ''}: nothing could show when the next key is live`, 'name');
  const row = publishingRow(d.store, svc, current, next, nowMs());
  const claimed = d.store.transaction(() => {
    const now = rs.one(svc.id);
    if (now && now.state !== 'steady') return false;
    rs.put(row);
    return true;
  });
  if (!claimed) throw new RolloverError(`a rollover of ${name} is under way`, 'name', 409);
  const zone = hostingZone(d.store, name)!;
  const nextRdata = next.map((r) => Buffer.concat([Buffer.from([r.usage, r.selector, r.matching]), r.data]));
  let res: CommitResult;
  try {
    res = d.commit({
      kind: 'edit', apex: zone.name, action: 'tlsa.next',
      edits: (z: Zone) => {
        const rrset = z.rrset(name, RRType.TLSA);
        const have = rrset?.rdatas ?? [];
        const add = nextRdata.filter((n) => !have.some((h) => h.equals(n)));
        return [{ name, type: RRType.TLSA, ttl: rrset?.ttl, rdatas: [...have, ...add] }];
      },
    });
  } catch (err) {
    d.store.transaction(() => { if (before) rs.put(before); else rs.remove(svc.id); });
    throw err;
  }
  const committedAt = nowMs();
  rs.put({ ...row, serial: res.serial, committed_at: committedAt, max_ttl: Math.max(row.max_ttl, storedTtl(d.store, name) ?? 0) });
  d.log?.(`rollover ${name}: steady → publishing: next records ${next.map((r) => r.text).join(', ')} published in serial ${res.serial}`,
    { event: 'rollover.step', zone: svc.zone, service: name, from: 'steady', to: 'publishing', serial: res.serial, next: next.map((r) => r.text) });
  return rolloverStatus(d.store, svc);
}

/** Does every endpoint of a check present a key the next records name? */
export function everyShowsNext(r: CheckJson, next: readonly string[]): boolean {
  const want = new Set(next);
  return r.endpoints.length > 0 && r.endpoints.every((e) => e.matched.some((m) => want.has(m)));
}

/** The endpoints of a check that present a key the next records name. */
export function showingNext(r: CheckJson, next: readonly string[]): string[] {
  const want = new Set(next);
  return r.endpoints.filter((e) => e.matched.some((m) => want.has(m))).map((e) => e.address);
}

/**
 * Remove the old records (one commit) and make the next set current: `steady`. Refused when
 * the next records are no longer published (the RRset would be left without the key in use).
 */
export function retireOld(d: RolloverDeps, svc: ServiceRow, row: RolloverRow, why: string): RolloverStatus {
  const nowMs = d.nowMs ?? Date.now;
  const rs = RolloverStore.of(d.store);
  const old = new Set(JSON.parse(row.current) as string[]);
  const next = JSON.parse(row.next) as string[];
  const zone = hostingZone(d.store, svc.name)!;
  d.commit({
    kind: 'edit', apex: zone.name, action: 'tlsa.retire',
    edits: (z: Zone) => {
      const rrset = z.rrset(svc.name, RRType.TLSA);
      const text = (rd: Buffer) => `${rd[0]} ${rd[1]} ${rd[2]} ${rd.subarray(3).toString('hex')}`;
      const keep = (rrset?.rdatas ?? []).filter((rd) => !old.has(text(rd)));
      if (!keep.some((rd) => next.includes(text(rd)))) throw new RolloverError(`the next records of ${svc.name} are no longer published: the old ones stay`, 'name', 409);
      return [{ name: svc.name, type: RRType.TLSA, ttl: rrset?.ttl, rdatas: keep }];
    },
  });
  const now = nowMs();
  rs.put({ ...row, state: 'steady', since: now, current: JSON.stringify(next), next: '[]' });
  d.log?.(`rollover ${svc.name}: ${row.state} → steady: old records removed (${why}); current ${next.join(', ')}`,
    { event: 'rollover.step', zone: svc.zone, service: svc.name, from: row.state, to: 'steady', reason: why, current: next });
  raise(d, svc, 'notice', 'rollover-retired', `the old TLSA records (${[...old].join(', ')}) were removed: ${why}; the next records are current`);
  return rolloverStatus(d.store, svc);
}

/**
 * Retire early on request: only when a check made now shows the next key on every endpoint.
 * `check` probes the service (the runner).
 */
export async function retireNow(d: RolloverDeps, name: string, check: (svc: ServiceRow) => Promise<CheckJson>): Promise<RolloverStatus> {
  const svc = serviceOf(d.store, name);
  const rs = RolloverStore.of(d.store);
  const row = rs.one(svc.id);
  if (!row || row.state === 'steady') throw new RolloverError(`no rollover of ${name} is under way`, 'name', 409);
  const next = JSON.parse(row.next) as string[];
  const result = await check(svc);
  if (!everyShowsNext(result, next)) {
    const lagging = result.endpoints.filter((e) => !showingNext(result, next).includes(e.address)).map((e) => `${e.address} (${e.verdict}${e.chain[0] ? `, key SHA-256 ${e.chain[0].spkiSha256}` : ''})`);
    throw new RolloverError(`not every endpoint shows the next key yet: ${lagging.join(', ') || 'no endpoint answered'}; the old records stay until each does`, 'name', 409);
  }
  const now = rs.one(svc.id);
  if (!now || now.state === 'steady') return rolloverStatus(d.store, svc);
  return retireOld(d, svc, now, 'every endpoint shows the next key (retired on request)');
}
