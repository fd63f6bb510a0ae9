// SQL for TLSA rollovers: one row per service with a rollover under way (or finished: steady). SQL only.
import type { Store } from './sqlite.js';

export type RolloverState = 'steady' | 'publishing' | 'holding' | 'ready' | 'verifying' | 'retiring';

export interface RolloverRow {
  service_id: number;
  state: RolloverState;
  /** Milliseconds since the epoch, like every time here. */
  since: number;
  /** JSON arrays of presentation-form records. */
  current: string;
  next: string;
  serial: number | null;
  committed_at: number | null;
  max_ttl: number;
  negative_ttl: number;
  t_vis: number | null;
  ready_at: number | null;
  premature: number;
  /** JSON: [{address, serial, servesNext}] as last asked. */
  secondaries: string;
  started_at: number;
}

const perStore = new WeakMap<Store, RolloverStore>();

export class RolloverStore {
  private readonly s;

  static of(store: Store): RolloverStore {
    let rs = perStore.get(store);
    if (!rs) perStore.set(store, (rs = new RolloverStore(store)));
    return rs;
  }

  constructor(readonly store: Store) {
    const db = store.db;
    this.s = {
      one: db.prepare<[number], RolloverRow>('SELECT * FROM service_rollovers WHERE service_id = ?'),
      active: db.prepare<[], RolloverRow>("SELECT * FROM service_rollovers WHERE state <> 'steady' ORDER BY service_id"),
      put: db.prepare(`INSERT INTO service_rollovers (service_id, state, since, current, next, serial, committed_at, max_ttl, negative_ttl, t_vis, ready_at, premature, secondaries, started_at)
        VALUES (@service_id, @state, @since, @current, @next, @serial, @committed_at, @max_ttl, @negative_ttl, @t_vis, @ready_at, @premature, @secondaries, @started_at)
        ON CONFLICT (service_id) DO UPDATE SET state = excluded.state, since = excluded.since, current = excluded.current, next = excluded.next,
          serial = excluded.serial, committed_at = excluded.committed_at, max_ttl = excluded.max_ttl, negative_ttl = excluded.negative_ttl,
          t_vis = excluded.t_vis, ready_at = excluded.ready_at, premature = excluded.premature, secondaries = excluded.secondaries, started_at = excluded.started_at`),
      remove: db.prepare('DELETE FROM service_rollovers WHERE service_id = ?'),
    };
  }

  one(serviceId: number): RolloverRow | undefined { return this.s.one.get(serviceId); }
  active(): RolloverRow[] { return this.s.active.all(); }
  put(row: RolloverRow): void { this.s.put.run(row); }
  remove(serviceId: number): void { this.s.remove.run(serviceId); }

  /**
   * Move a row from the state it was read in to a new one; false when another process moved it
   * first (the write lock makes the compare and the write one step).
   */
  advance(before: RolloverRow, after: RolloverRow): boolean {
    return this.store.transaction(() => {
      const now = this.s.one.get(before.service_id);
      if (!now || now.state !== before.state || now.since !== before.since) return false;
      this.s.put.run(after);
      return true;
    });
  }
}
