// SQL for live service checks: services, their check history, fingerprints per endpoint, record matches and events. SQL only.
import type { Store } from './sqlite.js';

export interface ServiceRow {
  id: number;
  zone_id: number;
  /** The zone's name, joined in. */
  zone: string;
  name: string;
  starttls: string;
  /** JSON array of "ADDR:PORT". */
  connect: string;
  sni: string | null;
  domain: string | null;
  own_addresses_only: number;
  created_at: number;
  /** The last check's time and verdict, joined in (null before the first). */
  last_at: number | null;
  last_verdict: string | null;
}

export type NewService = Pick<ServiceRow, 'zone_id' | 'name' | 'starttls' | 'connect' | 'sni' | 'domain' | 'own_addresses_only' | 'created_at'>;

export interface CheckRow { id: number; service_id: number; at: number; verdict: string; result: string }

export interface FingerprintRow {
  endpoint: string; cert_sha256: string; spki_sha256: string; first_seen: number; last_seen: number;
  /** The chain as the endpoint sent it when last seen, PEM, leaf first (null: seen before it was kept). */
  chain: string | null;
}

export interface RecordSeenRow { record: string; first_seen: number; last_matched: number | null }

export interface EventRow { id: number; at: number; zone: string; service: string; endpoint: string | null; level: string; kind: string; message: string }

/** Checks kept per service; fingerprints kept per endpoint; events kept in all. */
export const CHECK_HISTORY = 20;
export const FINGERPRINT_HISTORY = 20;
export const EVENT_HISTORY = 10_000;

export class CheckStore {
  private readonly s;

  constructor(readonly store: Store) {
    const db = store.db;
    const select = `SELECT s.*, z.name AS zone,
        (SELECT at FROM service_checks c WHERE c.service_id = s.id ORDER BY c.id DESC LIMIT 1) AS last_at,
        (SELECT verdict FROM service_checks c WHERE c.service_id = s.id ORDER BY c.id DESC LIMIT 1) AS last_verdict
      FROM services s JOIN zones z ON z.id = s.zone_id`;
    this.s = {
      all: db.prepare<[], ServiceRow>(`${select} ORDER BY z.name, s.name`),
      ofZone: db.prepare<[string], ServiceRow>(`${select} WHERE z.name = ? ORDER BY s.name`),
      byName: db.prepare<[string], ServiceRow>(`${select} WHERE s.name = ?`),
      byId: db.prepare<[number], ServiceRow>(`${select} WHERE s.id = ?`),
      add: db.prepare('INSERT INTO services (zone_id, name, starttls, connect, sni, domain, own_addresses_only, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM services WHERE name = ?'),
      addCheck: db.prepare('INSERT INTO service_checks (service_id, at, verdict, result) VALUES (?, ?, ?, ?)'),
      pruneChecks: db.prepare(`DELETE FROM service_checks WHERE service_id = ? AND id <= (
        SELECT id FROM service_checks WHERE service_id = ? ORDER BY id DESC LIMIT 1 OFFSET ${CHECK_HISTORY})`),
      checks: db.prepare<[number, number], CheckRow>('SELECT * FROM service_checks WHERE service_id = ? ORDER BY id DESC LIMIT ?'),
      lastFingerprint: db.prepare<[number, string], FingerprintRow>(
        'SELECT * FROM service_fingerprints WHERE service_id = ? AND endpoint = ? ORDER BY last_seen DESC, rowid DESC LIMIT 1'),
      seeFingerprint: db.prepare(`INSERT INTO service_fingerprints (service_id, endpoint, cert_sha256, spki_sha256, first_seen, last_seen, chain) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (service_id, endpoint, cert_sha256) DO UPDATE SET last_seen = excluded.last_seen, chain = excluded.chain`),
      pruneFingerprints: db.prepare(`DELETE FROM service_fingerprints WHERE service_id = ? AND endpoint = ? AND rowid NOT IN (
        SELECT rowid FROM service_fingerprints WHERE service_id = ? AND endpoint = ? ORDER BY last_seen DESC LIMIT ${FINGERPRINT_HISTORY})`),
      fingerprints: db.prepare<[number], FingerprintRow>('SELECT * FROM service_fingerprints WHERE service_id = ? ORDER BY endpoint, last_seen DESC'),
      records: db.prepare<[number], RecordSeenRow>('SELECT record, first_seen, last_matched FROM service_records WHERE service_id = ?'),
      seeRecord: db.prepare('INSERT INTO service_records (service_id, record, first_seen, last_matched) VALUES (?, ?, ?, ?) ON CONFLICT (service_id, record) DO UPDATE SET last_matched = COALESCE(excluded.last_matched, last_matched)'),
      dropRecord: db.prepare('DELETE FROM service_records WHERE service_id = ? AND record = ?'),
      addEvent: db.prepare('INSERT INTO check_events (at, zone, service, endpoint, level, kind, message) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      pruneEvents: db.prepare(`DELETE FROM check_events WHERE id <= (SELECT id FROM check_events ORDER BY id DESC LIMIT 1 OFFSET ${EVENT_HISTORY})`),
      events: db.prepare<[string | null, string | null, string | null, string | null, number, number], EventRow>(
        'SELECT * FROM check_events WHERE (? IS NULL OR zone = ?) AND (? IS NULL OR service = ?) AND id < ? ORDER BY id DESC LIMIT ?'),
    };
  }

  services(zone?: string): ServiceRow[] { return zone === undefined ? this.s.all.all() : this.s.ofZone.all(zone); }
  service(name: string): ServiceRow | undefined { return this.s.byName.get(name); }
  serviceById(id: number): ServiceRow | undefined { return this.s.byId.get(id); }

  /** Add a service; false when one with that name exists. */
  add(s: NewService): boolean {
    try {
      this.s.add.run(s.zone_id, s.name, s.starttls, s.connect, s.sni, s.domain, s.own_addresses_only, s.created_at);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw err;
    }
  }

  remove(name: string): boolean { return this.s.remove.run(name).changes > 0; }

  checks(serviceId: number, limit: number): CheckRow[] { return this.s.checks.all(serviceId, limit); }

  lastFingerprint(serviceId: number, endpoint: string): FingerprintRow | undefined { return this.s.lastFingerprint.get(serviceId, endpoint); }
  fingerprints(serviceId: number): FingerprintRow[] { return this.s.fingerprints.all(serviceId); }
  recordsSeen(serviceId: number): RecordSeenRow[] { return this.s.records.all(serviceId); }

  /** One check's results, in one transaction: the check (history bounded), fingerprints seen, records matched, events. */
  saveCheck(c: {
    serviceId: number; at: number; verdict: string; result: string;
    fingerprints: { endpoint: string; cert: string; spki: string; chain: string }[];
    records: { record: string; matched: boolean }[];
    dropRecords: string[];
    events: Omit<EventRow, 'id'>[];
  }): void {
    this.store.transaction(() => {
      // A service removed while its probe ran: nothing to keep.
      if (!this.s.byId.get(c.serviceId)) return;
      this.s.addCheck.run(c.serviceId, c.at, c.verdict, c.result);
      this.s.pruneChecks.run(c.serviceId, c.serviceId);
      for (const f of c.fingerprints) {
        this.s.seeFingerprint.run(c.serviceId, f.endpoint, f.cert, f.spki, c.at, c.at, f.chain);
        this.s.pruneFingerprints.run(c.serviceId, f.endpoint, c.serviceId, f.endpoint);
      }
      for (const r of c.records) this.s.seeRecord.run(c.serviceId, r.record, c.at, r.matched ? c.at : null);
      for (const r of c.dropRecords) this.s.dropRecord.run(c.serviceId, r);
      for (const e of c.events) this.s.addEvent.run(e.at, e.zone, e.service, e.endpoint, e.level, e.kind, e.message);
      if (c.events.length) this.s.pruneEvents.run();
    });
  }

  /** One event raised outside a check (a secondary that lags or refuses), kept with the checks' events. */
  addEvent(e: Omit<EventRow, 'id'>): void {
    this.store.transaction(() => {
      this.s.addEvent.run(e.at, e.zone, e.service, e.endpoint, e.level, e.kind, e.message);
      this.s.pruneEvents.run();
    });
  }

  /** Events, newest first, optionally of one zone and/or service, with ids below `beforeId` (paging). */
  events(o: { zone?: string; service?: string; limit: number; beforeId?: number }): EventRow[] {
    const z = o.zone ?? null, s = o.service ?? null;
    return this.s.events.all(z, z, s, s, o.beforeId ?? Number.MAX_SAFE_INTEGER, o.limit);
  }
}
