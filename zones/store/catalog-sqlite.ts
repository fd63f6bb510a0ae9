// SQL for catalog zones (RFC 9432): which hosted zones are catalogs, and their members with labels and groups. SQL only.
import type { Store } from './sqlite.js';

export interface CatalogRow {
  zone_id: number;
  name: string;
  members: number;
}

export interface MemberRow {
  catalog_id: number;
  /** The catalog zone's name. */
  catalog: string;
  member_id: number;
  /** The member zone's name. */
  member: string;
  label: string;
  grp: string | null;
  added_at: number;
}

const perStore = new WeakMap<Store, CatalogStore>();

export class CatalogStore {
  private readonly s;

  /** The one CatalogStore of a store (its statements prepared once). */
  static of(store: Store): CatalogStore {
    let cs = perStore.get(store);
    if (!cs) perStore.set(store, (cs = new CatalogStore(store)));
    return cs;
  }

  constructor(readonly store: Store) {
    const db = store.db;
    const members = `SELECT m.catalog_id, c.name AS catalog, m.member_id, z.name AS member, m.label, m.grp, m.added_at
      FROM catalog_members m JOIN zones c ON c.id = m.catalog_id JOIN zones z ON z.id = m.member_id`;
    this.s = {
      isCatalog: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM catalogs WHERE zone_id = ?'),
      mark: db.prepare('INSERT INTO catalogs (zone_id) VALUES (?)'),
      catalogs: db.prepare<[], CatalogRow>(`SELECT c.zone_id, z.name, (SELECT count(*) FROM catalog_members m WHERE m.catalog_id = c.zone_id) AS members
        FROM catalogs c JOIN zones z ON z.id = c.zone_id ORDER BY z.name`),
      members: db.prepare<[number], MemberRow>(`${members} WHERE m.catalog_id = ? ORDER BY z.name`),
      membership: db.prepare<[number], MemberRow>(`${members} WHERE m.member_id = ?`),
      labelTaken: db.prepare<[number, string], { n: number }>('SELECT count(*) AS n FROM catalog_members WHERE catalog_id = ? AND label = ?'),
      add: db.prepare('INSERT INTO catalog_members (catalog_id, member_id, label, grp, added_at) VALUES (?, ?, ?, ?, ?)'),
      setGroup: db.prepare('UPDATE catalog_members SET grp = ? WHERE member_id = ?'),
      remove: db.prepare('DELETE FROM catalog_members WHERE member_id = ?'),
    };
  }

  isCatalog(zoneId: number): boolean { return this.s.isCatalog.get(zoneId)!.n > 0; }
  markCatalog(zoneId: number): void { this.s.mark.run(zoneId); }
  catalogs(): CatalogRow[] { return this.s.catalogs.all(); }
  members(catalogId: number): MemberRow[] { return this.s.members.all(catalogId); }
  /** The catalog a zone is a member of, if any. */
  membership(memberId: number): MemberRow | undefined { return this.s.membership.get(memberId); }
  labelTaken(catalogId: number, label: string): boolean { return this.s.labelTaken.get(catalogId, label)!.n > 0; }
  addMember(catalogId: number, memberId: number, label: string, group: string | null, now: number): void {
    this.s.add.run(catalogId, memberId, label, group, now);
  }
  setGroup(memberId: number, group: string | null): void { this.s.setGroup.run(group, memberId); }
  removeMember(memberId: number): void { this.s.remove.run(memberId); }
}
