// The SQLite store: the only file that speaks SQL. Zones, records, and the change counter other processes watch.
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Name } from '../model/name.js';
import type { Rec } from '../model/types.js';
import type { RRset } from '../model/rrset.js';
import { MIGRATIONS } from './migrations.js';

export interface ZoneRow {
  id: number;
  name: Name;
  /** +1 per commit: a process serving the zone catches up to it (zone_changes says what moved). */
  version: number;
  settings: string;
  /** Unix time every signature of the zone is dated from (signer/policy.ts): the same in every process. */
  sign_epoch: number;
  created_at: number;
  updated_at: number;
}

/** What one commit changed, as the change log keeps it. */
export interface ChangeRow {
  version: number;
  /** The owner names changed; null when the whole zone was replaced. */
  names: Name[] | null;
  /** Keys, signing epoch or settings changed: every signature is remade. */
  signing: boolean;
}

/** How many commits the change log keeps per zone: a process further behind reloads the zone whole. */
export const CHANGE_LOG_LENGTH = 1000;

/** A DNSSEC key row. `private_pkcs8` is for the signer only: never print, log or return it from an API. */
export interface KeyRow {
  id: number;
  zone_id: number;
  role: 'ksk' | 'zsk' | 'csk';
  algorithm: number;
  key_tag: number;
  public_key: Buffer;
  private_pkcs8: Buffer;
  /** 1 exactly when `state` is active: the key signs. */
  active: number;
  created_at: number;
  /** Where the key is in its rollover (signer/keystore.ts KeyInfo.state). */
  state: KeyState;
  /** Unix seconds the key entered `state`. */
  state_since: number;
  /** A KSK/CSK in `ready`: when the parent was first seen serving its DS. */
  ds_seen_at: number | null;
  /** …and the TTL the parent served it with (null: a parent hosted here, whose DS RRset says). */
  ds_ttl: number | null;
}

/** A key's place in a rollover (RFC 7583 §3): in the DNSKEY RRset (all), signing (ready: the DNSKEY RRset only; active). */
export type KeyState = 'published' | 'ready' | 'active' | 'retired';

export type NewKey = Omit<KeyRow, 'id' | 'zone_id' | 'active' | 'state' | 'state_since' | 'ds_seen_at' | 'ds_ttl'> & { state?: KeyState };

/** An admin API token. `hash` is the SHA-256 of the secret: the secret itself is never stored. */
export interface TokenRow {
  id: number;
  hash: string;
  admin: number;
  zone: string | null;
  /** JSON array of owner names. */
  names: string;
  subtree: number;
  /** JSON array of type mnemonics. */
  types: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export type NewToken = Omit<TokenRow, 'id' | 'revoked_at'>;

/** One audited API write; `before`/`after` are JSON (null when absent). */
export interface AuditRow {
  id: number;
  at: number;
  token_id: number | null;
  token_label: string | null;
  zone: string;
  action: string;
  before: string | null;
  after: string | null;
}

/** One RRset-level change: `rrset` undefined deletes the RRset at (name, type). */
export interface RRsetChange {
  name: Name;
  type: number;
  rrset: RRset | undefined;
}

/** The database file could not be created or opened (a bad path, no permission): a one-line error for the CLI. */
export class StoreOpenError extends Error {}

/**
 * Another connection held the write lock for longer than the busy timeout (a whole-zone
 * import, say): nothing was written, the caller may retry.
 */
export class StoreBusyError extends Error {}

/** How long a writer waits for another connection's write transaction before StoreBusyError. */
const BUSY_TIMEOUT_MS = 5000;

export class Store {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(readonly path: string) {
    try {
      if (path !== ':memory:') {
        mkdirSync(dirname(path), { recursive: true });
        // The file holds every private key and TSIG secret: readable by its owner only. SQLite
        // gives the -wal and -shm files the database file's permissions.
        closeSync(openSync(path, 'a', 0o600));
      }
      this.db = new Database(path);
    } catch (err) {
      throw new StoreOpenError(`cannot open database ${path}: ${(err as Error).message}`);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL + NORMAL keeps every commit durable against a process crash; only an OS crash can lose the tail.
    this.db.pragma('synchronous = NORMAL');
    this.migrate();
    this.stmts = {
      zones: this.db.prepare<[], ZoneRow>('SELECT * FROM zones ORDER BY name'),
      zoneByName: this.db.prepare<[string], ZoneRow>('SELECT * FROM zones WHERE name = ?'),
      records: this.db.prepare<[number], { name: string; type: number; ttl: number; rdata: Buffer }>(
        'SELECT name, type, ttl, rdata FROM records WHERE zone_id = ? ORDER BY rowid'),
      recordsAt: this.db.prepare<[number, string], { name: string; type: number; ttl: number; rdata: Buffer }>(
        'SELECT name, type, ttl, rdata FROM records WHERE zone_id = ? AND name = ? ORDER BY rowid'),
      insertZone: this.db.prepare('INSERT INTO zones (name, settings, sign_epoch, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
      deleteZone: this.db.prepare('DELETE FROM zones WHERE id = ?'),
      insertRecord: this.db.prepare('INSERT INTO records (zone_id, name, type, ttl, rdata) VALUES (?, ?, ?, ?, ?)'),
      deleteRRset: this.db.prepare('DELETE FROM records WHERE zone_id = ? AND name = ? AND type = ?'),
      deleteRecords: this.db.prepare('DELETE FROM records WHERE zone_id = ?'),
      advance: this.db.prepare<[number, number], { version: number }>('UPDATE zones SET version = version + 1, updated_at = ? WHERE id = ? RETURNING version'),
      insertChange: this.db.prepare('INSERT INTO zone_changes (zone_id, version, names, signing, at) VALUES (?, ?, ?, ?, ?)'),
      pruneChanges: this.db.prepare('DELETE FROM zone_changes WHERE zone_id = ? AND version <= ?'),
      changesSince: this.db.prepare<[number, number], { version: number; names: string | null; signing: number }>(
        'SELECT version, names, signing FROM zone_changes WHERE zone_id = ? AND version > ? ORDER BY version'),
      setEpoch: this.db.prepare('UPDATE zones SET sign_epoch = ? WHERE id = ?'),
      keys: this.db.prepare<[number], KeyRow>('SELECT * FROM keys WHERE zone_id = ? ORDER BY id'),
      insertKey: this.db.prepare('INSERT INTO keys (zone_id, role, algorithm, key_tag, public_key, private_pkcs8, created_at, state, active, state_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      setKeyState: this.db.prepare('UPDATE keys SET state = ?, active = ?, state_since = ?, ds_seen_at = ? WHERE id = ? AND zone_id = ?'),
      deleteKey: this.db.prepare('DELETE FROM keys WHERE id = ? AND zone_id = ?'),
      setSettings: this.db.prepare('UPDATE zones SET settings = ? WHERE id = ?'),
      insertToken: this.db.prepare('INSERT INTO tokens (hash, admin, zone, names, subtree, types, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      tokenByHash: this.db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE hash = ?'),
      tokens: this.db.prepare<[], TokenRow>('SELECT * FROM tokens ORDER BY id'),
      revokeToken: this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      insertAudit: this.db.prepare('INSERT INTO audit (at, token_id, token_label, zone, action, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      audit: this.db.prepare<[string | null, string | null, number, number], AuditRow>(
        'SELECT * FROM audit WHERE (? IS NULL OR zone = ?) AND id < ? ORDER BY id DESC LIMIT ?'),
    };
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      this.db.close();
      throw new StoreOpenError(`database ${this.path} has schema version ${current}, newer than this daneprime (${MIGRATIONS.length}): use the daneprime that wrote it, or restore a backup`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  /** Changes whenever another connection commits (SQLite's data_version): cheap to poll. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /**
   * Run `fn` in one write transaction; a nested call is a savepoint inside the outer one.
   * The outermost one begins IMMEDIATE: it takes the write lock before its first read, so
   * two processes never both read, then both try to write (in WAL mode the second would fail
   * at once with "database is locked", busy timeout or not). A writer waits for the lock up
   * to the busy timeout, then gets StoreBusyError with nothing written.
   */
  transaction<T>(fn: () => T): T {
    const tx = this.db.transaction(fn);
    if (this.db.inTransaction) return tx();
    try {
      return tx.immediate();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new StoreBusyError(`database ${this.path} is busy: another writer held it for over ${BUSY_TIMEOUT_MS / 1000} s; nothing was written`);
      }
      throw err;
    }
  }

  /** Run `fn` on one consistent version of the database (a read transaction; inside a write transaction, that one). */
  snapshot<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn).deferred();
  }

  listZones(): ZoneRow[] {
    return this.stmts.zones.all();
  }

  zone(name: Name): ZoneRow | undefined {
    return this.stmts.zoneByName.get(name);
  }

  /** Records of a zone, streamed: a million-record zone is never materialised as rows twice. */
  *records(zoneId: number): Iterable<Rec> {
    // Copy each blob into Node's pooled small-buffer slab: a Buffer straight from SQLite owns a
    // whole ArrayBuffer, which for a million records is hundreds of MB of overhead.
    for (const r of this.stmts.records.iterate(zoneId)) yield { name: r.name, type: r.type, ttl: r.ttl, rdata: Buffer.from(r.rdata) };
  }

  /** The records at one owner name (a worker re-reading what another process changed). */
  recordsAt(zoneId: number, name: Name): Rec[] {
    return this.stmts.recordsAt.all(zoneId, name).map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, rdata: r.rdata }));
  }

  /**
   * Create a zone with its records, or replace an existing zone's records (keys, settings
   * unless given, and secondaries stay). Returns the zone's id. Call inside transaction();
   * the commit's advanceVersion follows.
   */
  writeZone(name: Name, records: Iterable<Rec>, opts: { settings?: object; now: number }): number {
    const existing = this.zone(name);
    let id: number;
    if (existing) {
      id = existing.id;
      this.stmts.deleteRecords.run(id);
      if (opts.settings) this.stmts.setSettings.run(JSON.stringify(opts.settings), id);
    } else {
      id = Number(this.stmts.insertZone.run(name, JSON.stringify(opts.settings ?? {}), opts.now, opts.now, opts.now).lastInsertRowid);
    }
    for (const r of records) this.stmts.insertRecord.run(id, r.name, r.type, r.ttl, r.rdata);
    return id;
  }

  /** Delete a zone with everything hanging off it (records, keys, secondaries, journal, change log). */
  deleteZone(name: Name): boolean {
    const z = this.zone(name);
    if (!z) return false;
    this.stmts.deleteZone.run(z.id);
    return true;
  }

  /** Replace RRsets of a zone (inside the commit's transaction). */
  putRRsets(zoneId: number, changes: readonly RRsetChange[]): void {
    for (const c of changes) {
      this.stmts.deleteRRset.run(zoneId, c.name, c.type);
      if (c.rrset) for (const rd of c.rrset.rdatas) this.stmts.insertRecord.run(zoneId, c.name, c.type, c.rrset.ttl, rd);
    }
  }

  /**
   * Close a commit: the zone's version +1, and the change log entry saying what moved (the
   * last CHANGE_LOG_LENGTH are kept). A new zone starts at version 1 and logs nothing: there
   * is nothing to catch up from. Returns the new version.
   */
  advanceVersion(zoneId: number, now: number, change: Omit<ChangeRow, 'version'>): number {
    const version = this.stmts.advance.get(now, zoneId)!.version;
    this.stmts.insertChange.run(zoneId, version, change.names === null ? null : JSON.stringify(change.names), change.signing ? 1 : 0, now);
    this.stmts.pruneChanges.run(zoneId, version - CHANGE_LOG_LENGTH);
    return version;
  }

  /** The commits after `version`, oldest first. */
  changesSince(zoneId: number, version: number): ChangeRow[] {
    return this.stmts.changesSince.all(zoneId, version).map((r) => ({
      version: r.version, names: r.names === null ? null : JSON.parse(r.names) as Name[], signing: r.signing === 1,
    }));
  }

  setSignEpoch(zoneId: number, epoch: number): void {
    this.stmts.setEpoch.run(epoch, zoneId);
  }

  keys(zoneId: number): KeyRow[] {
    return this.stmts.keys.all(zoneId);
  }

  /** Add keys to a zone (inside the commit that publishes them). */
  addKeys(zoneId: number, keys: readonly NewKey[]): void {
    for (const k of keys) {
      const state = k.state ?? 'active';
      this.stmts.insertKey.run(zoneId, k.role, k.algorithm, k.key_tag, k.public_key, k.private_pkcs8, k.created_at, state, state === 'active' ? 1 : 0, k.created_at);
    }
  }

  /** Move a key of a zone to `state` (inside the commit that publishes the change). */
  setKeyState(zoneId: number, keyId: number, state: KeyState, since: number, dsSeenAt: number | null): void {
    if (this.stmts.setKeyState.run(state, state === 'active' ? 1 : 0, since, dsSeenAt, keyId, zoneId).changes !== 1) throw new Error(`zone ${zoneId} has no key ${keyId}`);
  }

  /** Delete a key of a zone, private part and all (inside the commit that unpublishes it). */
  deleteKey(zoneId: number, keyId: number): void {
    if (this.stmts.deleteKey.run(keyId, zoneId).changes !== 1) throw new Error(`zone ${zoneId} has no key ${keyId}`);
  }

  insertToken(t: NewToken): number {
    return Number(this.stmts.insertToken.run(t.hash, t.admin, t.zone, t.names, t.subtree, t.types, t.label, t.created_at).lastInsertRowid);
  }

  tokenByHash(hash: string): TokenRow | undefined {
    return this.stmts.tokenByHash.get(hash);
  }

  tokens(): TokenRow[] {
    return this.stmts.tokens.all();
  }

  /** Revoke a live token; false when there is none with that id (or it was already revoked). */
  revokeToken(id: number, now: number): boolean {
    return this.stmts.revokeToken.run(now, id).changes > 0;
  }

  insertAudit(a: Omit<AuditRow, 'id'>): void {
    this.stmts.insertAudit.run(a.at, a.token_id, a.token_label, a.zone, a.action, a.before, a.after);
  }

  /** Audit entries, newest first, optionally for one zone, with ids below `beforeId` (paging). */
  audit(opts: { zone?: string; limit: number; beforeId?: number }): AuditRow[] {
    const z = opts.zone ?? null;
    return this.stmts.audit.all(z, z, opts.beforeId ?? Number.MAX_SAFE_INTEGER, opts.limit);
  }
}
