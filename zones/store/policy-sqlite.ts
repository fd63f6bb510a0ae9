// SQL for DNS UPDATE policies: which RRsets of a zone each TSIG key may change. SQL only.
import type { Store } from './sqlite.js';

export interface PolicyRow {
  id: number;
  zone_id: number;
  /** The zone's name, joined in for listing. */
  zone: string;
  key_name: string;
  name: string;
  subtree: number;
  /** JSON array of type mnemonics; [] = any type but SOA, apex NS and DNSSEC. */
  types: string;
  created_at: number;
}

export class PolicyStore {
  private readonly s;

  constructor(readonly store: Store) {
    const db = store.db;
    const select = 'SELECT p.id, p.zone_id, z.name AS zone, p.key_name, p.name, p.subtree, p.types, p.created_at FROM update_policies p JOIN zones z ON z.id = p.zone_id';
    this.s = {
      all: db.prepare<[], PolicyRow>(`${select} ORDER BY z.name, p.id`),
      ofZone: db.prepare<[string], PolicyRow>(`${select} WHERE z.name = ? ORDER BY p.id`),
      forKey: db.prepare<[string, string], PolicyRow>(`${select} WHERE z.name = ? AND p.key_name = ? ORDER BY p.id`),
      byId: db.prepare<[number], PolicyRow>(`${select} WHERE p.id = ?`),
      add: db.prepare('INSERT INTO update_policies (zone_id, key_name, name, subtree, types, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM update_policies WHERE id = ?'),
      keyUses: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM update_policies WHERE key_name = ?'),
    };
  }

  policies(zone?: string): PolicyRow[] { return zone === undefined ? this.s.all.all() : this.s.ofZone.all(zone); }
  forKey(zone: string, keyName: string): PolicyRow[] { return this.s.forKey.all(zone, keyName); }
  policy(id: number): PolicyRow | undefined { return this.s.byId.get(id); }
  add(zoneId: number, keyName: string, name: string, subtree: boolean, types: string[], now: number): number {
    return Number(this.s.add.run(zoneId, keyName, name, subtree ? 1 : 0, JSON.stringify(types), now).lastInsertRowid);
  }
  remove(id: number): boolean { return this.s.remove.run(id).changes > 0; }
  /** Policies that name this key (a key still in use is not deleted). */
  keyUses(keyName: string): number { return this.s.keyUses.get(keyName)!.n; }
}
