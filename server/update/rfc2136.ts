// RFC 2136 §3.2–§3.4 on a zone as stored: prerequisites, the requester's permissions, the update prescan, and the update itself as RRset edits.
import { isInZone, type Name } from '../../zones/model/name.js';
import { RRType, isMetaType, isDnssecDerivedType } from '../../zones/model/types.js';
import { canonicalRdata, soaSerial } from '../../zones/model/rdata/index.js';
import type { Zone } from '../../zones/zone.js';
import type { RRsetEdit } from '../../zones/commit.js';
import { Rcode } from '../wire/parse.js';
import { CLASS, type UpdateMessage, type UpdateRR } from './message.js';

/** UPDATE's own rcodes (RFC 2136 §2.2). */
export const UpdateRcode = { ...Rcode, YXDOMAIN: 6, YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10 } as const;

/** Processing stops with this rcode (thrown from inside the commit, so nothing is written). */
export class UpdateRefusal extends Error {
  constructor(readonly rcode: number, message: string) { super(message); }
}

const fail = (rcode: number, message: string): never => { throw new UpdateRefusal(rcode, message); };

/** Types the signer makes: an UPDATE may not add or delete them (refused whole). */
function signerType(type: number): boolean {
  return isDnssecDerivedType(type) || type === RRType.DNSKEY || type === RRType.CDS || type === RRType.CDNSKEY;
}

/** Query-only types an update may not name (RFC 2136 §3.4.1.2: ANY, AXFR, MAILA, MAILB, other meta types). */
function metaType(type: number): boolean {
  return isMetaType(type);
}

const same = (type: number, a: Buffer, b: Buffer): boolean => canonicalRdata(type, a).equals(canonicalRdata(type, b));

/** Who may change what: answers why not, or undefined. */
export type Permission = (name: Name, type: number) => string | undefined;

/**
 * RFC 2136 §3.2: every prerequisite holds in `zone`, else the rcode it names. Static errors
 * (NOTZONE, FORMERR) and the state of the zone are checked in section order.
 */
export function checkPrerequisites(zone: Zone, m: UpdateMessage): void {
  const apex = zone.apex;
  // Value-dependent prerequisites are compared as whole RRsets (§3.2.3), collected first.
  const wanted = new Map<string, { name: Name; type: number; rdatas: Buffer[] }>();
  for (const rr of m.prerequisites) {
    if (!isInZone(rr.name, apex)) fail(UpdateRcode.NOTZONE, `prerequisite ${rr.name} is outside zone ${apex}`);
    if (rr.ttl !== 0) fail(UpdateRcode.FORMERR, `prerequisite ${rr.name} has TTL ${rr.ttl}, not 0`);
    const node = zone.get(rr.name);
    const inUse = (node?.rrsets.size ?? 0) > 0;
    if (rr.klass === CLASS.ANY) {
      if (rr.rdata.length) fail(UpdateRcode.FORMERR, `prerequisite ${rr.name} of class ANY has RDATA`);
      if (rr.type === RRType.ANY) { if (!inUse) fail(UpdateRcode.NXDOMAIN, `${rr.name} is not in use`); }
      else if (!node?.rrsets.get(rr.type)) fail(UpdateRcode.NXRRSET, `${rr.name} has no RRset of type ${rr.type}`);
    } else if (rr.klass === CLASS.NONE) {
      if (rr.rdata.length) fail(UpdateRcode.FORMERR, `prerequisite ${rr.name} of class NONE has RDATA`);
      if (rr.type === RRType.ANY) { if (inUse) fail(UpdateRcode.YXDOMAIN, `${rr.name} is in use`); }
      else if (node?.rrsets.get(rr.type)) fail(UpdateRcode.YXRRSET, `${rr.name} has an RRset of type ${rr.type}`);
    } else if (rr.klass === m.zoneClass) {
      if (metaType(rr.type)) fail(UpdateRcode.FORMERR, `prerequisite ${rr.name} of the zone's class has meta type ${rr.type}`);
      const key = `${rr.name} ${rr.type}`;
      const w = wanted.get(key) ?? { name: rr.name, type: rr.type, rdatas: [] };
      w.rdatas.push(rr.rdata);
      wanted.set(key, w);
    } else {
      fail(UpdateRcode.FORMERR, `prerequisite ${rr.name} has class ${rr.klass}`);
    }
  }
  for (const w of wanted.values()) {
    const have = zone.rrset(w.name, w.type);
    const haveAll = have ? have.rdatas : [];
    const matches = haveAll.length > 0
      && w.rdatas.every((rd) => haveAll.some((h) => same(w.type, rd, h)))
      && haveAll.every((h) => w.rdatas.some((rd) => same(w.type, rd, h)));
    if (!matches) fail(UpdateRcode.NXRRSET, `${w.name} type ${w.type} is not the RRset the prerequisite names`);
  }
}

/**
 * RFC 2136 §3.4.1 prescan of the update section, and this server's rule that DNSSEC records
 * are the signer's (REFUSED). Then §3.3: every change within the requester's permission.
 */
export function prescan(zone: Zone, m: UpdateMessage, permitted: Permission): void {
  const apex = zone.apex;
  for (const rr of m.updates) {
    if (!isInZone(rr.name, apex)) fail(UpdateRcode.NOTZONE, `update ${rr.name} is outside zone ${apex}`);
    if (rr.klass === m.zoneClass) {
      if (metaType(rr.type)) fail(UpdateRcode.FORMERR, `update ${rr.name}: cannot add records of meta type ${rr.type}`);
    } else if (rr.klass === CLASS.ANY) {
      if (rr.ttl !== 0 || rr.rdata.length !== 0) fail(UpdateRcode.FORMERR, `update ${rr.name}: a deletion (class ANY) has TTL 0 and no RDATA`);
      if (metaType(rr.type) && rr.type !== RRType.ANY) fail(UpdateRcode.FORMERR, `update ${rr.name}: meta type ${rr.type}`);
    } else if (rr.klass === CLASS.NONE) {
      if (rr.ttl !== 0) fail(UpdateRcode.FORMERR, `update ${rr.name}: a deletion (class NONE) has TTL 0`);
      if (metaType(rr.type)) fail(UpdateRcode.FORMERR, `update ${rr.name}: meta type ${rr.type}`);
    } else {
      fail(UpdateRcode.FORMERR, `update ${rr.name} has class ${rr.klass}`);
    }
    if (signerType(rr.type)) fail(UpdateRcode.REFUSED, `update ${rr.name}: type ${rr.type} records are made by the signer`);
  }
  for (const rr of m.updates) {
    // Deleting every RRset at a name needs the right to each type there.
    const types = rr.type === RRType.ANY ? [...(zone.get(rr.name)?.rrsets.keys() ?? [])].filter((t) => !signerType(t) && !(rr.name === apex && (t === RRType.SOA || t === RRType.NS))) : [rr.type];
    for (const t of types) {
      const problem = permitted(rr.name, t);
      if (problem) fail(UpdateRcode.REFUSED, problem);
    }
  }
}

/** One RRset being changed, as the update section leaves it. */
interface Working { name: Name; type: number; ttl: number; rdatas: Buffer[]; changed: boolean }

/**
 * RFC 2136 §3.4.2: the update section applied in order to the zone as stored, as RRset edits
 * for the commit. The RFC's silent cases are kept: an SOA whose serial does not grow, a CNAME
 * beside other data (or data beside a CNAME), the apex SOA and NS deleted, the last apex NS
 * deleted — each is ignored, not an error (§3.4.2.2–§3.4.2.4).
 */
export function updateEdits(zone: Zone, m: UpdateMessage): RRsetEdit[] {
  const apex = zone.apex;
  const work = new Map<string, Working>();
  const at = (name: Name, type: number): Working => {
    const key = `${name} ${type}`;
    let w = work.get(key);
    if (!w) {
      const have = zone.rrset(name, type);
      w = { name, type, ttl: have?.ttl ?? 0, rdatas: have ? [...have.rdatas] : [], changed: false };
      work.set(key, w);
    }
    return w;
  };
  /** The types at a name as the update has left them so far. */
  const typesAt = (name: Name): number[] => {
    const out = new Set<number>([...(zone.get(name)?.rrsets.keys() ?? [])]);
    for (const w of work.values()) if (w.name === name) { if (w.rdatas.length) out.add(w.type); else out.delete(w.type); }
    return [...out].filter((t) => !signerType(t));
  };
  for (const rr of m.updates) {
    if (rr.klass === m.zoneClass) add(rr);
    else if (rr.klass === CLASS.ANY) deleteRRsets(rr);
    else deleteRR(rr);
  }
  function add(rr: UpdateRR): void {
    const types = typesAt(rr.name);
    if (rr.type === RRType.SOA) {
      const soa = at(rr.name, RRType.SOA);
      if (rr.name !== apex || !soa.rdatas.length) return;
      const diff = (soaSerial(rr.rdata) - soaSerial(soa.rdatas[0])) | 0;
      if (diff <= 0) return; // §3.4.2.2: only a serial that grows replaces the SOA
      Object.assign(soa, { ttl: rr.ttl, rdatas: [rr.rdata], changed: true });
      return;
    }
    if (rr.type === RRType.CNAME && types.some((t) => t !== RRType.CNAME)) return;
    if (rr.type !== RRType.CNAME && types.includes(RRType.CNAME)) return;
    const w = at(rr.name, rr.type);
    if (rr.type === RRType.CNAME) {
      Object.assign(w, { ttl: rr.ttl, rdatas: [rr.rdata], changed: true });
      return;
    }
    const i = w.rdatas.findIndex((rd) => same(rr.type, rd, rr.rdata));
    if (i >= 0) w.rdatas[i] = rr.rdata; else w.rdatas.push(rr.rdata);
    // One TTL per RRset (RFC 2181 §5.2): the record just added sets it.
    w.ttl = rr.ttl;
    w.changed = true;
  }
  function deleteRRsets(rr: UpdateRR): void {
    const types = rr.type === RRType.ANY ? typesAt(rr.name) : [rr.type];
    for (const t of types) {
      if (rr.name === apex && (t === RRType.SOA || t === RRType.NS)) continue; // §3.4.2.3
      const w = at(rr.name, t);
      if (w.rdatas.length) Object.assign(w, { rdatas: [], changed: true });
    }
  }
  function deleteRR(rr: UpdateRR): void {
    if (rr.type === RRType.SOA) return; // §3.4.2.4
    const w = at(rr.name, rr.type);
    const i = w.rdatas.findIndex((rd) => same(rr.type, rd, rr.rdata));
    if (i < 0) return;
    if (rr.name === apex && rr.type === RRType.NS && w.rdatas.length === 1) return; // the last apex NS stays
    w.rdatas.splice(i, 1);
    w.changed = true;
  }
  return [...work.values()].filter((w) => w.changed).map((w) => ({ name: w.name, type: w.type, ttl: w.ttl, rdatas: w.rdatas }));
}
