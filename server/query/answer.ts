// Build the sections for a query from lookup results: CNAME/DNAME chains across our zones, referrals, negatives.
import type { Name } from '../../zones/model/name.js';
import { isInZone, nameToWire } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { makeRRset, type RRset } from '../../zones/model/rrset.js';
import { rdataTargetName } from '../../zones/model/rdata/index.js';
import type { Zone } from '../../zones/zone.js';
import type { Registry } from '../../zones/registry.js';
import { lookup, type Lookup } from './resolve.js';
import { Rcode } from '../wire/parse.js';
import { emptyResponse, rrEntry, EDE, type RREntry, type Response } from '../wire/response.js';

/** One lookup along the chain; the DNSSEC step proves each of them. */
export interface Step {
  zone: Zone;
  qname: Name;
  result: Lookup;
}

export interface Answered {
  response: Response;
  steps: Step[];
}

/**
 * RFC 1034 §4.3.2 step 3 loops on CNAMEs; we bound the chain so a loop or a long chain
 * costs a fixed amount (BIND and Knot stop around the same length).
 */
export const MAX_CHAIN = 12;

/** Answer qname/qtype from the zones we serve: the sections, and the lookups that made them. */
export function answer(zones: Registry, qname: Name, qtype: number, dnssecOk = false): Answered {
  const first = zones.forQuestion(qname, qtype);
  if (!first) {
    const r = emptyResponse(Rcode.REFUSED);
    r.ede = { code: EDE.NOT_AUTHORITATIVE, text: 'not authoritative for this name' };
    return { response: r, steps: [] };
  }
  const response = emptyResponse(Rcode.NOERROR, true);
  const steps: Step[] = [];
  let zone: Zone | undefined = first;
  let name = qname;
  // A name already looked up means a loop; the steps are the names visited (at most MAX_CHAIN).
  while (zone && steps.length < MAX_CHAIN && !visitedName(steps, name)) {
    const result = lookup(zone, name, qtype);
    steps.push({ zone, qname: name, result });
    const next = addStep(response, zone, name, qtype, result, steps.length === 1, dnssecOk);
    if (next === undefined) break;
    name = next;
    // Follow into any zone we are authoritative for (RFC 6604 §2); stop at foreign names.
    zone = zones.forQuestion(name, qtype);
  }
  return { response, steps };
}

function visitedName(steps: readonly Step[], name: Name): boolean {
  for (const s of steps) if (s.qname === name) return true;
  return false;
}

/** Put one lookup's records in the sections; return the next name when the chain continues. */
function addStep(resp: Response, zone: Zone, qname: Name, qtype: number, r: Lookup, isFirst: boolean, dnssecOk: boolean): Name | undefined {
  switch (r.kind) {
    case 'answer':
      resp.answer.push(rrEntry(r.owner, r.rrset, zone));
      addTargetAddresses(resp, zone, r.rrset);
      return undefined;
    case 'any':
      // The RRset chosen gets the additional processing its type gets in any answer.
      for (const rrset of r.rrsets) {
        resp.answer.push(rrEntry(r.owner, rrset, zone));
        addTargetAddresses(resp, zone, rrset);
      }
      return undefined;
    case 'cname':
      resp.answer.push(rrEntry(r.owner, r.rrset, zone));
      return r.target;
    case 'dname': {
      resp.answer.push(rrEntry(r.owner, r.rrset, zone));
      if (r.target === undefined) {
        // RFC 6672 §2.2: the synthesised name would be too long.
        resp.rcode = Rcode.YXDOMAIN;
        return undefined;
      }
      // The synthesised CNAME carries the DNAME's TTL and is never signed (RFC 6672 §3.4).
      const cname = rrEntry(qname, synthesizedCname(qname, r.target, r.rrset.ttl));
      cname.once = true;
      resp.answer.push(cname);
      // It stands at qname as a CNAME would (RFC 6672 §3.2): one that matches QTYPE answers the
      // question, and the chain is not followed (RFC 1034 §4.3.2 step 3a).
      return qtype === RRType.CNAME ? undefined : r.target;
    }
    case 'referral':
      // A referral is not authoritative (RFC 1034 §4.3.2 3b) — unless we got here along a chain
      // whose first answer was ours (RFC 6604 §3: AA follows the first owner).
      if (isFirst) resp.aa = false;
      resp.authority.push(rrEntry(r.cut, r.ns));
      // The DS of a secure delegation goes with the referral only for DO clients (RFC 4035 §3.1.4).
      if (r.ds && dnssecOk) resp.authority.push(rrEntry(r.cut, r.ds, zone));
      addGlue(resp, zone, r.ns);
      return undefined;
    case 'nodata':
      resp.rcode = Rcode.NOERROR;
      resp.authority.push(negativeSoa(zone));
      return undefined;
    case 'nxdomain':
      resp.rcode = Rcode.NXDOMAIN;
      resp.authority.push(negativeSoa(zone));
      return undefined;
  }
}

function synthesizedCname(owner: Name, target: Name, ttl: number): RRset {
  return makeRRset(owner, RRType.CNAME, ttl, [nameToWire(target)]);
}

/**
 * RFC 2308 §3 / RFC 9077 §3: the SOA in a negative answer carries
 * min(SOA TTL, SOA MINIMUM) — the time a resolver may cache the denial.
 */
export function negativeSoa(zone: Zone): RREntry {
  const soa = zone.soa;
  const rd = soa.rdatas[0];
  const minimum = rd.readUInt32BE(rd.length - 4);
  return rrEntry(zone.apex, soa, zone, Math.min(soa.ttl, minimum));
}

/** Types whose answers carry the addresses of their targets in the additional section (addTargetAddresses). */
export function addsAddresses(type: number): boolean {
  return type === RRType.NS || type === RRType.MX || type === RRType.SRV;
}

/** Additional-section addresses for NS/MX/SRV targets inside this zone (RFC 1035 §3.3.9, RFC 2782). */
function addTargetAddresses(resp: Response, zone: Zone, rrset: RRset): void {
  if (!addsAddresses(rrset.type)) return;
  for (const rd of rrset.rdatas) {
    const target = rdataTargetName(rrset.type, rd);
    if (!target || !isInZone(target, zone.apex)) continue;
    const r = lookup(zone, target, RRType.A);
    // Only authoritative data, never something found past a cut or via a wildcard.
    if (r.kind !== 'answer' && r.kind !== 'nodata') continue;
    if (r.kind === 'answer' && r.wildcard) continue;
    pushAddresses(resp, zone, target, false);
  }
}

/** Glue for a referral: addresses of NS targets inside this zone, incl. below the cut (RFC 1034 §4.2.1). */
function addGlue(resp: Response, zone: Zone, ns: RRset): void {
  for (const rd of ns.rdatas) {
    const target = rdataTargetName(RRType.NS, rd);
    if (target && isInZone(target, zone.apex)) pushAddresses(resp, zone, target, true);
  }
}

function pushAddresses(resp: Response, zone: Zone, target: Name, glue: boolean): void {
  const node = zone.get(target);
  if (!node) return;
  for (const t of [RRType.A, RRType.AAAA]) {
    const rrset = node.rrsets.get(t);
    if (rrset && !resp.additional.some((e) => e.rrset === rrset)) resp.additional.push(rrEntry(target, rrset, glue ? undefined : zone));
  }
}
