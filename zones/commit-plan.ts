// What a commit may change and how the serial moves: the checks every writer's request goes through before anything is written.
import { isInZone, nameWireLength, type Name } from './model/name.js';
import { RRType, isDnssecDerivedType, typeToText, type Rec } from './model/types.js';
import { makeRRset, sameRRset, type RRset } from './model/rrset.js';
import { soaSerial, withSoaSerial } from './model/rdata/index.js';
import type { SerialPolicy, ZoneSettings } from './settings.js';
import type { Zone } from './zone.js';
import { apexOnlyProblem, tlsaProblem } from './record-rules.js';

/** One RRset change: `rdatas` undefined (or empty) deletes the RRset. */
export interface RRsetEdit {
  name: Name;
  type: number;
  ttl?: number;
  rdatas?: Buffer[];
}

/** Why a commit was refused; nothing was written. `field` names the part of the request at fault. */
export type CommitErrorCode = 'no_zone' | 'not_allowed' | 'invalid' | 'stale' | 'exists' | 'busy' | 'would_break_service';

export class EditError extends Error {
  constructor(readonly code: CommitErrorCode, message: string, readonly field?: string) {
    super(message);
  }
}

/** Import over an existing zone without `replace`: a user error, reported as one line. */
export class ZoneExistsError extends EditError {
  override name = 'ZoneExistsError';
  constructor(message: string) {
    super('exists', message, 'name');
  }
}

/** Records the signer makes for itself: RRSIG/NSEC/NSEC3/NSEC3PARAM anywhere, DNSKEY/CDS/CDNSKEY at the apex. */
export function isDerivedRecord(r: Pick<Rec, 'name' | 'type'>, apex: Name): boolean {
  if (isDnssecDerivedType(r.type)) return true;
  return r.name === apex && (r.type === RRType.DNSKEY || r.type === RRType.CDS || r.type === RRType.CDNSKEY);
}

/**
 * The most octets an RRset's records may take on the wire (owner written out each time).
 * A DNS message holds 65,535 octets, header, question and the RRset's RRSIG included: an
 * RRset larger than this could never be sent whole, so every answer would be truncated empty.
 */
export const MAX_RRSET_OCTETS = 64_000;

/**
 * Records one zone may hold (DANEPRIME_MAX_ZONE_RECORDS, `serve --max-zone-records`): the zone is
 * held in memory by every worker and signed as a whole, so its size is bounded like any input.
 */
export const DEFAULT_MAX_ZONE_RECORDS = 1_000_000;

export function zoneTooBig(apex: Name, records: number, max: number): string {
  return `zone ${apex} would hold ${records} records; at most ${max} (--max-zone-records, DANEPRIME_MAX_ZONE_RECORDS)`;
}

/** The RRset's records on the wire, uncompressed: what MAX_RRSET_OCTETS bounds. */
function rrsetOctets(e: RRsetEdit): number {
  const owner = nameWireLength(e.name);
  let n = 0;
  for (const rd of e.rdatas ?? []) n += owner + 10 + rd.length;
  return n;
}

/**
 * The request-level rules of an edit, before the zone is looked at: every name inside the
 * zone, no (name, type) twice, apex-only types at the apex, TLSA parameters from their
 * registries, no record the signer makes itself in a signed zone, no RRset too large for a DNS message.
 */
export function checkEdits(apex: Name, edits: readonly RRsetEdit[], signed: boolean): void {
  const seen = new Set<string>();
  for (const [i, e] of edits.entries()) {
    const key = `${e.name} ${e.type}`;
    if (seen.has(key)) throw new EditError('invalid', `${e.name} ${typeToText(e.type)} is changed twice in one request`, `changes[${i}]`);
    seen.add(key);
    if (!isInZone(e.name, apex)) throw new EditError('invalid', `${e.name} is not inside zone ${apex}`, `changes[${i}].name`);
    if (e.name === apex && e.type === RRType.SOA) {
      if (!e.rdatas?.length) throw new EditError('not_allowed', `the SOA of ${apex} cannot be deleted, only replaced`, `changes[${i}]`);
      if (e.rdatas.length !== 1) throw new EditError('invalid', `a zone has exactly one SOA record, not ${e.rdatas.length}`, `changes[${i}].records`);
    }
    const misplaced = apexOnlyProblem(e.name, e.type, apex);
    if (misplaced) throw new EditError('invalid', misplaced, `changes[${i}].type`);
    if (e.type === RRType.TLSA) {
      for (const [j, rdata] of (e.rdatas ?? []).entries()) {
        const problem = tlsaProblem(rdata);
        if (problem) throw new EditError('invalid', `${e.name}: ${problem}`, `changes[${i}].records[${j}]`);
      }
    }
    const octets = rrsetOctets(e);
    if (octets > MAX_RRSET_OCTETS) {
      throw new EditError('invalid', `${e.name} ${typeToText(e.type)}: ${e.rdatas!.length} records, ${octets} octets on the wire; at most ${MAX_RRSET_OCTETS} fit one DNS message with their signature`, `changes[${i}].records`);
    }
    if (signed && isDerivedRecord(e, apex)) {
      throw new EditError('not_allowed', `${typeToText(e.type)} at ${e.name} is maintained by the signer`, `changes[${i}].type`);
    }
  }
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

/** RFC 1982: is serial a after b? */
export function serialAfter(a: number, b: number): boolean {
  return a !== b && ((a - b) | 0) > 0;
}

/** One RRset to put (undefined: delete) at (name, type). */
export interface PlannedPut { name: Name; type: number; after: RRset | undefined }

/** What an edit will do to the zone as stored: the RRsets it puts, the SOA last, and the serials. */
export interface EditPlan {
  /** The serial now, and after the commit. */
  serial: number;
  newSerial: number;
  /** RRsets to put, the SOA (with its new serial) among them. */
  puts: PlannedPut[];
  /** The RRsets the request changes, before and after (the audit log's rows; the SOA only when the request named it). */
  changes: { name: Name; type: number; before?: RRset; after?: RRset }[];
}

/**
 * Plan an edit of `zone` (the stored version): check the request and the `If-Match` serial,
 * drop the RRsets it leaves as they are, and decide the new serial — the one an SOA edit gives
 * when it moves forward, else the zone's policy's next. `edits` may be a function of the
 * zone, called here. `review` (the commit guard) sees the checked edits and returns those to
 * plan. Throws EditError; changes nothing.
 */
export function planEdit(zone: Zone, settings: ZoneSettings, request: readonly RRsetEdit[] | ((zone: Zone) => readonly RRsetEdit[]),
  ifSerial: number | undefined, now: number, review?: (edits: readonly RRsetEdit[]) => readonly RRsetEdit[], maxRecords = DEFAULT_MAX_ZONE_RECORDS): EditPlan {
  const apex = zone.apex;
  const soaBefore = zone.soa;
  const serial = soaSerial(soaBefore.rdatas[0]);
  if (ifSerial !== undefined && ifSerial !== serial) throw new EditError('stale', `zone ${apex} is at serial ${serial}, not ${ifSerial}`);
  let edits = typeof request === 'function' ? request(zone) : request;
  checkEdits(apex, edits, settings.signed);
  // The commit guard sees only well-formed requests, and may hand back other edits (checked again).
  if (review) {
    edits = review(edits);
    checkEdits(apex, edits, settings.signed);
  }
  const puts: PlannedPut[] = [];
  const changes: EditPlan['changes'] = [];
  for (const e of edits) {
    const current = zone.rrset(e.name, e.type);
    const after = e.rdatas?.length ? makeRRset(e.name, e.type, e.ttl ?? current?.ttl ?? soaBefore.ttl, e.rdatas) : undefined;
    if (sameRRset(current, after)) continue;
    puts.push({ name: e.name, type: e.type, after });
    changes.push({ name: e.name, type: e.type, before: current, after });
  }
  if (!changes.length) return { serial, newSerial: serial, puts, changes };
  const records = changes.reduce((n, c) => n + (c.after?.rdatas.length ?? 0) - (c.before?.rdatas.length ?? 0), zone.recordCount);
  // A zone over the limit (the limit lowered since) may still shrink.
  if (records > maxRecords && records > zone.recordCount) throw new EditError('invalid', zoneTooBig(apex, records, maxRecords), 'records');
  const soaEdit = puts.find((p) => p.name === apex && p.type === RRType.SOA);
  const edited = soaEdit?.after ? soaSerial(soaEdit.after.rdatas[0]) : serial;
  const newSerial = serialAfter(edited, serial) ? edited : nextSerial(serial, settings.serial, now);
  if (newSerial !== edited || !soaEdit) {
    const base = soaEdit?.after ?? soaBefore;
    const soa = makeRRset(apex, RRType.SOA, base.ttl, [withSoaSerial(base.rdatas[0], newSerial)]);
    if (soaEdit) soaEdit.after = soa; else puts.push({ name: apex, type: RRType.SOA, after: soa });
  }
  return { serial, newSerial, puts, changes };
}
