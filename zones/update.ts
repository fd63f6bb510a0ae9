// The one way zones change: validate → store (one transaction) → apply to the served zone → tell listeners.
import { isInZone, type Name } from './model/name.js';
import { RRType, isDnssecDerivedType, typeToText, type Rec } from './model/types.js';
import { makeRRset, sameRRset, type RRset } from './model/rrset.js';
import { soaSerial, withSoaSerial } from './model/rdata/index.js';
import type { Store, NewKey, RRsetChange } from './store/sqlite.js';
import type { Registry } from './registry.js';
import { newDelta, type ZoneDelta } from './zone.js';
import { buildZone } from './zone-build.js';
import { checkNames, ZoneCheckError } from './zone-check.js';
import { parseSettings, type SerialPolicy, type ZoneSettings } from './settings.js';

export interface ImportOptions {
  replace?: boolean;
  now: number;
  /** Settings for a new zone (or to change on replace); defaults: signed, NSEC3 1 0 0 -. */
  settings?: Partial<ZoneSettings>;
  /**
   * Keys for a zone that has none yet — made by the caller (the signer layer), so this
   * module stays free of crypto. Existing keys are kept on replace: the parent's DS stays valid.
   */
  makeKeys?: () => NewKey[];
}

/** Import over an existing zone without `replace`: a user error, reported as one line. */
export class ZoneExistsError extends Error {
  override name = 'ZoneExistsError';
}

export interface ImportResult {
  apex: Name;
  records: number;
  rrsets: number;
  names: number;
  replaced: boolean;
  /** DNSSEC records in the input that we derive ourselves and therefore dropped. */
  droppedDnssec: number;
  keysCreated: number;
}

/** Records the signer makes for itself: RRSIG/NSEC/NSEC3/NSEC3PARAM anywhere, DNSKEY/CDS/CDNSKEY at the apex. */
export function isDerivedRecord(r: Rec, apex: Name): boolean {
  if (isDnssecDerivedType(r.type)) return true;
  return r.name === apex && (r.type === RRType.DNSKEY || r.type === RRType.CDS || r.type === RRType.CDNSKEY);
}

/**
 * Import a whole zone: semantic checks first (nothing is written when they fail), then one
 * transaction that creates or replaces it, with its keys. Running servers notice the commit.
 */
export function importZone(store: Store, apex: Name, input: Rec[], opts: ImportOptions): ImportResult {
  const existing = store.zone(apex);
  if (existing && !opts.replace) throw new ZoneExistsError(`zone ${apex} already exists; use --replace to overwrite it`);
  const settings = parseSettings({ ...(existing ? JSON.parse(existing.settings) : {}), ...(opts.settings ?? {}) });
  const records = settings.signed ? input.filter((r) => !isDerivedRecord(r, apex)) : input;
  const zone = buildZone(apex, records); // throws ZoneCheckError before anything is written
  let rrsets = 0;
  const rows: Rec[] = [];
  for (const rrset of zone.allRRsets()) {
    rrsets++;
    for (const rdata of rrset.rdatas) rows.push({ name: rrset.name, type: rrset.type, ttl: rrset.ttl, rdata });
  }
  let keysCreated = 0;
  store.transaction(() => {
    const id = store.createZone(apex, rows, { replace: opts.replace, now: opts.now, settings });
    if (settings.signed && store.keys(id).length === 0 && opts.makeKeys) {
      const keys = opts.makeKeys();
      store.addKeys(id, keys, opts.now);
      keysCreated = keys.length;
    }
  });
  return { apex, records: rows.length, rrsets, names: zone.nodes.size, replaced: !!existing, droppedDnssec: input.length - records.length, keysCreated };
}

/** One RRset change: `rdatas` undefined (or empty) deletes the RRset. */
export interface RRsetEdit {
  name: Name;
  type: number;
  ttl?: number;
  rdatas?: Buffer[];
}

export class EditError extends Error {
  constructor(readonly code: 'no_zone' | 'not_allowed' | 'invalid' | 'stale', message: string, readonly field?: string) {
    super(message);
  }
}

export interface EditResult {
  serial: number;
  delta: ZoneDelta;
  /** The RRsets before and after, per edited (name, type), for the audit log. */
  changes: { name: Name; type: number; before?: RRset; after?: RRset }[];
}

/** The next SOA serial (RFC 1982 arithmetic: always "greater" than the current one). */
export function nextSerial(current: number, policy: SerialPolicy, now: number): number {
  const plus1 = (current + 1) >>> 0;
  if (policy === 'unixtime') {
    const diff = ((now >>> 0) - current) | 0;
    if (diff > 0) return now >>> 0;
  }
  return plus1 === 0 ? 1 : plus1;
}

/**
 * Apply RRset edits to a served zone: in memory first (synchronously, so no query sees a
 * half-applied edit), then the semantic checks, then one SQLite transaction that also bumps
 * the SOA serial once. Any failure rolls the in-memory zone back and writes nothing.
 */
export function applyEdits(store: Store, zones: Registry, apex: Name, edits: readonly RRsetEdit[],
  opts: { now: number; ifSerial?: number }): EditResult {
  const zone = zones.get(apex);
  const row = store.zone(apex);
  if (!zone || !row) throw new EditError('no_zone', `no such zone: ${apex}`);
  const settings = parseSettings(row.settings);
  const soaBefore = zone.soa;
  const serial = soaSerial(soaBefore.rdatas[0]);
  if (opts.ifSerial !== undefined && opts.ifSerial !== serial) {
    throw new EditError('stale', `zone ${apex} is at serial ${serial}, not ${opts.ifSerial}`);
  }
  const seen = new Set<string>();
  for (const [i, e] of edits.entries()) {
    const key = `${e.name} ${e.type}`;
    if (seen.has(key)) throw new EditError('invalid', `${e.name} ${typeToText(e.type)} is changed twice in one request`, `changes[${i}]`);
    seen.add(key);
    if (!isInZone(e.name, apex)) throw new EditError('invalid', `${e.name} is not inside zone ${apex}`, `changes[${i}].name`);
    if (settings.signed && isDerivedRecord({ name: e.name, type: e.type, ttl: 0, rdata: Buffer.alloc(0) }, apex)) {
      throw new EditError('not_allowed', `${typeToText(e.type)} at ${e.name} is maintained by the signer`, `changes[${i}].type`);
    }
  }
  const delta = newDelta();
  const undo: { name: Name; type: number; rrset?: RRset }[] = [];
  const changes: EditResult['changes'] = [];
  const put = (name: Name, type: number, rrset: RRset | undefined) => {
    const before = zone.rrset(name, type);
    undo.push({ name, type, rrset: before });
    zone.setRRset(name, type, rrset, delta);
    return before;
  };
  try {
    for (const e of edits) {
      const current = zone.rrset(e.name, e.type);
      const after = e.rdatas?.length ? makeRRset(e.name, e.type, e.ttl ?? current?.ttl ?? soaBefore.ttl, e.rdatas) : undefined;
      if (sameRRset(current, after)) continue;
      const before = put(e.name, e.type, after);
      changes.push({ name: e.name, type: e.type, before, after });
    }
    if (changes.length) {
      const soaNow = zone.soa;
      // An explicit SOA edit that moved the serial forward wins; otherwise bump once.
      const edited = soaSerial(soaNow.rdatas[0]);
      const newSerial = edited !== serial && ((edited - serial) | 0) > 0 ? edited : nextSerial(serial, settings.serial, opts.now);
      if (newSerial !== edited || soaNow === soaBefore) {
        put(apex, RRType.SOA, makeRRset(apex, RRType.SOA, soaNow.ttl, [withSoaSerial(soaNow.rdatas[0], newSerial)]));
      }
      checkNames(zone, delta.touched);
      const rows: RRsetChange[] = [...new Map(undo.map((u) => [`${u.name} ${u.type}`, u])).values()]
        .map((u) => ({ name: u.name, type: u.type, rrset: zone.rrset(u.name, u.type) }));
      store.applyRRsetChanges(row.id, rows, opts.now);
    }
  } catch (err) {
    const scratch = newDelta();
    for (const u of undo.reverse()) zone.setRRset(u.name, u.type, u.rrset, scratch);
    if (err instanceof ZoneCheckError) throw new EditError('invalid', err.message);
    throw err;
  }
  // Committed: signatures, the NSEC3 chain and NOTIFY follow from here, before the next query.
  if (changes.length) zones.committed(apex, delta);
  return { serial: soaSerial(zone.soa.rdatas[0]), delta, changes };
}
