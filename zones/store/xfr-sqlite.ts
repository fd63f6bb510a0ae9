// SQL for zone transfers: TSIG keys, secondaries per zone, the IXFR journal. SQL only.
import type { Store } from './sqlite.js';

export type TsigAlgorithm = 'hmac-md5' | 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

/** A TSIG key row. `secret` is for signing only: never print (except once, at creation), log or return it. */
export interface TsigKeyRow {
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
  created_at: number;
}

export interface SecondaryRow {
  id: number;
  zone_id: number;
  address: string;
  port: number;
  tsig_key_name: string | null;
  created_at: number;
}

export interface JournalRow {
  id: number;
  serial_from: number;
  serial_to: number;
  at: number;
  /** JSON [[name, type, ttl, rdata-base64], ...]; null for a step that changed the whole zone (a secondary needs it whole). */
  removed: string | null;
  added: string | null;
}

export class XfrStore {
  private readonly s;

  constructor(readonly store: Store) {
    const db = store.db;
    this.s = {
      keys: db.prepare<[], TsigKeyRow>('SELECT name, algorithm, secret, created_at FROM tsig_keys ORDER BY name'),
      key: db.prepare<[string], TsigKeyRow>('SELECT name, algorithm, secret, created_at FROM tsig_keys WHERE name = ?'),
      addKey: db.prepare('INSERT INTO tsig_keys (name, algorithm, secret, created_at) VALUES (?, ?, ?, ?)'),
      delKey: db.prepare('DELETE FROM tsig_keys WHERE name = ?'),
      keyUses: db.prepare<[string, string], { n: number }>(
        'SELECT (SELECT count(*) FROM secondaries WHERE tsig_key_name = ?) + (SELECT count(*) FROM update_policies WHERE key_name = ?) AS n'),
      secondaries: db.prepare<[number], SecondaryRow>('SELECT * FROM secondaries WHERE zone_id = ? ORDER BY id'),
      addSecondary: db.prepare('INSERT INTO secondaries (zone_id, address, port, tsig_key_name, created_at) VALUES (?, ?, ?, ?, ?) '
        + 'ON CONFLICT (zone_id, address, port) DO UPDATE SET tsig_key_name = excluded.tsig_key_name'),
      delSecondary: db.prepare('DELETE FROM secondaries WHERE zone_id = ? AND address = ? AND port = ?'),
      journalAdd: db.prepare("INSERT INTO journal (zone_id, serial_from, serial_to, at, epoch, removed, added, bytes) VALUES (?, ?, ?, ?, '', ?, ?, ?)"),
      journalFrom: db.prepare<[number, number], JournalRow>(
        'SELECT id, serial_from, serial_to, at, removed, added FROM journal WHERE zone_id = ? AND id >= ? ORDER BY id'),
      journalStart: db.prepare<[number, number], { id: number }>(
        'SELECT id FROM journal WHERE zone_id = ? AND serial_from = ? ORDER BY id DESC LIMIT 1'),
      journalStats: db.prepare<[number], { n: number; bytes: number | null }>('SELECT count(*) AS n, sum(bytes) AS bytes FROM journal WHERE zone_id = ?'),
      journalOldest: db.prepare('DELETE FROM journal WHERE id = (SELECT min(id) FROM journal WHERE zone_id = ?)'),
      journalBefore: db.prepare('DELETE FROM journal WHERE zone_id = ? AND at < ?'),
    };
  }

  tsigKeys(): TsigKeyRow[] { return this.s.keys.all(); }
  tsigKey(name: string): TsigKeyRow | undefined { return this.s.key.get(name); }
  addTsigKey(name: string, algorithm: TsigAlgorithm, secret: Buffer, now: number): void {
    this.s.addKey.run(name, algorithm, secret, now);
  }
  /** Deletes a key unless a secondary or an update policy still names it; returns 'in_use' | 'missing' | 'deleted'. */
  deleteTsigKey(name: string): 'in_use' | 'missing' | 'deleted' {
    return this.store.transaction(() => {
      if (this.s.keyUses.get(name, name)!.n > 0) return 'in_use';
      return this.s.delKey.run(name).changes ? 'deleted' : 'missing';
    });
  }

  secondaries(zoneId: number): SecondaryRow[] { return this.s.secondaries.all(zoneId); }
  addSecondary(zoneId: number, address: string, port: number, key: string | null, now: number): void {
    this.s.addSecondary.run(zoneId, address, port, key, now);
  }
  removeSecondary(zoneId: number, address: string, port: number): boolean {
    return this.s.delSecondary.run(zoneId, address, port).changes > 0;
  }

  /** Append a step; returns its id and size in bytes. */
  addJournal(zoneId: number, e: Omit<JournalRow, 'id'>): { id: number; bytes: number } {
    const bytes = (e.removed?.length ?? 0) + (e.added?.length ?? 0);
    return { id: Number(this.s.journalAdd.run(zoneId, e.serial_from, e.serial_to, e.at, e.removed, e.added, bytes).lastInsertRowid), bytes };
  }
  /** The journal steps from the newest one that starts at `serial`, oldest first (lazily). */
  *journalFrom(zoneId: number, serial: number): Iterable<JournalRow> {
    const start = this.s.journalStart.get(zoneId, serial >>> 0);
    if (start) yield* this.s.journalFrom.iterate(zoneId, start.id);
  }
  /** Keep at most `maxEntries` steps and `maxBytes` of diff, none older than `minAt` (inside the commit's transaction). */
  pruneJournal(zoneId: number, limits: { maxEntries: number; maxBytes: number; minAt: number }): void {
    this.store.transaction(() => {
      this.s.journalBefore.run(zoneId, limits.minAt);
      for (;;) {
        const st = this.s.journalStats.get(zoneId)!;
        if (st.n === 0 || (st.n <= limits.maxEntries && (st.bytes ?? 0) <= limits.maxBytes)) return;
        this.s.journalOldest.run(zoneId);
      }
    });
  }
}
