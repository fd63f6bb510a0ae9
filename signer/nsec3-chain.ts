// The zone's full NSEC3 chain (RFC 5155 §7.1): built once per load, kept sorted, updated per edit.
import { type Name, parentName, labelStartBefore, childName } from '../zones/model/name.js';
import { RRType } from '../zones/model/types.js';
import { makeRRset, type RRset } from '../zones/model/rrset.js';
import type { Zone, ZoneNode, ZoneDelta } from '../zones/zone.js';
import type { Nsec3Settings } from '../zones/settings.js';
import { SortedChunks } from './sorted-chunks.js';
import { powerOfTwoAtLeast } from '../zones/util/power-of-two.js';
import { nsec3HashString, nsec3Owner, nsec3Rdata, nsec3paramRdata, typeBitmap, NSEC3_HASH_SHA1, NSEC3_FLAG_OPT_OUT } from './nsec3.js';

/** One original name in the chain, with its hash and (while in use) its NSEC3 RRset. */
export interface Nsec3Entry {
  readonly name: Name;
  /**
   * The hash as a binary (latin1) string: 20 one-byte characters. Strings compare natively in
   * V8 in the same order as the octets, and a million of them cost far less memory than a
   * million Buffers (each Buffer drags an ArrayBuffer and a backing store along).
   */
  readonly hash: string;
  /** Types present at the name, as the bitmap will show them (RRSIG added when signed data exists). Shared: never mutate. */
  types: readonly number[];
  /**
   * Built on use and let go again when LIVE_RRSETS newer ones were built since (FIFO), or
   * when this entry's types or successor change.
   */
  rrset: RRset | undefined;
  /** The packed RRSIGs (kept-sigs.ts) while `rrset` is let go: a rebuilt RRset gets them back. */
  sigs: string | undefined;
}

/**
 * NSEC3 RRsets held as objects at once. A proof needs its NSEC3 as an RRset, but holding one
 * per chain entry costs ~300 octets each (360 MB on a million names). Signatures survive the
 * object (`Nsec3Entry.sigs`), so letting one go costs a rebuild (~2 µs), not a signature.
 */
export const LIVE_RRSETS = 1 << 16;
const MIN_LIVE_RRSETS = 64;

/** Serial numbers of chains made so far in this process. */
let chains = 0;

export class Nsec3Chain {
  /** Tells this chain from every other made in this process: what keeps positions (coveringPosition) apart. */
  readonly serial = ++chains;
  /** Sorted by hash: binary search finds the matching or covering record in O(log n). */
  private readonly entries = new SortedChunks<Nsec3Entry>();
  private readonly byName = new Map<Name, Nsec3Entry>();
  readonly salt: Buffer;
  private ttl = 0;
  /**
   * Cover of `*.<closest encloser>` per closest encloser: every NXDOMAIN below the same
   * encloser needs the same one, so a random-label flood hashes once per query, not twice.
   * Cleared whenever the chain's membership changes.
   */
  private readonly wildcardCovers = new Map<Name, Nsec3Entry>();
  /** Whole-chain builds so far: one per load; edits should not add more (observable in tests and metrics). */
  builds = 0;
  /** RRsets built for one answer and not held (unheldRRset). */
  unheld = 0;
  /** RRsets dropped since the last call to `takeStale`: their cached signatures must go too. */
  private stale: RRset[] = [];
  /** Entries holding an RRset, oldest first from `ringAt` (a slot may hold an entry that let go already). */
  private ring: (Nsec3Entry | undefined)[] = [];
  private ringAt = 0;
  private readonly liveRRsets: number;
  /** metLately's memory: per slot, the call number that last met an entry hashing there. */
  private met: Int32Array | undefined;
  /** metLately's call number, modulo 2^24. */
  private calls = 1;
  /**
   * One array per distinct type list: a million names share a handful of lists ([A RRSIG],
   * [] for ENTs, [TLSA RRSIG]…), and a private array each would cost ~200 MB on such a zone.
   */
  private readonly typeLists = new Map<string, readonly number[]>();
  /** The type bitmap of each shared list, made with it: encoding one measured 15% of a large-zone flood. */
  private readonly bitmaps = new Map<readonly number[], Buffer>();
  /** Snapshots of the chain in use (zone transfers): each copies the chain before its first change. */
  private readonly pins = new Set<ChainSnapshot>();

  /** `liveRRsets`: how many NSEC3 RRsets to hold as objects at once (LIVE_RRSETS; tests make it tiny). */
  constructor(readonly zone: Zone, readonly params: Nsec3Settings, liveRRsets = LIVE_RRSETS) {
    this.salt = Buffer.from(params.salt, 'hex');
    // An answer builds all its NSEC3 RRsets before it signs any, at most 3 per step of a
    // MAX_CHAIN-step chain: one let go before it is signed would lose its new signature.
    this.liveRRsets = Math.max(MIN_LIVE_RRSETS, liveRRsets);
  }

  get size(): number {
    return this.entries.size;
  }

  hash(name: Name): string {
    return nsec3HashString(name, this.salt, this.params.iterations);
  }

  /** NSEC3PARAM RDATA for the apex (RFC 5155 §4; flags 0 even with opt-out). */
  paramRdata(): Buffer {
    return nsec3paramRdata({ hashAlgorithm: NSEC3_HASH_SHA1, flags: 0, iterations: this.params.iterations, salt: this.salt });
  }

  /** Build the whole chain from the zone: O(n log n) hashing and sorting, no signing. */
  build(): void {
    this.freezePins();
    this.builds++;
    this.wildcardCovers.clear();
    this.dropAll();
    this.ring = [];
    this.ringAt = 0;
    const list: Nsec3Entry[] = [];
    this.byName.clear();
    this.ttl = negativeTtl(this.zone);
    for (const node of this.zone.nodes.values()) {
      const types = this.chainTypes(node);
      if (types) {
        const e = entry(node.name, this.hash(node.name), types);
        list.push(e);
        this.byName.set(node.name, e);
      }
    }
    list.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    this.entries.reset(list);
  }

  /**
   * Bring the chain up to date after an edit. Only touched entries and their predecessors
   * change; a cut appearing or vanishing above existing names (rare) re-derives the chain,
   * since it moves a whole subtree in or out of it.
   */
  update(delta: Pick<ZoneDelta, 'touched' | 'cutsChanged'>): ChainChange {
    this.freezePins();
    const change: ChainChange = { rebuilt: false, retired: [], fresh: new Set() };
    this.changing = change;
    try {
      this.applyUpdate(delta, change);
    } finally {
      this.changing = undefined;
    }
    return change;
  }

  /** The report of the update in progress: retire and insert note what they change in it. */
  private changing: ChainChange | undefined;

  private applyUpdate(delta: Pick<ZoneDelta, 'touched' | 'cutsChanged'>, change: ChainChange): void {
    if (negativeTtl(this.zone) !== this.ttl) { this.build(); change.rebuilt = true; return; }
    for (const cut of delta.cutsChanged) {
      if ((this.zone.get(cut)?.children ?? 0) > 0) { this.build(); change.rebuilt = true; return; }
    }
    for (const name of delta.touched) {
      const node = this.zone.get(name);
      const types = node ? this.chainTypes(node) : undefined;
      const have = this.byName.get(name);
      if (!types) {
        if (have) this.remove(have);
      } else if (!have) {
        this.insert(entry(name, this.hash(name), types));
      } else if (!sameTypes(have.types, types)) {
        this.retire(have);
        have.types = types;
      }
    }
  }

  /** The NSEC3 covering the wildcard at a closest encloser (RFC 5155 §7.2.2, third record). */
  wildcardCover(closestEncloser: Name): Nsec3Entry {
    let e = this.wildcardCovers.get(closestEncloser);
    if (!e) {
      e = this.covering(childName('*', closestEncloser));
      if (this.wildcardCovers.size > 10_000) this.wildcardCovers.clear();
      this.wildcardCovers.set(closestEncloser, e);
    }
    return e;
  }

  private insert(e: Nsec3Entry): void {
    this.wildcardCovers.clear();
    const found = this.entries.size ? this.entries.atOrBefore(e.hash) : undefined;
    if (found?.hash === e.hash) throw new Error(`NSEC3 hash collision between ${e.name} and ${found.name}`);
    // The predecessor's "next hashed owner" is about to point at e.
    if (found) this.retire(found);
    if (!this.entries.insert(e)) throw new Error(`NSEC3 chain: could not insert ${e.name}`);
    this.byName.set(e.name, e);
    this.changing?.fresh.add(e);
  }

  private remove(e: Nsec3Entry): void {
    this.wildcardCovers.clear();
    if (this.entries.size === 0 || this.entries.find(e.hash) !== e) return;
    const prev = this.entries.before(e);
    this.retire(e);
    this.retire(prev);
    this.entries.remove(e);
    this.byName.delete(e.name);
    this.changing?.fresh.delete(e);
  }

  /**
   * The entry's record is about to change (types or successor; call before the change). The
   * record as it was goes to the update's report (an IXFR journal deletes exactly that at
   * secondaries, with its signatures: they are the same in every process), and, when it was
   * signed here, to the stale list whose cached signatures must go.
   */
  private retire(e: Nsec3Entry): void {
    const signed = e.rrset?.signatures !== undefined ? e.rrset : e.sigs !== undefined ? this.build1(e, e.sigs) : undefined;
    if (signed) this.stale.push(signed);
    if (this.changing) {
      if (!this.changing.fresh.has(e)) this.changing.retired.push(signed ?? this.build1(e, undefined));
      this.changing.fresh.add(e);
    }
    e.rrset = undefined;
    e.sigs = undefined;
  }

  /** A whole rebuild: only RRsets held as objects can have cache entries to forget. */
  private dropAll(): void {
    for (const e of this.ring) if (e?.rrset) { this.stale.push(e.rrset); e.rrset = undefined; }
  }

  /** Whether this entry's record was signed (so possibly served) since it last changed. */
  wasSigned(e: Nsec3Entry): boolean {
    return this.packedSigs(e) !== undefined;
  }

  /** The entry's packed RRSIGs (kept-sigs.ts), wherever they are kept now. */
  packedSigs(e: Nsec3Entry): string | undefined {
    return e.rrset ? e.rrset.signatures : e.sigs;
  }

  /**
   * The entry's RRset for one use in a walk over the whole chain (AXFR, pre-signing), signed
   * by `sign`: the held object, or a transient one, so a walk does not push the answers'
   * RRsets out of the held set. Signatures made for a transient one stay on the entry.
   */
  walkSigned<S>(e: Nsec3Entry, sign: (r: RRset) => S): { rrset: RRset; sigs: S } {
    const rrset = e.rrset ?? this.build1(e, e.sigs);
    const sigs = sign(rrset);
    if (e.rrset === undefined) e.sigs = rrset.signatures;
    return { rrset, sigs };
  }

  /** The entry after hash `after` in chain order (the first when undefined); undefined when that wraps around or the chain is empty. */
  next(after: string | undefined): Nsec3Entry | undefined {
    if (this.entries.size === 0) return undefined;
    if (after === undefined) return this.entries.after(this.entries.atOrBefore(''));
    const e = this.entries.after(this.entries.atOrBefore(after));
    return e.hash > after ? e : undefined;
  }

  /** NSEC3 RRsets invalidated since the last call (their signatures are to be forgotten). */
  takeStale(): RRset[] {
    const s = this.stale;
    this.stale = [];
    return s;
  }

  /**
   * Which names the chain holds (RFC 5155 §7.1): every authoritative name and empty
   * non-terminal, and delegation points — except, under opt-out, insecure ones (no DS).
   * Names below a cut (glue, occluded data) are not in the chain. undefined = not in chain.
   */
  private chainTypes(node: ZoneNode): readonly number[] | undefined {
    if (this.isBelowCut(node.name)) return undefined;
    const isCut = node.name !== this.zone.apex && node.rrsets.has(RRType.NS);
    if (isCut) {
      const hasDs = node.rrsets.has(RRType.DS);
      if (!hasDs && this.params.optOut) return undefined;
      // RFC 4035 §2.3: a delegation's bitmap shows NS, DS and RRSIG only (RRSIG covers DS).
      return this.shared(hasDs ? [RRType.NS, RRType.DS, RRType.RRSIG] : [RRType.NS]);
    }
    if (node.rrsets.size === 0) {
      // An empty non-terminal that exists only above insecure delegations may go under opt-out;
      // we keep every ENT: simpler, and always correct.
      return this.shared([]);
    }
    return this.shared([...node.rrsets.keys(), RRType.RRSIG].sort((a, b) => a - b));
  }

  private shared(types: number[]): readonly number[] {
    const key = types.join(' ');
    let have = this.typeLists.get(key);
    if (!have) {
      have = Object.freeze(types.slice());
      // Distinct lists are few in any real zone; the bound only keeps a pathological one from growing this forever.
      if (this.typeLists.size < 10_000) {
        this.typeLists.set(key, have);
        this.bitmaps.set(have, typeBitmap(have));
      }
    }
    return have;
  }

  /** True for names under a delegation (glue, occluded data): not authoritative here. */
  isBelowCut(name: Name): boolean {
    for (let n = name; n !== this.zone.apex && n !== '.'; ) {
      n = parentName(n);
      if (n === this.zone.apex) return false;
      if (this.zone.get(n)?.rrsets.has(RRType.NS)) return true;
    }
    return false;
  }

  /** The NSEC3 entry whose original name is `name` (RFC 5155 §7.2.x "matches"). */
  matching(name: Name): Nsec3Entry | undefined {
    return this.byName.get(name);
  }

  /** The entry whose hash interval covers the hash of `name` (RFC 5155 §3.1.7 "covers"). */
  covering(name: Name): Nsec3Entry {
    return this.coveringHash(this.hash(name));
  }

  coveringHash(hash: string): Nsec3Entry {
    // A match would prove existence, not cover; callers only ask for names that do not exist.
    return this.entries.atOrBefore(hash);
  }

  /**
   * Where coveringHash(hash)'s entry sits (SortedChunks.positionAtOrBefore), without reading
   * the entry: it names that entry until the chain's membership changes, which only a zone
   * change does (Registry.emit, which bumps the zones' generation first).
   */
  coveringPosition(hash: string): number {
    return this.entries.positionAtOrBefore(hash);
  }

  /** The entry at a position from coveringPosition (the chain unchanged since). */
  entryAt(position: number): Nsec3Entry {
    return this.entries.at(position);
  }

  /**
   * Whether `e` was asked about lately — within the last liveRRsets calls — recording this
   * call (ZoneSigner.proofRRset decides with it whether to hold an entry's RRset). Always
   * true while the chain fits the held set. Calls are remembered in a table indexed by hash
   * bits, each slot holding a call number (24 bits, compared modulo 2^24) and 8 more hash
   * bits, so an entry sharing a slot with another is told apart 255 times in 256: without
   * them, on a 300,000-name zone, four in ten first meetings looked like repeats. A wrong
   * answer here costs a held RRset or a rebuilt one, never a wrong reply.
   */
  metLately(e: Nsec3Entry): boolean {
    if (this.entries.size <= this.liveRRsets) return true;
    // Twice the held set: allocated only by chains that outgrow it.
    const met = (this.met ??= new Int32Array(powerOfTwoAtLeast(2 * this.liveRRsets)));
    const h = e.hash;
    const slot = ((h.charCodeAt(0) << 16) | (h.charCodeAt(1) << 8) | h.charCodeAt(2)) & (met.length - 1);
    const check = h.charCodeAt(3);
    const was = met[slot];
    const call = this.calls;
    this.calls = (call + 1) & 0xffffff;
    met[slot] = (call << 8) | check;
    return was !== 0 && (was & 0xff) === check && ((call - (was >>> 8)) & 0xffffff) <= this.liveRRsets;
  }

  /** An RRset for an entry that holds none, built for one use and not held; its kept signatures come with it. */
  unheldRRset(e: Nsec3Entry): RRset {
    this.unheld++;
    return this.build1(e, e.sigs);
  }

  /** The NSEC3 RRset of an entry (RFC 5155 §3): next hashed owner is the following entry's hash. */
  rrsetOf(e: Nsec3Entry): RRset {
    if (e.rrset) return e.rrset;
    const r = this.build1(e, e.sigs, true);
    e.sigs = undefined;
    e.rrset = r;
    // Let go of the oldest held RRset, keeping its signatures on its entry.
    const old = this.ring[this.ringAt];
    if (old?.rrset && old !== e) {
      old.sigs = old.rrset.signatures;
      old.rrset = undefined;
    }
    this.ring[this.ringAt] = e;
    this.ringAt = (this.ringAt + 1) % this.liveRRsets;
    return r;
  }

  /**
   * The entry's NSEC3 RRset as the chain is now, carrying `sigs` when given. `held`: the
   * RRset will be held, so its RDATA gets memory of its own. A slice of Node's 8 KB pool
   * would keep the whole chunk, and the short-lived replies around it, alive for as long;
   * on a million-name zone such chunks pile up in the old generation, 55 MB per 300,000
   * flood queries, between its rare major collections.
   */
  private build1(e: Nsec3Entry, sigs: string | undefined, held = false): RRset {
    const next = this.entries.after(e);
    const owner = nsec3Owner(Buffer.from(e.hash, 'latin1'), this.zone.apex);
    const bitmap = this.bitmaps.get(e.types) ?? typeBitmap(e.types);
    const rdata = nsec3Rdata({
      hashAlgorithm: NSEC3_HASH_SHA1, flags: this.params.optOut ? NSEC3_FLAG_OPT_OUT : 0,
      iterations: this.params.iterations, salt: this.salt, nextHashed: next.hash, types: e.types, bitmap,
    });
    const r = makeRRset(owner, RRType.NSEC3, this.ttl, [held ? ownCopy(rdata) : rdata]);
    r.signatures = sigs;
    return r;
  }

  /** Every entry in hash order (zone transfer, export). */
  all(): Iterable<Nsec3Entry> {
    return this.entries;
  }

  /** The chain as it is now, kept for a reader that spans many tasks (a zone transfer) until it closes. */
  pin(): ChainSnapshot {
    const s = new ChainSnapshot(this);
    this.pins.add(s);
    return s;
  }

  /** @internal ChainSnapshot.close */
  unpin(s: ChainSnapshot): void {
    this.pins.delete(s);
  }

  private freezePins(): void {
    for (const p of this.pins) p.freeze(this.entries, this.ttl);
  }

  /**
   * Whether the chain still holds `e` with these types, this successor and this TTL: its
   * record is then the one a snapshot holds, and carries the same signatures.
   */
  unchanged(e: Nsec3Entry, types: readonly number[], nextHash: string, ttl: number): boolean {
    return this.byName.get(e.name) === e && e.types === types && ttl === this.ttl && this.entries.after(e).hash === nextHash;
  }

  /** An NSEC3 RRset from explicit parts (a snapshot's record the chain has moved on from). */
  recordOf(hash: string, types: readonly number[], nextHash: string, ttl: number): RRset {
    const owner = nsec3Owner(Buffer.from(hash, 'latin1'), this.zone.apex);
    const rdata = nsec3Rdata({
      hashAlgorithm: NSEC3_HASH_SHA1, flags: this.params.optOut ? NSEC3_FLAG_OPT_OUT : 0,
      iterations: this.params.iterations, salt: this.salt, nextHashed: nextHash, types, bitmap: this.bitmaps.get(types) ?? typeBitmap(types),
    });
    return makeRRset(owner, RRType.NSEC3, ttl, [rdata]);
  }
}

/** What one update did to the chain: what an IXFR journal step must delete and add. */
export interface ChainChange {
  /** The whole chain was rebuilt (a cut moved a subtree, the NSEC3 TTL changed): no step is incremental. */
  rebuilt: boolean;
  /** Records as they were before the update, for entries whose record changed or went. */
  retired: RRset[];
  /** Entries whose record is new or changed (the journal adds their current record). */
  fresh: Set<Nsec3Entry>;
}

/**
 * The chain as it was when pinned: read live until the chain first changes, then from a copy
 * (references to the entries and their type lists, made just before that change). Records
 * that still match the chain reuse its RRsets and signatures; others are rebuilt.
 */
export class ChainSnapshot {
  private frozen: { entries: Nsec3Entry[]; types: (readonly number[])[]; ttl: number } | undefined;

  constructor(private readonly chain: Nsec3Chain) {}

  /** @internal Nsec3Chain, before its first change after the pin. */
  freeze(entries: Iterable<Nsec3Entry>, ttl: number): void {
    if (this.frozen) return;
    const list = [...entries];
    this.frozen = { entries: list, types: list.map((e) => e.types), ttl };
  }

  /** Every NSEC3 RRset of the pinned chain in hash order, each with `sign(rrset)`. */
  *records<S>(sign: (r: RRset) => S): Iterable<{ rrset: RRset; sigs: S }> {
    let at = 0;
    const live = this.chain.all()[Symbol.iterator]();
    for (;;) {
      const f = this.frozen;
      if (f) {
        for (; at < f.entries.length; at++) {
          const e = f.entries[at];
          const next = f.entries[(at + 1) % f.entries.length].hash;
          if (this.chain.unchanged(e, f.types[at], next, f.ttl)) yield this.chain.walkSigned(e, sign);
          else {
            const rrset = this.chain.recordOf(e.hash, f.types[at], next, f.ttl);
            yield { rrset, sigs: sign(rrset) };
          }
        }
        return;
      }
      const it = live.next();
      if (it.done) return;
      at++;
      yield this.chain.walkSigned(it.value, sign);
    }
  }

  close(): void {
    this.chain.unpin(this);
  }
}

/** RFC 9077 §3 / RFC 5155 §3: NSEC3 TTL = min(SOA MINIMUM, SOA TTL). */
export function negativeTtl(zone: Zone): number {
  const soa = zone.get(zone.apex)?.rrsets.get(RRType.SOA);
  if (!soa) return 0;
  const rd = soa.rdatas[0];
  return Math.min(soa.ttl, rd.readUInt32BE(rd.length - 4));
}

function entry(name: Name, hash: string, types: readonly number[]): Nsec3Entry {
  return { name, hash, types, rrset: undefined, sigs: undefined };
}

/** `b` in memory of its own (a small one costs about 0.2 µs). */
function ownCopy(b: Buffer): Buffer {
  const own = Buffer.allocUnsafeSlow(b.length);
  own.set(b);
  return own;
}

function sameTypes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** Next closer name (RFC 5155 §1.3): qname cut to one label more than the closest encloser. */
export function nextCloser(qname: Name, closestEncloser: Name): Name {
  // The label before the encloser's suffix, found from the text's end: counting both names'
  // labels to get there would cost a tenth of a random-label wildcard answer's time.
  const start = labelStartBefore(qname, closestEncloser === '.' ? qname.length : qname.length - closestEncloser.length);
  return start === 0 ? qname : qname.slice(start);
}
