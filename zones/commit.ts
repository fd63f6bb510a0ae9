// The one way zones change. Every writer — REST API, CLI, DNS UPDATE, key and TLSA rollovers, re-signing — in every process calls commit().
//
// A commit runs as named steps in one order:
//
//   write lock → catch up → plan → apply to memory → derived data → write (records, audit,
//   change log, journal) → commit → answers invalidated → other workers told → NOTIFY
//
// The write lock is SQLite's (BEGIN IMMEDIATE), shared by every process using the database:
// one commit at a time per database, whichever worker or CLI makes it. Inside it the process
// first catches its memory up to the stored version (other processes' commits, from the change
// log), so the serial it decides comes from the stored zone: each commit gets exactly one
// serial, one more than the last, and the IXFR journal is one linear chain.
//
// Memory and SQLite change in the same synchronous task: no query runs in between, so every
// query sees all of a commit or none of it. If a write fails after memory changed, the
// inverse change is applied before the task ends.
//
// Processes that did not make a commit follow it with catchUp: the names each commit touched
// are re-read and applied the same way (apply to memory, derived data, answers invalidated,
// NOTIFY), without the writing steps.
import { hostname, userInfo } from 'node:os';
import type { Name } from './model/name.js';
import { RRType, type Rec } from './model/types.js';
import { makeRRset, sameRRset, type RRset } from './model/rrset.js';
import { soaSerial, withSoaSerial } from './model/rdata/index.js';
import { rrsetToJson } from './model/rrset-json.js';
import type { Store, NewKey, ZoneRow, KeyRow, KeyState } from './store/sqlite.js';
import { StoreBusyError } from './store/sqlite.js';
import type { XfrStore } from './store/xfr-sqlite.js';
import type { Registry, ServedZone } from './registry.js';
import { newDelta, type Zone, type ZoneDelta } from './zone.js';
import { buildZone } from './zone-build.js';
import { checkNames, ZoneCheckError } from './zone-check.js';
import { parseSettings, type ZoneSettings } from './settings.js';
import { planEdit, isDerivedRecord, nextSerial, EditError, ZoneExistsError, DEFAULT_MAX_ZONE_RECORDS, zoneTooBig, type RRsetEdit, type EditPlan, type PlannedPut } from './commit-plan.js';
import { stepContent, encodeRRs, type SignedDelta, type StepContent } from './journal-step.js';
import { CatalogStore } from './store/catalog-sqlite.js';
import { KeyPolicyStore, type KeyPolicy } from './store/key-policy-sqlite.js';
import { catalogRecords, memberEdits, removalEdits, newMemberLabel, checkGroup } from './catalog.js';

/** Who made a change, as the audit log names it: an API token, the CLI, the server itself. */
export interface Actor {
  tokenId: number | null;
  label: string;
}

export const SERVER_ACTOR: Actor = { tokenId: null, label: 'daneprime' };

/** The CLI acting for the local user who runs it. */
export function cliActor(): Actor {
  let user = 'unknown';
  try { user = userInfo().username; } catch { /* no passwd entry */ }
  return { tokenId: null, label: `cli:${user}@${hostname()}` };
}

/** What a writer asks for. The pipeline decides the serial, signs, journals and tells others. */
export type ZoneChange =
  /**
   * Replace or delete RRsets (`action` names it in the audit log, e.g. "rrset.put"). `edits`
   * may be a function of the zone as stored, called under the write lock: a change that
   * depends on the current data (add a record to an RRset, RFC 2136 prerequisites) then
   * cannot lose a concurrent commit.
   */
  | { kind: 'edit'; apex: Name; edits: readonly RRsetEdit[] | ((zone: Zone) => readonly RRsetEdit[]); ifSerial?: number; action: string; force?: boolean }
  /**
   * Create a zone, or replace one's records (keys and secondaries stay). `catalog`: make it a
   * member of that catalog zone in the same commit. `force` (here and in an edit): made even
   * when the commit guard would refuse it (an admin's call; the writer decides who may; audited).
   */
  | { kind: 'import'; apex: Name; records: readonly Rec[]; replace?: boolean; settings?: Partial<ZoneSettings>; makeKeys?: () => NewKey[]; catalog?: CatalogMembership; force?: boolean }
  /** Delete a zone; a member leaves its catalog in the same commit. */
  | { kind: 'delete'; apex: Name; ifSerial?: number }
  /** Create a catalog zone (RFC 9432): its SOA, `NS invalid.` and schema version; unsigned unless `signed`. */
  | { kind: 'catalog-create'; apex: Name; signed?: boolean; makeKeys?: () => NewKey[] }
  /**
   * Make `member` a member of `catalog` with this group (none when undefined or null), or change
   * the group of a member in place, keeping its label; `remove`: take it out.
   */
  | { kind: 'catalog-member'; catalog: Name; member: Name; group?: string | null; remove?: boolean }
  /**
   * Sign the zone anew: a new signing epoch, keys added, moved to another state or deleted,
   * a new serial. `ifEpoch`: only if the epoch is still this one (two processes renewing at
   * once renew once). `ifKeys`: only if the keys are still as keysToken gave them.
   * `parentDs`: the DS RRset of the zone in its parent, when the parent is hosted here too,
   * set in the same commit.
   */
  | { kind: 'resign'; apex: Name; addKeys?: readonly NewKey[]; keyStates?: readonly KeyMove[]; removeKeys?: readonly number[];
      parentDs?: ParentDs; ifEpoch?: number; ifKeys?: string; action: string }
  | PolicyChange;

/**
 * A zone's key and signature policy stored (zone_policy). A new signature validity or refresh
 * signs the zone anew (new epoch, new serial); lifetimes are read by the key roller as they are.
 */
export interface PolicyChange { kind: 'policy'; apex: Name; policy: KeyPolicy }

/** A key moved to another state by a key rollover; `dsSeenAt` replaces the stored one when given. */
export interface KeyMove { id: number; state: KeyState; dsSeenAt?: number | null }

/** The DS RRset at `owner` in the hosted parent zone `parent` (none: deleted). */
export interface ParentDs { parent: Name; owner: Name; ttl: number; rdatas: Buffer[] }

/** The keys of a zone and their states, as one string: what `ifKeys` compares. */
export function keysToken(keys: readonly Pick<KeyRow, 'id' | 'state'>[]): string {
  return keys.map((k) => `${k.id}:${k.state}`).join(',');
}

/** A member's catalog and group (RFC 9432 §4.4.2). */
export interface CatalogMembership {
  name: Name;
  group?: string | null;
}

export interface ImportSummary {
  records: number;
  rrsets: number;
  names: number;
  replaced: boolean;
  /** DNSSEC records in the input that the signer makes itself, dropped. */
  droppedDnssec: number;
  keysCreated: number;
}

export interface CommitResult {
  apex: Name;
  /** The SOA serial after the commit (unchanged when nothing changed). */
  serial: number;
  /** The zone's stored version after the commit; 0 once deleted. */
  version: number;
  /** RRsets changed by an edit, before and after. */
  changes: { name: Name; type: number; before?: RRset; after?: RRset }[];
  /** For an import. */
  imported?: ImportSummary;
  /** Whether anything was written (a change list that changes nothing, or a re-sign another process made first, writes nothing). */
  written: boolean;
  /** Other zones the same commit changed (a catalog following its member). */
  also?: CommitResult[];
  /** What the commit guard did besides the writer's ask: a replacement made a rollover, a forced break. */
  guard?: GuardNote[];
}

/**
 * The commit guard (server/rollover/guard.ts implements it): the plan step's last word on a
 * change, for every writer alike. It refuses a change that would break a live service by
 * throwing an EditError (`would_break_service`), may hand back other edits (a TLSA replacement
 * turned into a rollover), and says what it did in notes, which the pipeline audits.
 */
export interface CommitGuard {
  /** An edit's checked change list, against the zone as stored. */
  reviewEdit(zone: Zone, edits: readonly RRsetEdit[], o: GuardContext): GuardReview | undefined;
  /** A zone's records replaced whole (`row`: the stored zone, still unchanged): `after` is the zone the import builds. */
  reviewImport(row: ZoneRow, after: Zone, o: GuardContext): GuardReview | undefined;
  /** A commit it refused, after the rollback: say so outside the transaction (log, events). */
  refused?(err: EditError, actor: Actor): void;
}

export interface GuardContext { force: boolean; now: number }

export interface GuardReview {
  /** The edits to plan instead of the writer's. */
  edits?: readonly RRsetEdit[];
  notes: GuardNote[];
  /** In the commit's transaction, once written: keep what the notes say (a rollover's row). */
  written?(serial: number): void;
}

/** One thing the guard did: `rollover` (a replacement became one), `forced` (an admin's change broke a service). */
export interface GuardNote { kind: 'rollover' | 'forced'; service: Name; detail: string }

/** What one commit has done so far: undone in reverse if it fails, told to others once it holds. */
interface Txn {
  actor: Actor;
  now: number;
  undo: (() => void)[];
  /** Zones served or dropped whole in memory: re-read from the store if the commit fails. */
  whole: Name[];
  also: CommitResult[];
}

/**
 * Derived data: the signer layer's side of a commit (signer/service.ts implements it). The
 * pipeline calls it at fixed points; it never changes the zone but through the delta it is given.
 */
export interface Deriver {
  /** A zone about to be served whole: publish its derived apex records into `delta`, build what it needs. */
  attach(zone: Zone, settings: ZoneSettings, epoch: number, delta: ZoneDelta): void;
  detach(apex: Name): void;
  /** Keys or the signing epoch changed: publish the apex records anew into `delta`. False when the zone has no signer. */
  signingChanged(apex: Name, epoch: number, delta: ZoneDelta): boolean;
  /** A change was applied to `zone`: follow it. `report`: say what a journal step needs (the committing process). */
  applied(zone: Zone, delta: ZoneDelta, now: number, report: boolean): SignedDelta | undefined;
}

export interface JournalLimits {
  maxEntries: number;
  maxBytes: number;
  /** Older steps are useless anyway once their signatures expired (validity is 14 days). */
  maxAgeSec: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { maxEntries: 1000, maxBytes: 16 * 1024 * 1024, maxAgeSec: 14 * 86400 };

/** The journal is pruned once per this many steps: it may run this many steps (or 1/16 of its bytes) over its limits. */
const PRUNE_EVERY = 16;

export interface PipelineOptions {
  store: Store;
  xs: XfrStore;
  zones: Registry;
  deriver?: Deriver;
  /** The clock, unix seconds. */
  now: () => number;
  log?: (m: string) => void;
  journal?: Partial<JournalLimits>;
  guard?: CommitGuard;
  /** Records one zone may hold (default DEFAULT_MAX_ZONE_RECORDS). */
  maxZoneRecords?: number;
  /**
   * True in a serving process: every zone in the store is held in memory, and a new or
   * replaced zone is served at once. False for the CLI, which loads a zone only to edit it.
   */
  serving: boolean;
}

/** What the pipeline tells the rest of the server after a zone moved to a new version. */
export interface CommitHooks {
  /** Tell sibling worker processes (resolves once they serve it too, or gave up waiting). */
  share?: (apex: Name, version: number) => Promise<void>;
  /** Tell the zone's secondaries (RFC 1996): the leader process only. */
  notify?: (apex: Name, soa: RRset) => void;
  /**
   * The zone this process serves moved to a new version, by its own commit or by catching up
   * with another's: the owner names that changed, or null when the whole zone may have (an
   * import, a reload, a delete). Live checks re-probe a service whose TLSA RRset moved.
   */
  changed?: (apex: Name, names: readonly Name[] | null) => void;
}

export class CommitPipeline {
  private readonly journalLimits: JournalLimits;
  private readonly maxZoneRecords: number;
  private hooks: CommitHooks = {};
  private sharing: Promise<void>[] = [];
  private readonly catalogs: CatalogStore;

  constructor(private readonly o: PipelineOptions) {
    this.journalLimits = { ...DEFAULT_JOURNAL_LIMITS, ...o.journal };
    this.maxZoneRecords = o.maxZoneRecords ?? DEFAULT_MAX_ZONE_RECORDS;
    this.catalogs = CatalogStore.of(o.store);
  }

  /** Set what is told after commits (the server sets NOTIFY once it can answer the secondaries). */
  setHooks(hooks: CommitHooks): void {
    this.hooks = hooks;
  }

  /** Resolves once every commit made here so far is served by every sibling worker (bounded wait). */
  async settled(): Promise<void> {
    const all = this.sharing;
    this.sharing = [];
    await Promise.all(all);
  }

  // ---------------------------------------------------------------------------------------
  // commit

  commit(change: ZoneChange, actor: Actor): CommitResult {
    const t: Txn = { actor, now: this.o.now(), undo: [], whole: [], also: [] };
    let result: CommitResult;
    try {
      result = this.o.store.transaction(() => {
        switch (change.kind) {
          case 'edit': return this.edit(change, t);
          case 'import': return this.importZone(change, t);
          case 'delete': return this.deleteZone(change, t);
          case 'resign': return this.resign(change, t);
          case 'policy': return this.setPolicy(change, t);
          case 'catalog-create': return this.createCatalog(change, t);
          case 'catalog-member': return this.catalogMember(change, t);
        }
      });
    } catch (err) {
      this.rollBackMemory(t);
      if (err instanceof EditError && err.code === 'would_break_service') this.o.guard?.refused?.(err, actor);
      if (err instanceof ZoneCheckError) throw new EditError('invalid', err.message);
      if (err instanceof StoreBusyError) throw new EditError('busy', err.message);
      throw err;
    }
    const also = t.also.filter((r) => r !== result);
    if (also.length) result = { ...result, also };
    for (const r of [result, ...also]) if (r.written) this.tellOthers(r);
    return result;
  }

  /** Memory back to the store after a failed commit: edits undone in reverse, zones served or dropped whole re-read. */
  private rollBackMemory(t: Txn): void {
    for (const u of t.undo.reverse()) u();
    if (!this.o.serving) return;
    for (const apex of t.whole) {
      try { this.catchUp(apex); } catch (err) { this.o.log?.(`zone ${apex}: reload after a failed commit failed: ${(err as Error).message}`); }
    }
  }

  /**
   * Replace or delete RRsets. The SOA serial moves once, by the zone's policy, unless the edit
   * itself moves it forward. A change list that changes nothing writes nothing.
   */
  private edit(change: Extract<ZoneChange, { kind: 'edit' }>, t: Txn, keepsCatalog = false): CommitResult {
    const apex = change.apex;
    const { now } = t;
    const served = this.catchUp(apex);
    if (!served) throw new EditError('no_zone', `no such zone: ${apex}`);
    const { zone, row } = served;
    if (!keepsCatalog) this.refuseCatalog(row);
    let review: GuardReview | undefined;
    const guard = this.o.guard;
    const plan = planEdit(zone, parseSettings(row.settings), change.edits, change.ifSerial, now,
      guard && ((edits) => (review = guard.reviewEdit(zone, edits, { force: !!change.force, now }))?.edits ?? edits), this.maxZoneRecords);
    if (!plan.changes.length) return { apex, serial: plan.serial, version: row.version, changes: [], written: false };
    const delta = this.applyToMemory(served, plan.puts, now, (u) => t.undo.push(u));
    checkNames(zone, delta.touched);
    const signed = this.o.deriver?.applied(zone, delta, now, true);
    const version = this.writeEdit(zone, row, plan, delta, signed, t.actor, change.action, now);
    const notes = this.guarded(review, apex, plan.newSerial, t);
    this.o.zones.changed(served, this.o.store.zone(apex)!);
    return { apex, serial: plan.newSerial, version, changes: plan.changes, written: true, ...notes };
  }

  /** Put the planned RRsets into the served zone, recording the inverse change for `onUndo`. */
  private applyToMemory(served: ServedZone, puts: readonly PlannedPut[], now: number, onUndo: (u: () => void) => void): ZoneDelta {
    const delta = newDelta();
    const inverse: PlannedPut[] = [];
    for (const p of puts) {
      inverse.push({ name: p.name, type: p.type, after: served.zone.rrset(p.name, p.type) });
      served.zone.setRRset(p.name, p.type, p.after, delta);
    }
    onUndo(() => this.revert(served, inverse, now));
    return delta;
  }

  /** Records, the zone's version and change log entry, the audit rows and the journal step: in the commit's transaction. */
  private writeEdit(zone: Zone, row: ZoneRow, plan: EditPlan, delta: ZoneDelta, signed: SignedDelta | undefined, actor: Actor, action: string, now: number): number {
    this.o.store.putRRsets(row.id, plan.puts.map((p) => ({ name: p.name, type: p.type, rrset: p.after })));
    const version = this.o.store.advanceVersion(row.id, now, { names: [...new Set(plan.puts.map((p) => p.name))], signing: false });
    for (const c of plan.changes) this.audit(actor, row.name, action, now, c.before && rrsetToJson(c.before), c.after && rrsetToJson(c.after));
    this.journal(row.id, plan.serial, plan.newSerial, now, stepContent(zone, delta, signed));
    return version;
  }

  /** Create or replace a zone from records: checked whole before anything is written. */
  private importZone(change: Extract<ZoneChange, { kind: 'import' }>, t: Txn, asCatalog = false): CommitResult {
    const { apex } = change;
    const { actor, now } = t;
    const existing = this.o.store.zone(apex);
    if (existing && !change.replace) throw new ZoneExistsError(`zone ${apex} already exists`);
    if (existing) this.refuseCatalog(existing);
    const settings = parseSettings({ ...(existing ? JSON.parse(existing.settings) as object : {}), ...(change.settings ?? {}) });
    const records = settings.signed ? change.records.filter((r) => !isDerivedRecord(r, apex)) : change.records;
    const zone = buildZone(apex, records); // throws ZoneCheckError before anything is written
    if (zone.recordCount > this.maxZoneRecords) throw new EditError('invalid', zoneTooBig(apex, zone.recordCount, this.maxZoneRecords), 'records');
    const review = existing ? this.o.guard?.reviewImport(existing, zone, { force: !!change.force, now }) : undefined;
    const rows: Rec[] = [];
    let rrsets = 0;
    for (const rrset of zone.allRRsets()) {
      rrsets++;
      for (const rdata of rrset.rdatas) rows.push({ name: rrset.name, type: rrset.type, ttl: rrset.ttl, rdata });
    }
    const oldSerial = existing ? this.storedSerial(existing) : undefined;

    const id = this.o.store.writeZone(apex, rows, { settings, now });
    let keysCreated = 0;
    if (settings.signed && this.o.store.keys(id).length === 0 && change.makeKeys) {
      const keys = change.makeKeys();
      this.o.store.addKeys(id, keys);
      keysCreated = keys.length;
    }
    this.o.store.setSignEpoch(id, now);
    const version = existing ? this.o.store.advanceVersion(id, now, { names: null, signing: true }) : 1;
    const serial = soaSerial(zone.soa.rdatas[0]);
    const imported: ImportSummary = {
      records: rows.length, rrsets, names: zone.nodes.size, replaced: !!existing, droppedDnssec: change.records.length - records.length, keysCreated,
    };
    if (asCatalog) this.catalogs.markCatalog(id);
    this.audit(actor, apex, asCatalog ? 'catalog.create' : existing ? 'zone.replace' : 'zone.create', now, undefined, { serial, ...imported });
    if (oldSerial !== undefined) this.journal(id, oldSerial, serial, now, undefined);

    if (this.o.serving) {
      t.whole.push(apex);
      this.serveWhole(zone, this.o.store.zone(apex)!);
    }
    if (change.catalog) this.catalogMember({ kind: 'catalog-member', catalog: change.catalog.name, member: apex, group: change.catalog.group }, t);
    return { apex, serial, version, changes: [], imported, written: true, ...this.guarded(review, apex, serial, t) };
  }

  private deleteZone(change: Extract<ZoneChange, { kind: 'delete' }>, t: Txn): CommitResult {
    const { apex } = change;
    const { actor, now } = t;
    const row = this.o.store.zone(apex);
    if (!row) throw new EditError('no_zone', `no such zone: ${apex}`, 'zone');
    const serial = this.storedSerial(row);
    if (change.ifSerial !== undefined && change.ifSerial !== serial) {
      throw new EditError('stale', `zone ${apex} is at serial ${serial}, not ${change.ifSerial}`, 'if-match');
    }
    const membership = this.catalogs.membership(row.id);
    if (membership) this.leaveCatalog(membership.catalog, membership.label, t);
    this.o.store.deleteZone(apex);
    this.audit(actor, apex, 'zone.delete', now, { serial }, undefined);
    t.whole.push(apex);
    this.unserve(apex);
    return { apex, serial, version: 0, changes: [], written: true };
  }

  // ---------------------------------------------------------------------------------------
  // catalog zones (RFC 9432): the pipeline keeps a catalog's member records, in the commit
  // that changes the membership (zone created into a catalog, deleted, added, moved, removed)

  private createCatalog(change: Extract<ZoneChange, { kind: 'catalog-create' }>, t: Txn): CommitResult {
    const records = catalogRecords(change.apex, t.now);
    return this.importZone({ kind: 'import', apex: change.apex, records, settings: { signed: change.signed ?? false }, makeKeys: change.makeKeys }, t, true);
  }

  private catalogMember(change: Extract<ZoneChange, { kind: 'catalog-member' }>, t: Txn): CommitResult {
    const cat = this.o.store.zone(change.catalog);
    if (!cat || !this.catalogs.isCatalog(cat.id)) throw new EditError('no_zone', `no such catalog zone: ${change.catalog}`, 'catalog');
    const member = this.o.store.zone(change.member);
    if (!member) throw new EditError('no_zone', `no such zone: ${change.member}`, 'zone');
    if (this.catalogs.isCatalog(member.id)) throw new EditError('invalid', `${change.member} is a catalog zone, not a zone a catalog can list`, 'zone');
    const had = this.catalogs.membership(member.id);
    if (change.remove) {
      if (!had || had.catalog_id !== cat.id) throw new EditError('no_zone', `zone ${change.member} is not a member of catalog ${cat.name}`, 'zone');
      this.catalogs.removeMember(member.id);
      return this.leaveCatalog(cat.name, had.label, t);
    }
    if (had && had.catalog_id !== cat.id) {
      throw new EditError('exists', `zone ${change.member} is a member of catalog ${had.catalog}: remove it there first`, 'zone');
    }
    const group = change.group == null ? null : checkGroup(change.group);
    let label: string;
    if (had) {
      label = had.label;
      this.catalogs.setGroup(member.id, group);
    } else {
      label = newMemberLabel((l) => this.catalogs.labelTaken(cat.id, l));
      this.catalogs.addMember(cat.id, member.id, label, group, t.now);
    }
    return this.keepCatalog(cat.name, memberEdits(cat.name, label, member.name, group), had ? 'catalog.group' : 'catalog.add', t);
  }

  private leaveCatalog(catalog: Name, label: string, t: Txn): CommitResult {
    return this.keepCatalog(catalog, removalEdits(catalog, label), 'catalog.remove', t);
  }

  /** An edit of a catalog's member records, made by the pipeline: in the same transaction, told to others with the commit. */
  private keepCatalog(catalog: Name, edits: RRsetEdit[], action: string, t: Txn): CommitResult {
    const r = this.edit({ kind: 'edit', apex: catalog, edits, action }, t, true);
    if (r.written) t.also.push(r);
    return r;
  }

  /** A catalog's records are the pipeline's to keep: other writers change them through catalog-member. */
  private refuseCatalog(row: ZoneRow): void {
    if (this.catalogs.isCatalog(row.id)) {
      throw new EditError('not_allowed', `${row.name} is a catalog zone: its members change with catalog add and remove`, 'zone');
    }
  }

  /** New signing epoch (and keys), new serial: every signature is made again, and the step is a whole one. */
  private resign(change: Extract<ZoneChange, { kind: 'resign' }>, t: Txn): CommitResult {
    const { apex } = change;
    const { actor, now } = t;
    const row = this.o.store.zone(apex);
    if (!row) throw new EditError('no_zone', `no such zone: ${apex}`, 'zone');
    const serial = this.storedSerial(row);
    const unchanged = { apex, serial, version: row.version, changes: [], written: false };
    if (change.ifEpoch !== undefined && change.ifEpoch !== row.sign_epoch) return unchanged;
    const keysBefore = this.o.store.keys(row.id);
    if (change.ifKeys !== undefined && change.ifKeys !== keysToken(keysBefore)) return unchanged;
    const soa = this.storedSoa(row);
    const newSerial = nextSerial(serial, parseSettings(row.settings).serial, now);
    const newSoa = makeRRset(apex, RRType.SOA, soa.ttl, [withSoaSerial(soa.rdatas[0], newSerial)]);

    if (change.addKeys?.length) this.o.store.addKeys(row.id, change.addKeys);
    for (const m of change.keyStates ?? []) {
      const before = keysBefore.find((k) => k.id === m.id);
      if (!before) throw new EditError('stale', `zone ${apex} has no key ${m.id}`, 'key');
      this.o.store.setKeyState(row.id, m.id, m.state, now, m.dsSeenAt === undefined ? before.ds_seen_at : m.dsSeenAt);
    }
    for (const id of change.removeKeys ?? []) this.o.store.deleteKey(row.id, id);
    this.o.store.setSignEpoch(row.id, now);
    this.o.store.putRRsets(row.id, [{ name: apex, type: RRType.SOA, rrset: newSoa }]);
    const version = this.o.store.advanceVersion(row.id, now, { names: [apex], signing: true });
    const tagOf = (id: number) => keysBefore.find((k) => k.id === id)?.key_tag;
    this.audit(actor, apex, change.action, now, { serial, epoch: row.sign_epoch }, {
      serial: newSerial, epoch: now, keysAdded: change.addKeys?.map((k) => ({ role: k.role, keyTag: k.key_tag, state: k.state ?? 'active' })) ?? [],
      ...(change.keyStates?.length ? { keyStates: change.keyStates.map((m) => ({ keyTag: tagOf(m.id), state: m.state })) } : {}),
      ...(change.removeKeys?.length ? { keysRemoved: change.removeKeys.map(tagOf) } : {}),
    });
    this.journal(row.id, serial, newSerial, now, undefined);

    const served = this.o.zones.served(apex);
    if (served) this.follow(served, this.o.store.zone(apex)!, [apex], true, now);
    else if (this.o.serving) this.loadWhole(this.o.store.zone(apex)!);
    if (change.parentDs) this.setParentDs(change.parentDs, t);
    return { apex, serial: newSerial, version, changes: [], written: true };
  }

  /** What the guard did, audited (`guard.rollover`, `guard.forced`) and kept, in the commit's transaction. */
  private guarded(review: GuardReview | undefined, apex: Name, serial: number, t: Txn): { guard?: GuardNote[] } {
    if (!review?.notes.length) return {};
    for (const n of review.notes) this.audit(t.actor, apex, `guard.${n.kind}`, t.now, undefined, n);
    review.written?.(serial);
    return { guard: review.notes };
  }

  /** The child's DS RRset in its parent, hosted here: an edit of the parent in the child's commit, told to others with it. */
  private setParentDs(ds: ParentDs, t: Txn): void {
    const edits: RRsetEdit[] = [{ name: ds.owner, type: RRType.DS, ttl: ds.ttl, rdatas: ds.rdatas }];
    const r = this.edit({ kind: 'edit', apex: ds.parent, edits, action: 'key.ds' }, t, true);
    if (r.written) t.also.push(r);
  }

  private setPolicy(change: PolicyChange, t: Txn): CommitResult {
    const { apex, policy } = change;
    const row = this.o.store.zone(apex);
    if (!row) throw new EditError('no_zone', `no such zone: ${apex}`, 'zone');
    const kps = KeyPolicyStore.of(this.o.store);
    const before = kps.policy(row.id);
    kps.put(row.id, policy, t.now);
    this.audit(t.actor, apex, 'zone.policy', t.now, before, policy);
    const signatures = before.signatureValidity !== policy.signatureValidity || before.refresh !== policy.refresh;
    if (signatures && parseSettings(row.settings).signed) return this.resign({ kind: 'resign', apex, action: 'zone.policy' }, t);
    return { apex, serial: this.storedSerial(row), version: row.version, changes: [], written: false };
  }

  /** Memory back to before a failed commit: the inverse change, with derived data following it. */
  private revert(served: ServedZone, inverse: PlannedPut[], now: number): void {
    const delta = newDelta();
    for (const u of [...inverse].reverse()) served.zone.setRRset(u.name, u.type, u.after, delta);
    this.o.deriver?.applied(served.zone, delta, now, false);
    this.o.zones.changed(served, served.row);
  }

  // ---------------------------------------------------------------------------------------
  // catching up with commits made elsewhere

  /**
   * Bring one zone in memory to its stored version: the changes logged since the version
   * held, re-read name by name; a whole reload when the log does not reach back or a commit
   * replaced the zone. In a serving process a zone not held yet is loaded; the CLI loads one
   * here to edit it. Returns the served zone, or undefined when the store has none.
   */
  catchUp(apex: Name): ServedZone | undefined {
    return this.o.store.snapshot(() => {
      const row = this.o.store.zone(apex);
      const have = this.o.zones.served(apex);
      if (!row) { if (have) this.unserve(apex); return undefined; }
      if (have && have.row.id === row.id && have.row.version === row.version) return have;
      const log = have && have.row.id === row.id ? this.o.store.changesSince(row.id, have.row.version) : [];
      const incremental = have && log.length === row.version - have.row.version && log.every((c) => c.names !== null);
      const names = incremental ? new Set(log.flatMap((c) => c.names!)) : undefined;
      const served = have && names ? this.follow(have, row, names, log.some((c) => c.signing), this.o.now()) : this.loadWhole(row);
      this.announce(apex, row.version, served.zone.soa);
      this.tellChanged(apex, names ? [...names] : null);
      return served;
    });
  }

  /** Every zone to its stored version; zones gone from the store stop being served. The poll and start-up call this. */
  catchUpAll(): void {
    this.o.store.snapshot(() => {
      const stored = new Set<Name>();
      for (const row of this.o.store.listZones()) {
        stored.add(row.name);
        const have = this.o.zones.served(row.name);
        if (!have || have.row.id !== row.id || have.row.version !== row.version) {
          try {
            this.catchUp(row.name);
          } catch (err) {
            this.o.log?.(`zone ${row.name}: not loaded: ${(err as Error).message}`);
          }
        }
      }
      for (const apex of this.o.zones.apexes()) if (!stored.has(apex)) this.unserve(apex);
    });
  }

  /**
   * Apply stored changes to a served zone: re-read `names` from the store (the signer's apex
   * records stay: they are not stored), publish the apex records anew when signing changed,
   * then derived data and answers invalidated.
   */
  private follow(served: ServedZone, row: ZoneRow, names: Iterable<Name>, signing: boolean, now: number): ServedZone {
    const { zone } = served;
    const apex = zone.apex;
    const delta = newDelta();
    const keep = (name: Name, type: number) => name === apex && isDerivedRecord({ name, type }, apex) && parseSettings(row.settings).signed;
    for (const name of names) {
      const stored = new Map<number, { ttl: number; rdatas: Buffer[] }>();
      for (const r of this.o.store.recordsAt(row.id, name)) {
        const g = stored.get(r.type);
        if (g) g.rdatas.push(r.rdata); else stored.set(r.type, { ttl: r.ttl, rdatas: [r.rdata] });
      }
      for (const type of [...(zone.get(name)?.rrsets.keys() ?? [])]) {
        if (!stored.has(type) && !keep(name, type)) zone.setRRset(name, type, undefined, delta);
      }
      for (const [type, g] of stored) {
        const next = makeRRset(name, type, g.ttl, g.rdatas);
        // Unchanged RRsets keep their object, and so their kept signatures.
        if (!sameRRset(zone.rrset(name, type), next)) zone.setRRset(name, type, next, delta);
      }
    }
    if (signing && this.o.deriver && !this.o.deriver.signingChanged(apex, row.sign_epoch, delta) && parseSettings(row.settings).signed) {
      // Signed but without a signer so far (no keys until now): serve it whole, signed.
      return this.loadWhole(row);
    }
    this.o.deriver?.applied(zone, delta, now, false);
    this.o.zones.changed(served, row);
    return served;
  }

  /** Load a zone from the store and serve it. */
  private loadWhole(row: ZoneRow): ServedZone {
    const zone = buildZone(row.name, this.o.store.records(row.id), false);
    const served = this.serveWhole(zone, row);
    this.o.log?.(`zone ${row.name}: loaded version ${row.version}`);
    return served;
  }

  /** Serve a zone built whole: derived data attached, then swapped in. */
  private serveWhole(zone: Zone, row: ZoneRow): ServedZone {
    this.o.deriver?.attach(zone, parseSettings(row.settings), row.sign_epoch, newDelta());
    return this.o.zones.install(zone, row);
  }

  private unserve(apex: Name): void {
    if (!this.o.zones.served(apex)) return;
    this.o.deriver?.detach(apex);
    this.o.zones.remove(apex);
    this.o.log?.(`zone ${apex}: removed`);
  }

  // ---------------------------------------------------------------------------------------
  // the steps' helpers

  /**
   * Siblings first, then NOTIFY (the leader only: the others have no notify hook). A
   * secondary's SOA query after a NOTIFY may reach any worker, and one that does not serve
   * the version yet answers the old serial, after which the secondary waits for its refresh
   * timer: so NOTIFY leaves once the siblings serve it (or gave up waiting, at most 1 s).
   * `shared`: the siblings' promise when the caller already told them.
   */
  private announce(apex: Name, version: number, soa: RRset | undefined, shared?: Promise<void>): void {
    const notify = this.hooks.notify;
    if (!notify || !soa || version === 0) return;
    const wait = shared ?? this.hooks.share?.(apex, version);
    if (wait) void wait.then(() => notify(apex, soa));
    else notify(apex, soa);
  }

  /** After the commit: sibling workers catch up (their promise is what `settled` waits for); NOTIFY once they serve it; the changed names told. */
  private tellOthers(r: CommitResult): void {
    const shared = this.hooks.share?.(r.apex, r.version);
    if (shared) this.sharing.push(shared);
    this.announce(r.apex, r.version, this.o.zones.get(r.apex)?.soa, shared);
    this.tellChanged(r.apex, r.imported || r.version === 0 ? null : r.changes.map((c) => c.name));
  }

  /** The `changed` hook; what a listener does is its own business and never fails the commit. */
  private tellChanged(apex: Name, names: readonly Name[] | null): void {
    try {
      this.hooks.changed?.(apex, names);
    } catch (err) {
      this.o.log?.(`zone ${apex}: change listener failed: ${(err as Error).message}`);
    }
  }

  private audit(actor: Actor, zone: Name, action: string, at: number, before: unknown, after: unknown): void {
    this.o.store.insertAudit({
      at, token_id: actor.tokenId, token_label: actor.label, zone, action,
      before: before === undefined ? null : JSON.stringify(before), after: after === undefined ? null : JSON.stringify(after),
    });
  }

  /**
   * One journal step from `from` to `to`: its content, or (undefined) a whole-zone step.
   * Pruned to the limits every PRUNE_EVERY steps, and at once after a large one: counting the
   * journal's rows and bytes on every commit was most of a small commit's time.
   */
  private journal(zoneId: number, from: number, to: number, now: number, content: StepContent | undefined): void {
    if (from === to) return;
    const l = this.journalLimits;
    const step = this.o.xs.addJournal(zoneId, {
      serial_from: from, serial_to: to, at: now,
      removed: content ? encodeRRs(content.removed) : null, added: content ? encodeRRs(content.added) : null,
    });
    if (step.id % PRUNE_EVERY === 0 || step.bytes > l.maxBytes / PRUNE_EVERY) {
      this.o.xs.pruneJournal(zoneId, { maxEntries: l.maxEntries, maxBytes: l.maxBytes, minAt: now - l.maxAgeSec });
    }
  }

  private storedSoa(row: ZoneRow): RRset {
    const rdatas = this.o.store.recordsAt(row.id, row.name).filter((r) => r.type === RRType.SOA);
    if (rdatas.length !== 1) throw new Error(`zone ${row.name} has no stored SOA`);
    return makeRRset(row.name, RRType.SOA, rdatas[0].ttl, [rdatas[0].rdata]);
  }

  private storedSerial(row: ZoneRow): number {
    return soaSerial(this.storedSoa(row).rdatas[0]);
  }
}

export { EditError, ZoneExistsError, isDerivedRecord, nextSerial, type RRsetEdit } from './commit-plan.js';
