// SQL for per-zone DNSSEC key policies (zone_policy): key lifetimes, the propagation delay, signature validity. SQL only.
import type { Store } from './sqlite.js';

/** A zone's key and signature policy; times in seconds, a lifetime of 0 never rolls. */
export interface KeyPolicy {
  zskLifetime: number;
  kskLifetime: number;
  cskLifetime: number;
  /** Dprp (RFC 7583 §3.2.1): how long a change takes to reach every secondary of this zone and of its parent. */
  propagationDelay: number;
  /** How long a signature is valid from its inception. */
  signatureValidity: number;
  /** Signatures are made anew this long before they expire. */
  refresh: number;
  /** Where to ask for the parent's DS ("ADDR:PORT"); null: the parent's own servers. */
  dsResolver: string | null;
}

/** What a zone without a policy row has: never roll; signatures as the signer always made them (14 days, renewed 7 before). */
export const DEFAULT_KEY_POLICY: KeyPolicy = {
  zskLifetime: 0, kskLifetime: 0, cskLifetime: 0, propagationDelay: 3600, signatureValidity: 14 * 86400, refresh: 7 * 86400, dsResolver: null,
};

interface PolicySqlRow {
  zone_id: number; zsk_lifetime: number; ksk_lifetime: number; csk_lifetime: number;
  propagation_delay: number; signature_validity: number; refresh: number; ds_resolver: string | null; updated_at: number;
}

const perStore = new WeakMap<Store, KeyPolicyStore>();

export class KeyPolicyStore {
  private readonly s;

  static of(store: Store): KeyPolicyStore {
    let ps = perStore.get(store);
    if (!ps) perStore.set(store, (ps = new KeyPolicyStore(store)));
    return ps;
  }

  constructor(readonly store: Store) {
    const db = store.db;
    this.s = {
      one: db.prepare<[number], PolicySqlRow>('SELECT * FROM zone_policy WHERE zone_id = ?'),
      put: db.prepare(`INSERT INTO zone_policy (zone_id, zsk_lifetime, ksk_lifetime, csk_lifetime, propagation_delay, signature_validity, refresh, ds_resolver, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(zone_id) DO UPDATE SET zsk_lifetime = excluded.zsk_lifetime, ksk_lifetime = excluded.ksk_lifetime,
        csk_lifetime = excluded.csk_lifetime, propagation_delay = excluded.propagation_delay, signature_validity = excluded.signature_validity,
        refresh = excluded.refresh, ds_resolver = excluded.ds_resolver, updated_at = excluded.updated_at`),
      rolling: db.prepare<[], { name: string }>(`SELECT z.name FROM zones z WHERE z.id IN (
        SELECT zone_id FROM zone_policy WHERE zsk_lifetime > 0 OR ksk_lifetime > 0 OR csk_lifetime > 0
        UNION SELECT zone_id FROM keys WHERE state != 'active') ORDER BY z.name`),
      setDsSeen: db.prepare('UPDATE keys SET ds_seen_at = coalesce(ds_seen_at, ?), ds_ttl = ? WHERE id = ? AND state = \'ready\''),
    };
  }

  /** The zone's policy, or the defaults when it has none. */
  policy(zoneId: number): KeyPolicy {
    const r = this.s.one.get(zoneId);
    if (!r) return { ...DEFAULT_KEY_POLICY };
    return {
      zskLifetime: r.zsk_lifetime, kskLifetime: r.ksk_lifetime, cskLifetime: r.csk_lifetime, propagationDelay: r.propagation_delay,
      signatureValidity: r.signature_validity, refresh: r.refresh, dsResolver: r.ds_resolver,
    };
  }

  /** Whether the zone has a stored policy row. */
  has(zoneId: number): boolean {
    return this.s.one.get(zoneId) !== undefined;
  }

  put(zoneId: number, p: KeyPolicy, now: number): void {
    this.s.put.run(zoneId, p.zskLifetime, p.kskLifetime, p.cskLifetime, p.propagationDelay, p.signatureValidity, p.refresh, p.dsResolver, now);
  }

  /** Zones whose keys roll: a lifetime set, or a rollover under way (which finishes even after the lifetime is unset). */
  rollingZones(): string[] {
    return this.s.rolling.all().map((r) => r.name);
  }

  /**
   * The parent was first seen serving a ready key's DS (a later sighting keeps the first time,
   * updates the TTL). Not zone data (nothing served
   * changes), so outside the commit pipeline: the next transition's commit is what follows it.
   */
  setDsSeen(keyId: number, at: number, ttl: number): void {
    this.s.setDsSeen.run(at, ttl, keyId);
  }
}
