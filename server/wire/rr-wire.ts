// RRsets as ready wire pieces (owner labels, then TYPE…RDATA per record and per RRSIG), made once per RRset and reused.
import { type Name, nameToWire, nameWireLength, parentName, readWireName } from '../../zones/model/name.js';
import { RRType, CLASS_IN } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import type { SigValidity } from '../../signer/sig-cache.js';
import type { EntrySigner } from './response.js';
import { Slabs } from '../../zones/util/slab.js';
import { messageBuffer } from './message-buffer.js';

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
 * For most types everything is one ready run of octets: the owner's labels above its zone's
 * apex, a 2-octet slot for a pointer to the apex, then TYPE, CLASS, TTL, RDLENGTH and RDATA
 * per record, and before every record but the first (RRSIGs included) a 2-octet slot for a
 * pointer to the owner (RFC 1035 §4.1.4). A reply copies an RRset in one go and fills the
 * slots with wherever the apex and the owner landed in this message. A random-label query
 * meets the records of an NSEC3 interval no recent query met: one object and one run are
 * the few cache lines it has to wait for.
 *
 * The validity of the RRSIGs in the run (SigValidity) is kept here too, so a repeated RRset
 * needs no signature lookup at all.
 */
export interface RRsetWire extends SigValidity {
  ttl: number;
  /** The zone apex the pieces were made for; `run` has an owner part when recordsAt > 0. */
  apex: Name | undefined;
  /** Octets of owner labels at the start of `run`, before the apex slot. */
  prefix: number;
  /** Where the first record starts in `run`: 0, or prefix + 2 after the owner part. */
  recordsAt: number;
  /** Where the RRSIG records start in `run` (run.length when it holds none). */
  sigsAt: number;
  /** Number of data records, and of RRSIG records in `run` or `sigRecords`. */
  count: number;
  sigCount: number;
  /** The run; undefined for types whose RDATA names may be compressed (`bodies`). */
  run: Buffer | undefined;
  /** Per record, for types whose RDATA names may be compressed against the message. */
  bodies: RRBody[] | undefined;
  /** The RRSIG records, each after an owner slot: for types written through `bodies`. */
  sigRecords: Buffer | undefined;
  /** The owner as labels and suffix keys, made when a reply first needs it spelled out. */
  owner: NameWire | undefined;
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
 * How many RDATA names of `type` we may compress (0 for most): RFC 1035 types only (RFC 3597 §4). DNAME
 * (RFC 6672 §2.5), SRV (RFC 2782) and RRSIG signer names (RFC 4034 §3.1.7) go out
 * uncompressed. MX has its name after the preference; SOA has two names back to back.
 */
export function compressedRdataNames(type: number): number {
  return type === RRType.SOA ? 2 : type === RRType.NS || type === RRType.CNAME || type === RRType.PTR || type === RRType.MX ? 1 : 0;
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
  const names = compressedRdataNames(type);
  if (names === 0) return [rdata];
  const parts: (Buffer | NameWire)[] = [];
  let at = 0;
  if (type === RRType.MX) { parts.push(rdata.subarray(0, 2)); at = 2; }
  for (let i = 0; i < names; i++) {
    const { name, next } = readWireName(rdata, at);
    parts.push(nameWire(name));
    at = next;
  }
  if (at < rdata.length) parts.push(rdata.subarray(at));
  return parts;
}

/** The body of one record of a type with compressible RDATA names (compressedRdataNames). */
function rrBody(type: number, ttl: number, rdata: Buffer): RRBody {
  return { head: fixedHead(type, ttl), parts: rdataParts(type, rdata) };
}

/** Octets a slot takes: a compression pointer. */
export const SLOT = 2;

/**
 * Records of one type and TTL, TYPE…RDATA each, after a slot for every record from
 * `slotFrom` on, written into `b` at `at`; returns the offset after them (sizes: runLength).
 */
function writeRecords(b: Buffer, at: number, type: number, ttl: number, rdatas: readonly Buffer[], slotFrom: number): number {
  for (let i = 0; i < rdatas.length; i++) {
    if (i >= slotFrom) at += SLOT;
    const rd = rdatas[i];
    b.writeUInt16BE(type, at);
    b.writeUInt16BE(CLASS_IN, at + 2);
    b.writeUInt32BE(ttl >>> 0, at + 4);
    b.writeUInt16BE(rd.length, at + 8);
    rd.copy(b, at + 10);
    at += 10 + rd.length;
  }
  return at;
}

function runLength(rdatas: readonly Buffer[], slotFrom: number): number {
  let total = 0;
  for (let i = 0; i < rdatas.length; i++) total += (i >= slotFrom ? SLOT : 0) + 10 + rdatas[i].length;
  return total;
}

/**
 * Wire pieces kept on the RRsets themselves (RRset.encoded). RRsets are immutable and
 * replaced on edit, so pieces can never be stale; at most `maxEntries` RRsets hold pieces at
 * once (first in, first out), so a flood over a huge zone does not keep a second copy of it.
 * Zone transfers do not go through here: they touch every RRset once.
 *
 * The list of holders names them weakly: it bounds how many RRsets hold pieces, and must not
 * keep alive an RRset the zone has let go (replaced by an UPDATE, a re-sign or a reload).
 * Named strongly, each such RRset would stay, with its pieces and often the 8 KB pool chunk
 * its RDATA was cut from, until 50,000 later RRsets pushed it out: up to hundreds of MB for
 * RRsets no zone holds, under a stream of UPDATEs.
 */
export class RRsetWireCache {
  /** The RRsets holding pieces, oldest at `at` (a slot may name one whose pieces went already, or one collected since). */
  private readonly holders: (WeakRef<RRset> | undefined)[];
  private at = 0;
  /** Held runs are let go first in, first out: slabs suit them (zones/util/slab.ts). */
  private readonly slabs = new Slabs();
  private readonly alloc: Alloc = (n) => this.slabs.alloc(n);
  /** RRsets whose pieces were made, and RRSIG sets fetched from a signer (new RRset, re-sign, key change). */
  made = 0;
  signed = 0;

  constructor(readonly maxEntries = 50_000) {
    this.holders = new Array<WeakRef<RRset> | undefined>(Math.max(1, maxEntries)).fill(undefined);
  }

  /** The pieces for `rrset` sent with `ttl`, laid out relative to `apex` when it is given. */
  get(rrset: RRset, ttl: number, apex: Name | undefined): RRsetWire {
    const w = rrset.encoded as RRsetWire | undefined;
    return w !== undefined && fits(w, ttl, apex) ? w : this.make(rrset, ttl, apex, undefined);
  }

  /** The pieces for `rrset` with RRSIG records current at `now`, from `signer` when the held ones are not. */
  getSigned(rrset: RRset, ttl: number, apex: Name | undefined, signer: EntrySigner, now: number): RRsetWire {
    let w = rrset.encoded as RRsetWire | undefined;
    // Pieces never signed have keysVersion -1, which is never current.
    if (w !== undefined && fits(w, ttl, apex) && signer.current(w, now)) return w;
    // The pieces hold the RRSIGs and their validity: the signer's bounded cache need not hold them too.
    const c = signer.signatures(rrset, now, true);
    this.signed++;
    // New pieces are made with their RRSIGs in one run; held ones get a new run (re-signed, new keys, or signed at last).
    if (w === undefined || !fits(w, ttl, apex)) w = this.make(rrset, ttl, apex, c.sigs);
    else setSigs(w, c.sigs, this.alloc);
    w.validFrom = c.validFrom;
    w.refreshAt = c.refreshAt;
    w.keysVersion = c.keysVersion;
    return w;
  }

  private make(rrset: RRset, ttl: number, apex: Name | undefined, sigs: readonly Buffer[] | undefined): RRsetWire {
    if (rrset.encoded === undefined) this.hold(rrset);
    const w = rrsetWire(rrset, ttl, apex, sigs, this.alloc);
    rrset.encoded = w;
    this.made++;
    return w;
  }

  private hold(rrset: RRset): void {
    const old = this.holders[this.at]?.deref();
    if (old !== undefined) old.encoded = undefined;
    this.holders[this.at] = new WeakRef(rrset);
    this.at = (this.at + 1) % this.holders.length;
  }
}

/** Whether held pieces serve this TTL and layout (pieces made without an apex have no owner part). */
const fits = (w: RRsetWire, ttl: number, apex: Name | undefined): boolean => w.ttl === ttl && (apex === undefined || w.apex !== undefined);

/** Where a run's octets come from: the message slabs for pieces used once, the cache's own slabs for held ones. */
type Alloc = (n: number) => Buffer;

/**
 * Make the pieces for one RRset (zone transfers make them for one use each). `apex` (the
 * zone's, when known) puts the owner's labels at the start of the run; `sigs` become RRSIG
 * records in the same run. `alloc`: where the run's octets come from (RRsetWireCache keeps
 * its runs apart from Node's pool, whose chunks they would keep alive).
 */
export function rrsetWire(rrset: RRset, ttl: number, apex: Name | undefined, sigs: readonly Buffer[] | undefined, alloc: Alloc = messageBuffer): RRsetWire {
  const w: RRsetWire = {
    ttl, apex, prefix: 0, recordsAt: 0, sigsAt: 0, count: rrset.rdatas.length, sigCount: 0,
    run: undefined, bodies: undefined, sigRecords: undefined, owner: undefined,
    validFrom: 0, refreshAt: 0, keysVersion: -1,
  };
  if (compressedRdataNames(rrset.type)) {
    w.bodies = rrset.rdatas.map((rd) => rrBody(rrset.type, ttl, rd));
    if (sigs) setSigs(w, sigs, alloc);
    return w;
  }
  // Only the apex and names one label below it (NSEC3 owners, most hosts) get an owner part:
  // a deeper owner may have a parent in the message to point at (`_443._tcp.h1` after `h1`
  // in a transfer), and spelling it out finds that; the owner part would end at the apex.
  const name = rrset.name;
  if (apex !== undefined && (name === apex || parentName(name) === apex)) {
    w.prefix = nameWireLength(name) - nameWireLength(apex);
    w.recordsAt = w.prefix + SLOT;
  }
  w.sigsAt = w.recordsAt + runLength(rrset.rdatas, 1);
  const b = alloc(w.sigsAt + (sigs ? runLength(sigs, 0) : 0));
  if (w.recordsAt > 0) {
    nameToWire(name).copy(b, 0, 0, w.prefix);
    b[w.prefix] = 0;
    b[w.prefix + 1] = 0;
  }
  writeRecords(b, w.recordsAt, rrset.type, ttl, rrset.rdatas, 1);
  if (sigs) {
    writeRecords(b, w.sigsAt, RRType.RRSIG, ttl, sigs, 0);
    w.sigCount = sigs.length;
  }
  w.run = b;
  return w;
}

/** Put RRSIG records after the data (replacing any there). */
function setSigs(w: RRsetWire, sigs: readonly Buffer[], alloc: Alloc): void {
  w.sigCount = sigs.length;
  if (w.run) {
    // Slots are filled per message, so the data part can be copied from the old run as is.
    const b = alloc(w.sigsAt + runLength(sigs, 0));
    w.run.copy(b, 0, 0, w.sigsAt);
    writeRecords(b, w.sigsAt, RRType.RRSIG, w.ttl, sigs, 0);
    w.run = b;
  } else {
    const b = alloc(runLength(sigs, 0));
    writeRecords(b, 0, RRType.RRSIG, w.ttl, sigs, 0);
    w.sigRecords = b;
  }
}
