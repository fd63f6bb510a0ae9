// SQL for what each secondary serves, as last asked: serial, state, when it answered, since when it is behind. SQL only.
import type { Store } from './sqlite.js';

export type SecondaryState = 'current' | 'behind' | 'refused' | 'unreachable';

export interface SecondaryStatusRow {
  zone_id: number;
  address: string;
  port: number;
  state: SecondaryState;
  serial: number | null;
  last_answer: number | null;
  checked_at: number;
  behind_since: number | null;
  detail: string;
}

const perStore = new WeakMap<Store, SecondaryStatusStore>();

export class SecondaryStatusStore {
  private readonly s;

  static of(store: Store): SecondaryStatusStore {
    let ss = perStore.get(store);
    if (!ss) perStore.set(store, (ss = new SecondaryStatusStore(store)));
    return ss;
  }

  constructor(readonly store: Store) {
    const db = store.db;
    this.s = {
      ofZone: db.prepare<[number], SecondaryStatusRow>('SELECT * FROM secondary_status WHERE zone_id = ?'),
      one: db.prepare<[number, string, number], SecondaryStatusRow>('SELECT * FROM secondary_status WHERE zone_id = ? AND address = ? AND port = ?'),
      put: db.prepare(`INSERT INTO secondary_status (zone_id, address, port, state, serial, last_answer, checked_at, behind_since, detail)
        VALUES (@zone_id, @address, @port, @state, @serial, @last_answer, @checked_at, @behind_since, @detail)
        ON CONFLICT (zone_id, address, port) DO UPDATE SET state = excluded.state, serial = excluded.serial, last_answer = excluded.last_answer,
          checked_at = excluded.checked_at, behind_since = excluded.behind_since, detail = excluded.detail`),
    };
  }

  ofZone(zoneId: number): SecondaryStatusRow[] { return this.s.ofZone.all(zoneId); }
  one(zoneId: number, address: string, port: number): SecondaryStatusRow | undefined { return this.s.one.get(zoneId, address, port); }
  put(row: SecondaryStatusRow): void { this.s.put.run(row); }
}
