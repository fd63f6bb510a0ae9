// Versioned schema migrations for the SQLite store, applied in order and tracked in PRAGMA user_version.

/** Append-only: each entry moves the schema from version i to i+1. Never edit a released step. */
export const MIGRATIONS: readonly string[] = [
  // 1: zones and their source records. Signatures and NSEC3 are derived data and live elsewhere.
  `CREATE TABLE zones (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     -- bumped by every committed change; other processes reload a zone when it moves
     generation INTEGER NOT NULL DEFAULT 1,
     settings TEXT NOT NULL DEFAULT '{}',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE records (
     zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     type INTEGER NOT NULL,
     ttl INTEGER NOT NULL,
     rdata BLOB NOT NULL
   );
   CREATE INDEX records_by_owner ON records(zone_id, name, type);`,
  // 2: DNSSEC keys. The private key is PKCS#8 DER and never leaves this table except into the signer.
  `CREATE TABLE keys (
     id INTEGER PRIMARY KEY,
     zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
     role TEXT NOT NULL CHECK (role IN ('ksk', 'zsk', 'csk')),
     algorithm INTEGER NOT NULL,
     key_tag INTEGER NOT NULL,
     public_key BLOB NOT NULL,
     private_pkcs8 BLOB NOT NULL,
     active INTEGER NOT NULL DEFAULT 1,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX keys_by_zone ON keys(zone_id);`,
  // 3: zone transfers: TSIG keys, the
  // secondaries per zone (NOTIFY targets and transfer ACL), the IXFR journal of signed
  // differences, and when each zone's signatures were last renewed as a whole.
  `CREATE TABLE tsig_keys (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     algorithm TEXT NOT NULL CHECK (algorithm IN ('hmac-sha256', 'hmac-sha512')),
     secret BLOB NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE secondaries (
     id INTEGER PRIMARY KEY,
     zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
     -- an address, or an address prefix (a/len) that may transfer but is not notified
     address TEXT NOT NULL,
     port INTEGER NOT NULL DEFAULT 53,
     tsig_key_name TEXT,
     created_at INTEGER NOT NULL,
     UNIQUE (zone_id, address, port)
   );
   CREATE TABLE journal (
     id INTEGER PRIMARY KEY,
     zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
     serial_from INTEGER NOT NULL,
     serial_to INTEGER NOT NULL,
     at INTEGER NOT NULL,
     -- the serving process that recorded it: signatures are not persisted, so only its own
     -- steps carry the exact RRSIGs a secondary holds
     epoch TEXT NOT NULL,
     -- JSON [[name, type, ttl, rdata-base64], ...]; NULL for a step that was not incremental
     removed TEXT,
     added TEXT,
     bytes INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX journal_by_zone ON journal(zone_id, id);
   CREATE TABLE zone_resign (
     zone_id INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
     resigned_at INTEGER NOT NULL
   );`,
  // 4: admin API tokens (secrets stored only as SHA-256 hashes) and the audit log of API writes.
  `CREATE TABLE tokens (
     id INTEGER PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     admin INTEGER NOT NULL DEFAULT 0,
     zone TEXT,
     names TEXT NOT NULL DEFAULT '[]',
     subtree INTEGER NOT NULL DEFAULT 0,
     types TEXT NOT NULL DEFAULT '[]',
     label TEXT NOT NULL DEFAULT '',
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     token_id INTEGER,
     token_label TEXT,
     zone TEXT NOT NULL,
     action TEXT NOT NULL,
     before TEXT,
     after TEXT
   );
   CREATE INDEX audit_by_zone ON audit(zone, id);`,
  // 5: one commit path. `generation` becomes `version` (+1 per commit, what workers catch up
  // to); the signing epoch every signature of the zone is dated from (deterministic RRSIGs:
  // the same in every process); the change log that lets a process catch up to the stored
  // version by re-reading only the names each commit touched. Journal steps recorded before
  // deterministic signing name RRSIGs no process makes any more: they go (IXFR falls back to
  // a whole transfer once).
  `ALTER TABLE zones RENAME COLUMN generation TO version;
   ALTER TABLE zones ADD COLUMN sign_epoch INTEGER NOT NULL DEFAULT 0;
   UPDATE zones SET sign_epoch = COALESCE((SELECT resigned_at FROM zone_resign WHERE zone_id = zones.id), updated_at);
   DROP TABLE zone_resign;
   DELETE FROM journal;
   CREATE TABLE zone_changes (
     zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
     version INTEGER NOT NULL,
     -- JSON array of the owner names the commit changed; NULL: the whole zone was replaced
     names TEXT,
     -- 1 when keys, the signing epoch or settings changed: every signature is remade
     signing INTEGER NOT NULL DEFAULT 0,
     at INTEGER NOT NULL,
     PRIMARY KEY (zone_id, version)
   );`,
  // 6: DNS UPDATE. TSIG keys may use every algorithm RFC 8945 lists (certbot and nsupdate
  // default to hmac-md5); update policies say which RRsets of a zone each key may change
  // (the scope model of API tokens: an owner name, alone or with its subtree, and types).
  `CREATE TABLE tsig_keys_new (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     algorithm TEXT NOT NULL CHECK (algorithm IN ('hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512')),
     secret BLOB NOT NULL,
     created_at INTEGER NOT NULL
   );
   INSERT INTO tsig_keys_new (id, name, algorithm, secret, created_at) SELECT id, name, algorithm, secret, created_at FROM tsig_keys;
   DROP TABLE tsig_keys;
   ALTER TABLE tsig_keys_new RENAME TO tsig_keys;
   CREATE TABLE update_policies (
     id INTEGER PRIMARY KEY,
     zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
     -- the TSIG key an UPDATE must be signed with (lowercase, fully qualified)
     key_name TEXT NOT NULL,
     -- an owner name; the apex with subtree = 1 covers the whole zone
     name TEXT NOT NULL,
     subtree INTEGER NOT NULL DEFAULT 0,
     -- JSON array of type mnemonics; [] = any type but SOA, apex NS and DNSSEC
     types TEXT NOT NULL DEFAULT '[]',
     created_at INTEGER NOT NULL
   );
   CREATE INDEX update_policies_by_zone ON update_policies(zone_id, key_name);`,
  // 7: catalog zones (RFC 9432). A catalog is a hosted zone whose member records the pipeline
  // keeps from this table; a member keeps its label for as long as it is a member (a new label
  // tells consumers to reset the zone).
  `CREATE TABLE catalogs (
     zone_id INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE
   );
   CREATE TABLE catalog_members (
     catalog_id INTEGER NOT NULL REFERENCES catalogs(zone_id) ON DELETE CASCADE,
     -- a zone is a member of one catalog at most
     member_id INTEGER NOT NULL UNIQUE REFERENCES zones(id) ON DELETE CASCADE,
     -- the unique-N label under zones.<catalog>
     label TEXT NOT NULL,
     -- the group property (RFC 9432 §4.4.2), NULL for none
     grp TEXT,
     added_at INTEGER NOT NULL,
     PRIMARY KEY (catalog_id, member_id),
     UNIQUE (catalog_id, label)
   );`,
  // 8: what each secondary serves, as the leader last asked it (after each NOTIFY and every
  // refresh interval). Keyed by zone and address: a catalog's secondaries have a row per member.
  `CREATE TABLE secondary_status (
     zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
     address TEXT NOT NULL,
     port INTEGER NOT NULL,
     -- current | behind | refused | unreachable
     state TEXT NOT NULL,
     serial INTEGER,
     -- when it last answered an SOA query, when it was last asked
     last_answer INTEGER,
     checked_at INTEGER NOT NULL,
     -- when the first version it lacks was committed; NULL while current
     behind_since INTEGER,
     detail TEXT NOT NULL DEFAULT '',
     PRIMARY KEY (zone_id, address, port)
   );`,
  // 9: live service checks. A service is a TLSA owner plus how to reach it; each probe's
  // result is kept (the last few per service), with the certificates each endpoint presented
  // (first and last seen), when each TLSA record last matched, and the events raised.
  `CREATE TABLE services (
     id INTEGER PRIMARY KEY,
     zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
     -- the TLSA owner, _PORT._tcp.HOST
     name TEXT NOT NULL UNIQUE,
     starttls TEXT NOT NULL,
     -- JSON array of "ADDR:PORT"; [] = HOST's A/AAAA records, port PORT
     connect TEXT NOT NULL DEFAULT '[]',
     sni TEXT,
     -- the service domain (XMPP stream header, SRV owner's domain); NULL = HOST
     domain TEXT,
     -- 1: endpoints only from the addresses our own zones publish (services a scoped token added)
     own_addresses_only INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX services_by_zone ON services(zone_id);
   CREATE TABLE service_checks (
     id INTEGER PRIMARY KEY,
     service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
     at INTEGER NOT NULL,
     verdict TEXT NOT NULL,
     -- the check's JSON, as the API returns it
     result TEXT NOT NULL
   );
   CREATE INDEX service_checks_by_service ON service_checks(service_id, id);
   CREATE TABLE service_fingerprints (
     service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
     endpoint TEXT NOT NULL,
     cert_sha256 TEXT NOT NULL,
     spki_sha256 TEXT NOT NULL,
     first_seen INTEGER NOT NULL,
     last_seen INTEGER NOT NULL,
     PRIMARY KEY (service_id, endpoint, cert_sha256)
   );
   CREATE TABLE service_records (
     service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
     record TEXT NOT NULL,
     first_seen INTEGER NOT NULL,
     last_matched INTEGER,
     PRIMARY KEY (service_id, record)
   );
   CREATE TABLE check_events (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     zone TEXT NOT NULL,
     service TEXT NOT NULL,
     endpoint TEXT,
     level TEXT NOT NULL CHECK (level IN ('critical', 'warning', 'notice')),
     kind TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX check_events_by_zone ON check_events(zone, id);`,
  // 10: TLSA rollovers (RFC 7671 §8): per service, the current and next TLSA records, the
  // state, and what the clock needs: the serial that published the next records and when it
  // was committed, the largest TTL served since, the moment every secondary served it (T_vis)
  // and readyAt. Times in milliseconds. What each secondary last answered, as JSON.
  `CREATE TABLE service_rollovers (
     service_id INTEGER PRIMARY KEY REFERENCES services(id) ON DELETE CASCADE,
     state TEXT NOT NULL CHECK (state IN ('steady', 'publishing', 'holding', 'ready', 'verifying', 'retiring')),
     since INTEGER NOT NULL,
     -- JSON arrays of TLSA records in presentation form ("3 1 1 <hex>")
     current TEXT NOT NULL,
     next TEXT NOT NULL,
     serial INTEGER,
     committed_at INTEGER,
     max_ttl INTEGER NOT NULL DEFAULT 0,
     -- the zone's negative TTL when the TLSA RRset did not exist before the rollover, else 0
     negative_ttl INTEGER NOT NULL DEFAULT 0,
     t_vis INTEGER,
     ready_at INTEGER,
     -- 1: an endpoint presented the next key before readyAt
     premature INTEGER NOT NULL DEFAULT 0,
     secondaries TEXT NOT NULL DEFAULT '[]',
     started_at INTEGER NOT NULL
   );`,
  // 11: the chain each endpoint presented, as sent (PEM, leaf first), with its fingerprint: the
  // write guard holds a TLSA change against the key an endpoint presents with the checks' own
  // matcher, which needs the certificates, not only their hashes. Null for rows seen before.
  `ALTER TABLE service_fingerprints ADD COLUMN chain TEXT;`,
  // 12: automatic DNSSEC key rollovers (RFC 7583). Each key's state in its rollover and
  // since when (unix seconds), and for a KSK/CSK waiting for its DS, when the parent was first
  // seen serving it and with what TTL. One policy row per zone that has one: lifetimes and waits in seconds
  // (0 lifetime: never roll), and where to ask for the parent's DS.
  `ALTER TABLE keys ADD COLUMN state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('published', 'ready', 'active', 'retired'));
   ALTER TABLE keys ADD COLUMN state_since INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE keys ADD COLUMN ds_seen_at INTEGER;
   ALTER TABLE keys ADD COLUMN ds_ttl INTEGER;
   UPDATE keys SET state = CASE WHEN active = 1 THEN 'active' ELSE 'published' END, state_since = created_at;
   -- the key roller looks for rollovers under way every second: no scan of every key
   CREATE INDEX keys_rolling ON keys(zone_id) WHERE state != 'active';
   CREATE TABLE zone_policy (
     zone_id INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
     zsk_lifetime INTEGER NOT NULL DEFAULT 0,
     ksk_lifetime INTEGER NOT NULL DEFAULT 0,
     csk_lifetime INTEGER NOT NULL DEFAULT 0,
     propagation_delay INTEGER NOT NULL DEFAULT 3600,
     signature_validity INTEGER NOT NULL DEFAULT 1209600,
     refresh INTEGER NOT NULL DEFAULT 604800,
     ds_resolver TEXT,
     updated_at INTEGER NOT NULL
   );`,
];
