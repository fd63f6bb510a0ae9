// Look a name up in one zone (RFC 1034 §4.3.2, RFC 4592, RFC 6672) and classify the outcome; no packet work here.
import { type Name, readWireName, nameWireLength, labelStartBefore } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import type { Zone, ZoneNode } from '../../zones/zone.js';
import { suffixHash } from '../../zones/model/name-filter.js';

/**
 * What a lookup found. Denial proofs and signatures are a switch on this, so every case
 * carries the names a proof needs (closest encloser, wildcard source).
 */
export type Lookup =
  /** Data of the asked type at qname; `wildcard` is the `*.` name it was synthesised from (RFC 4592 §4.3). */
  | { kind: 'answer'; owner: Name; rrset: RRset; wildcard?: Name; closestEncloser?: Name }
  /** RFC 8482 minimal ANY: one RRset standing for the node. */
  | { kind: 'any'; owner: Name; rrsets: RRset[]; wildcard?: Name; closestEncloser?: Name }
  /** A CNAME at qname (or at the wildcard that matched it) redirects the query. */
  | { kind: 'cname'; owner: Name; rrset: RRset; target: Name; wildcard?: Name; closestEncloser?: Name }
  /** A DNAME at an ancestor of qname (RFC 6672 §3.2): synthesise a CNAME to `target`. */
  | { kind: 'dname'; owner: Name; rrset: RRset; target: Name | undefined }
  /** qname is at or below a zone cut: refer to the child's servers. */
  | { kind: 'referral'; cut: Name; ns: RRset; ds?: RRset }
  /** The name exists (possibly as an empty non-terminal, or via a wildcard) but not the type. */
  | { kind: 'nodata'; owner: Name; node: ZoneNode; wildcard?: Name; closestEncloser?: Name }
  /** No such name: `closestEncloser` is the deepest existing ancestor (RFC 5155 §7.2.1). */
  | { kind: 'nxdomain'; closestEncloser: Name };

const MAX_NAME_WIRE = 255;

/**
 * Classify qname/qtype against `zone` (qname must be in the zone). DS is answered from
 * this (parent) side of a cut; every other type at or below a cut is a referral.
 */
export function lookup(zone: Zone, qname: Name, qtype: number): Lookup {
  const apex = zone.apex;
  // Walk down from the apex towards qname, one label at a time: the first cut or DNAME
  // above qname decides (RFC 1034 §4.3.2 step 3b, RFC 6672 §3.2). Stop at the first
  // missing name: that is where the closest encloser ends.
  let name = apex;
  let node = zone.apexNode;
  let below = qname === apex ? 0 : qname.length - (apex === '.' ? 0 : apex.length);
  // The hash of qname[below..] (the apex, hashed once per zone), extended one label per step:
  // the zone's name filter tells most missing names from it, before a Map probe that would
  // miss (random labels do).
  let h = zone.apexSuffixHash;
  while (below > 0) {
    const start = labelStartBefore(qname, below);
    h = suffixHash(qname, start, below, h);
    // Every ancestor of qname is a suffix of its key: a slice names it (qname itself when
    // start is 0, whose hash the zone match already computed).
    const nextNode = zone.holding(qname, start, h);
    if (!nextNode) return nameMissing(zone, qname, qtype, name);
    // The zone's own key from here on: a string whose hash is computed and whose identity
    // later steps (NSEC3 proofs, compression) can compare by pointer.
    name = nextNode.name;
    node = nextNode;
    below = start;
    const isQname = start === 0;
    if (node.rrsets.has(RRType.NS)) {
      // At the cut itself a DS query belongs to us (RFC 4035 §3.1.4.1); anything else is referred.
      if (!(isQname && qtype === RRType.DS)) return referral(node);
    }
    if (!isQname) {
      const dname = node.rrsets.get(RRType.DNAME);
      if (dname) return { kind: 'dname', owner: name, rrset: dname, target: dnameTarget(qname, name, dname) };
    }
  }
  return atNode(node, qname, qtype);
}

/** RFC 1034 §4.3.2 step 3a/3c at an existing (or wildcard-matched) node. */
function atNode(node: ZoneNode, owner: Name, qtype: number, wildcard?: Name, closestEncloser?: Name): Lookup {
  // ANY matches every type, a CNAME too: at a CNAME's owner it answers with the CNAME, and the
  // chain is not followed (RFC 1034 §4.3.2 step 3a follows a CNAME only when QTYPE does not match it).
  if (qtype === RRType.ANY && node.rrsets.size > 0) {
    return { kind: 'any', owner, rrsets: minimalAny(node), wildcard, closestEncloser };
  }
  const rrset = node.rrsets.get(qtype);
  if (rrset) return { kind: 'answer', owner, rrset, wildcard, closestEncloser };
  const cname = node.rrsets.get(RRType.CNAME);
  if (cname) return { kind: 'cname', owner, rrset: cname, target: cnameTarget(cname), wildcard, closestEncloser };
  return { kind: 'nodata', owner, node, wildcard, closestEncloser };
}

/** qname does not exist below `closestEncloser`: a wildcard there may match (RFC 4592 §3.3.1). */
function nameMissing(zone: Zone, qname: Name, qtype: number, closestEncloser: Name): Lookup {
  const wild = zone.wildcardBelow(closestEncloser);
  if (!wild) return { kind: 'nxdomain', closestEncloser };
  // A wildcard is never a delegation or a DNAME source for the names it matches in a sane zone;
  // treat its data like any node's, owned by qname.
  return atNode(wild, qname, qtype, wild.name, closestEncloser);
}

function referral(node: ZoneNode): Lookup {
  return { kind: 'referral', cut: node.name, ns: node.rrsets.get(RRType.NS)!, ds: node.rrsets.get(RRType.DS) };
}

/** RFC 8482 §4.2: answer ANY with one RRset the node has, not all of them. */
function minimalAny(node: ZoneNode): RRset[] {
  let best: RRset | undefined;
  for (const r of node.rrsets.values()) if (!best || r.type < best.type) best = r;
  return best ? [best] : [];
}

/** RDATA of a CNAME/DNAME is one uncompressed name: decode it into a Name key. */
function rdataName(rdata: Buffer): Name {
  return readWireName(rdata, 0).name;
}

export function cnameTarget(cname: RRset): Name {
  return rdataName(cname.rdatas[0]);
}

/**
 * RFC 6672 §2.2: replace the DNAME owner suffix of qname with the DNAME target.
 * undefined when the result would exceed 255 octets (answered YXDOMAIN, RFC 6672 §2.2).
 */
export function dnameTarget(qname: Name, owner: Name, dname: RRset): Name | undefined {
  const target = rdataName(dname.rdatas[0]);
  const prefix = qname.slice(0, qname.length - owner.length);
  const synthesized = target === '.' ? prefix : prefix + target;
  if (nameWireLength(synthesized) > MAX_NAME_WIRE) return undefined;
  return synthesized;
}
