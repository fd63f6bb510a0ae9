// RRsets as ready wire pieces (owner labels, and TYPE…RDATA per record and per RRSIG), made once per RRset and reused.
import { type Name, nameToWire, parentName, readWireName } from '../../zones/model/name.js';
import { RRType, CLASS_IN } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import type { CachedSigs } from '../../signer/sig-cache.js';
import type { EntrySigner } from './response.js';

/**
 * One record after its owner name, for types whose RDATA names may be compressed: those
 * names are kept apart so the message writer can point them at earlier names. `head` is
 * TYPE, CLASS, TTL; `parts` is RDATA as bytes and names in order, and RDLENGTH is known only
 * once they are written.
 */
export interface RRBody { head: Buffer; parts: (Buffer | NameWire)[] }

/** A name as wire labels plus every suffix's key, so compression needs no string slicing. */
export interface NameWire {
  name: Name;
  wire: Buffer;
  /** suffixes[k] is the name from label k on; starts[k] is where its labels begin in `wire`. */
  suffixes: Name[];
  starts: number[];
}

/**
 * The wire pieces of one RRset at one TTL, and of the RRSIG set it was last sent with.
 *
 * Records are kept as one ready run of octets each for the data and for the RRSIGs, so a
 * reply copies an RRset in one go instead of record by record: TYPE, CLASS, TTL, RDLENGTH and
 * RDATA per record, and before every record but the data's first a 2-octet slot that the
 * writer fills with a pointer to the owner (RFC 1035 §4.1.4), wherever the owner landed in
 * this message. Fewer objects per RRset also means fewer cache misses for a random-label
 * query, which meets the records of an NSEC3 interval no recent query met.
 */
export interface RRsetWire {
  ttl: number;
  owner: NameWire;
  /** Number of data records. */
  count: number;
  /** The data records with their slots; undefined for types whose RDATA names may be compressed (`bodies`). */
  records: Buffer | undefined;
  /** Per record, for types whose RDATA names may be compressed against the message. */
  bodies: RRBody[] | undefined;
  /** The RRSIG RDATAs the sig records were made from (by identity: a re-sign is a new array). */
  sigs?: readonly Buffer[];
  /** Those RRSIGs' times and keys, when they came from a signer (EntrySigner.current checks them). */
  signed?: CachedSigs;
  /**
   * The data records followed by the RRSIG records, each after its owner slot: a signed
   * RRset in one copy. `records` is then a view of its start. Only with `records`.
   */
  signedRecords?: Buffer;
  /** The RRSIG records alone, each after its owner slot: for types written through `bodies`. */
  sigRecords?: Buffer;
}

export function nameWire(name: Name): NameWire {
  const wire = nameToWire(name);
  const suffixes: Name[] = [];
  const starts: number[] = [];
  for (let n = name, at = 0; n !== '.'; n = parentName(n)) {
    suffixes.push(n);
    starts.push(at);
    at += wire[at] + 1;
  }
  return { name, wire, suffixes, starts };
}

/**
 * Types whose RDATA names we may compress: RFC 1035 types only (RFC 3597 §4). DNAME
 * (RFC 6672 §2.5), SRV (RFC 2782) and RRSIG signer names (RFC 4034 §3.1.7) go out
 * uncompressed. MX has its name after the preference; SOA has two names back to back.
 */
function hasCompressibleNames(type: number): boolean {
  return type === RRType.NS || type === RRType.CNAME || type === RRType.PTR || type === RRType.MX || type === RRType.SOA;
}

function fixedHead(type: number, ttl: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(CLASS_IN, 2);
  b.writeUInt32BE(ttl >>> 0, 4);
  return b;
}

/** RDATA as bytes and the names a writer may compress, in order (a single Buffer when there are none). */
function rdataParts(type: number, rdata: Buffer): (Buffer | NameWire)[] {
  if (!hasCompressibleNames(type)) return [rdata];
  const parts: (Buffer | NameWire)[] = [];
  let at = 0;
  const names = type === RRType.SOA ? 2 : 1;
  if (type === RRType.MX) { parts.push(rdata.subarray(0, 2)); at = 2; }
  for (let i = 0; i < names; i++) {
    const { name, next } = readWireName(rdata, at);
    parts.push(nameWire(name));
    at = next;
  }
  if (at < rdata.length) parts.push(rdata.subarray(at));
  return parts;
}

/** The body of one record of a type with compressible RDATA names (hasCompressibleNames). */
function rrBody(type: number, ttl: number, rdata: Buffer): RRBody {
  return { head: fixedHead(type, ttl), parts: rdataParts(type, rdata) };
}

/** Octets an owner slot takes: a compression pointer. */
export const OWNER_SLOT = 2;

/**
 * Records of one type and TTL as one run: TYPE…RDATA each, after a 2-octet owner slot for
 * every record from `slotFrom` on (1 for data, whose first record follows the owner; 0 for
 * RRSIGs, which follow the data). Slots are left zero for the writer to fill.
 */
function recordRun(type: number, ttl: number, rdatas: readonly Buffer[], slotFrom: number): Buffer {
  let total = 0;
  for (let i = 0; i < rdatas.length; i++) total += (i >= slotFrom ? OWNER_SLOT : 0) + 10 + rdatas[i].length;
  const b = Buffer.alloc(total);
  let at = 0;
  for (let i = 0; i < rdatas.length; i++) {
    if (i >= slotFrom) at += OWNER_SLOT;
    const rd = rdatas[i];
    b.writeUInt16BE(type, at);
    b.writeUInt16BE(CLASS_IN, at + 2);
    b.writeUInt32BE(ttl >>> 0, at + 4);
    b.writeUInt16BE(rd.length, at + 8);
    rd.copy(b, at + 10);
    at += 10 + rd.length;
  }
  return b;
}

/**
 * Wire pieces kept on the RRsets themselves (RRset.encoded). RRsets are immutable and
 * replaced on edit, so pieces can never be stale; at most `maxEntries` RRsets hold pieces at
 * once (first in, first out), so a flood over a huge zone does not keep a second copy of it.
 * Zone transfers do not go through here: they touch every RRset once.
 */
export class RRsetWireCache {
  /** The RRsets holding pieces, oldest at `at` (a slot may name one whose pieces went already). */
  private readonly holders: (RRset | undefined)[];
  private at = 0;
  /** RRsets whose pieces were made, and RRSIG records made (a re-sign or an RRset new to the cache). */
  made = 0;
  signed = 0;

  constructor(readonly maxEntries = 50_000) {
    this.holders = new Array<RRset | undefined>(Math.max(1, maxEntries)).fill(undefined);
  }

  /** The pieces for `rrset` sent with `ttl`. */
  get(rrset: RRset, ttl: number): RRsetWire {
    let w = rrset.encoded as RRsetWire | undefined;
    if (w === undefined || w.ttl !== ttl) {
      if (w === undefined) this.hold(rrset);
      w = rrsetWire(rrset, ttl, undefined, w?.owner);
      rrset.encoded = w;
      this.made++;
    }
    return w;
  }

  /** The pieces for `rrset` with RRSIG records current at `now`, from `signer` when the held ones are not. */
  getSigned(rrset: RRset, ttl: number, signer: EntrySigner, now: number): RRsetWire {
    const w = this.get(rrset, ttl);
    if (w.signed === undefined || !signer.current(w.signed, now)) {
      const c = signer.signatures(rrset, now);
      if (c.sigs !== w.sigs) addSigRecords(w, c.sigs);
      w.signed = c;
      this.signed++;
    }
    return w;
  }

  private hold(rrset: RRset): void {
    const old = this.holders[this.at];
    if (old !== undefined) old.encoded = undefined;
    this.holders[this.at] = rrset;
    this.at = (this.at + 1) % this.holders.length;
  }
}

/** Make the pieces for one RRset (no cache: zone transfers write each RRset once). */
export function rrsetWire(rrset: RRset, ttl: number, sigs: readonly Buffer[] | undefined, owner?: NameWire): RRsetWire {
  const compressible = hasCompressibleNames(rrset.type);
  const w: RRsetWire = {
    ttl, owner: owner ?? nameWire(rrset.name), count: rrset.rdatas.length,
    records: compressible ? undefined : recordRun(rrset.type, ttl, rrset.rdatas, 1),
    bodies: compressible ? rrset.rdatas.map((rd) => rrBody(rrset.type, ttl, rd)) : undefined,
    sigs: undefined, signed: undefined, signedRecords: undefined, sigRecords: undefined,
  };
  if (sigs) addSigRecords(w, sigs);
  return w;
}

function addSigRecords(w: RRsetWire, sigs: readonly Buffer[]): void {
  w.sigs = sigs;
  const run = recordRun(RRType.RRSIG, w.ttl, sigs, 0);
  if (w.records) {
    const data = w.records.length;
    w.signedRecords = Buffer.concat([w.records, run]);
    w.records = w.signedRecords.subarray(0, data);
  } else {
    w.sigRecords = run;
  }
}
