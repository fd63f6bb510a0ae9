// RRsets as ready wire pieces (owner labels, and TYPE…RDATA per record and per RRSIG), made once per RRset and reused.
import { type Name, nameToWire, parentName, readWireName } from '../../zones/model/name.js';
import { RRType, CLASS_IN } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import { BoundedMap } from '../../zones/util/bounded-map.js';

/**
 * One record after its owner name. Most types are one finished buffer (TYPE, CLASS, TTL,
 * RDLENGTH, RDATA). Types whose RDATA names may be compressed keep those names apart, so the
 * message writer can point them at earlier names: `head` is TYPE, CLASS, TTL; `parts` is
 * RDATA as bytes and names in order, and RDLENGTH is known only once they are written.
 */
export type RRBody = Buffer | { head: Buffer; parts: (Buffer | Name)[] };

/** A name as wire labels plus every suffix's key, so compression needs no string slicing. */
export interface NameWire {
  wire: Buffer;
  /** suffixes[k] is the name from label k on; starts[k] is where its labels begin in `wire`. */
  suffixes: Name[];
  starts: number[];
}

/** The wire pieces of one RRset at one TTL, and of the RRSIG set it was last sent with. */
export interface RRsetWire {
  ttl: number;
  owner: NameWire;
  bodies: RRBody[];
  /** The RRSIG RDATA array the sig bodies were made from (by identity: a re-sign is a new array). */
  sigs?: readonly Buffer[];
  sigBodies?: Buffer[];
}

function nameWire(name: Name): NameWire {
  const wire = nameToWire(name);
  const suffixes: Name[] = [];
  const starts: number[] = [];
  for (let n = name, at = 0; n !== '.'; n = parentName(n)) {
    suffixes.push(n);
    starts.push(at);
    at += wire[at] + 1;
  }
  return { wire, suffixes, starts };
}

/**
 * Types whose RDATA names we may compress: RFC 1035 types only (RFC 3597 §4). DNAME
 * (RFC 6672 §2.5), SRV (RFC 2782) and RRSIG signer names (RFC 4034 §3.1.7) go out
 * uncompressed. MX has its name after the preference; SOA has two names back to back.
 */
function hasCompressibleNames(type: number): boolean {
  return type === RRType.NS || type === RRType.CNAME || type === RRType.PTR || type === RRType.MX || type === RRType.SOA;
}

function fixedHead(type: number, ttl: number, rdlength?: number): Buffer {
  const b = Buffer.allocUnsafe(rdlength === undefined ? 8 : 10);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(CLASS_IN, 2);
  b.writeUInt32BE(ttl >>> 0, 4);
  if (rdlength !== undefined) b.writeUInt16BE(rdlength, 8);
  return b;
}

/** RDATA as bytes and the names a writer may compress, in order (a single Buffer when there are none). */
function rdataParts(type: number, rdata: Buffer): (Buffer | Name)[] {
  if (!hasCompressibleNames(type)) return [rdata];
  const parts: (Buffer | Name)[] = [];
  let at = 0;
  const names = type === RRType.SOA ? 2 : 1;
  if (type === RRType.MX) { parts.push(rdata.subarray(0, 2)); at = 2; }
  for (let i = 0; i < names; i++) {
    const { name, next } = readWireName(rdata, at);
    parts.push(name);
    at = next;
  }
  if (at < rdata.length) parts.push(rdata.subarray(at));
  return parts;
}

/** The RDATA names that a writer may compress against earlier names (and so point into the question). */
export function compressibleRdataNames(type: number, rdata: Buffer): Name[] {
  if (!hasCompressibleNames(type)) return [];
  return rdataParts(type, rdata).filter((p): p is Name => typeof p === 'string');
}

/** The body of one record with this TYPE, TTL and (uncompressed) RDATA. */
function rrBody(type: number, ttl: number, rdata: Buffer): RRBody {
  if (!hasCompressibleNames(type)) return Buffer.concat([fixedHead(type, ttl, rdata.length), rdata]);
  return { head: fixedHead(type, ttl), parts: rdataParts(type, rdata) };
}

/**
 * Wire forms by RRset object. RRsets are immutable and replaced on edit, so an entry can
 * never be stale; the bound (approximate LRU) keeps a flood over a huge zone from holding a
 * second copy of it. Zone transfers do not go through here: they touch every RRset once.
 */
export class RRsetWireCache {
  private readonly map: BoundedMap<RRset, RRsetWire>;

  constructor(maxEntries = 50_000) {
    this.map = new BoundedMap(maxEntries);
  }

  /** The pieces for `rrset` sent with `ttl`, and with `sigs` when given. */
  get(rrset: RRset, ttl: number, sigs: readonly Buffer[] | undefined): RRsetWire {
    let w = this.map.get(rrset);
    if (!w || w.ttl !== ttl) {
      w = rrsetWire(rrset, ttl, undefined, w?.owner);
      this.map.set(rrset, w);
    }
    if (sigs && w.sigs !== sigs) addSigBodies(w, sigs);
    return w;
  }
}

/** Make the pieces for one RRset (no cache: zone transfers write each RRset once). */
export function rrsetWire(rrset: RRset, ttl: number, sigs: readonly Buffer[] | undefined, owner?: NameWire): RRsetWire {
  const w: RRsetWire = { ttl, owner: owner ?? nameWire(rrset.name), bodies: rrset.rdatas.map((rd) => rrBody(rrset.type, ttl, rd)) };
  if (sigs) addSigBodies(w, sigs);
  return w;
}

function addSigBodies(w: RRsetWire, sigs: readonly Buffer[]): void {
  w.sigs = sigs;
  w.sigBodies = sigs.map((s) => rrBody(RRType.RRSIG, w.ttl, s) as Buffer);
}
