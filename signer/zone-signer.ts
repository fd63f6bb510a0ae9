// One signed zone: its DNSKEY/CDS/CDNSKEY/NSEC3PARAM at the apex, its NSEC3 chain, and signatures made on demand.
import { RRType } from '../zones/model/types.js';
import { makeRRset, type RRset } from '../zones/model/rrset.js';
import { canonicalRdata } from '../zones/model/rdata/index.js';
import { newDelta, type Zone, type ZoneDelta, type ZoneNode } from '../zones/zone.js';
import type { Name } from '../zones/model/name.js';
import type { ZoneSettings } from '../zones/settings.js';
import { dsRdata } from './dnskey.js';
import type { KeyStore } from './keystore.js';
import { Nsec3Chain, type Nsec3Entry } from './nsec3-chain.js';
import { signatureValidity, validitySeed, serialDiff } from './policy.js';
import { signRRset } from './rrset-sign.js';
import type { SignatureCache, CachedSigs, SigValidity } from './sig-cache.js';
import { packSigs, unpackSigs, packedWith, packedTimes, sigTimes } from './kept-sigs.js';

/** Types at the apex that come from the key store and settings, not from zone data. */
export const APEX_DERIVED = new Set<number>([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY, RRType.NSEC3PARAM]);
/** Signed with the KSK (RFC 4035 §2.1, RFC 7344 §4.1); everything else with the ZSK. */
const KSK_SIGNED = new Set<number>([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY]);

/** Re-sign this long before expiry, so caches and secondaries never hold a dying signature. */
export const REFRESH_BEFORE = 7 * 86400;

let nextKeysVersion = 1;

type SignedHere = 'all' | 'ds' | 'none';
const signs = (here: SignedHere, type: number): boolean => here === 'all' || (here === 'ds' && type === RRType.DS);

interface PresignWalk {
  keysVersion: number;
  builds: number;
  at: string | undefined;
  nodes: IterableIterator<ZoneNode> | undefined;
  done: boolean;
}

/** An RRset an edit replaced, with the RRSIGs it was last served with (undefined: not in the cache). */
export interface ReplacedRRset { rrset: RRset; sigs: readonly Buffer[] | undefined }

export class ZoneSigner {
  readonly chain: Nsec3Chain;
  /**
   * Changes when keys change: signatures made with older keys are re-made. Drawn from one
   * process-wide sequence, so a new signer never mistakes a previous signer's packed
   * signatures (kept on the RRsets) for its own.
   */
  keysVersion = nextKeysVersion++;
  /** Where `presign` stopped: in the chain (`at`, by hash), then in the zone's nodes. */
  private walk: PresignWalk = { keysVersion: -1, builds: -1, at: undefined, nodes: undefined, done: false };

  constructor(readonly zone: Zone, readonly settings: ZoneSettings, private readonly keys: KeyStore,
    private readonly cache: SignatureCache, liveNsec3?: number) {
    this.chain = new Nsec3Chain(zone, settings.nsec3, liveNsec3);
  }

  get apex() {
    return this.zone.apex;
  }

  /** Publish the key-derived apex RRsets and build the NSEC3 chain. No signing happens here. */
  attach(): void {
    this.publishApexRecords(newDelta());
    this.chain.build();
  }

  /** Re-read keys (after a key import or rollover step). */
  keysChanged(): void {
    this.keysVersion = nextKeysVersion++;
    const delta = newDelta();
    this.publishApexRecords(delta);
    this.applyDelta(delta);
  }

  /**
   * An edit was applied to the zone: forget exactly the signatures it made stale, fix the chain.
   * Returns the RRsets (zone data and NSEC3) it replaced with the signatures they were served
   * with, when still cached — what an IXFR journal must tell secondaries to delete.
   */
  applyDelta(delta: ZoneDelta): ReplacedRRset[] {
    const replaced: ReplacedRRset[] = [];
    const forget = (r: RRset) => { replaced.push({ rrset: r, sigs: this.lastSigs(r) }); this.cache.delete(r); };
    for (const r of delta.staleRRsets) forget(r);
    // An SOA change may move the NSEC3 TTL; the chain notices and rebuilds its records.
    this.chain.update(delta);
    for (const r of this.chain.takeStale()) forget(r);
    return replaced;
  }

  private publishApexRecords(delta: ZoneDelta): void {
    const apex = this.zone.apex;
    const ttl = this.zone.soa.ttl;
    const keys = this.keys.listKeys(apex);
    const set = (type: number, rdatas: Buffer[]) =>
      this.zone.setRRset(apex, type, rdatas.length ? makeRRset(apex, type, ttl, rdatas) : undefined, delta);
    set(RRType.DNSKEY, keys.map((k) => k.dnskey));
    // CDS/CDNSKEY (RFC 7344 §3) mirror the KSK(s) the parent's DS should point to.
    const ksks = keys.filter((k) => k.active && k.role !== 'zsk');
    set(RRType.CDNSKEY, ksks.map((k) => k.dnskey));
    set(RRType.CDS, ksks.map((k) => dsRdata(apex, k.dnskey, 2)));
    set(RRType.NSEC3PARAM, [this.chain.paramRdata()]);
    for (const r of delta.staleRRsets) this.cache.delete(r);
  }

  /**
   * The whole signed zone, RRset by RRset with its RRSIGs (none for delegation NS and glue,
   * RFC 4035 §2.2), then the NSEC3 chain: what `zone export --signed` prints and AXFR sends.
   * Signatures come from the same cache answers use.
   */
  *signedRRsets(now: number): Iterable<{ rrset: RRset; sigs: Buffer[] }> {
    for (const node of this.zone.nodes.values()) {
      const here = this.signedAt(node.name);
      for (const rrset of node.rrsets.values()) yield { rrset, sigs: signs(here, rrset.type) ? this.sigs(rrset, now, true) : [] };
    }
    for (const e of this.chain.all()) yield this.chain.walkSigned(e, (r) => this.sigs(r, now, true));
  }

  /**
   * Sign, until `deadline` (performance.now() ms), RRsets nothing has asked for yet: first
   * the NSEC3 chain, then the zone's own RRsets. Returns true while work remains. Without it a
   * random-label flood on a large zone costs a signature per query until it has met every
   * NSEC3 record, and the first AXFR signs the whole zone while the secondary waits. A key
   * change or a rebuilt chain starts the walk again; names an edit adds behind it are signed
   * when first used, as before.
   */
  presign(now: number, deadline: number): boolean {
    let w = this.walk;
    if (w.keysVersion !== this.keysVersion || w.builds !== this.chain.builds) {
      w = this.walk = { keysVersion: this.keysVersion, builds: this.chain.builds, at: undefined, nodes: undefined, done: false };
    }
    if (w.done) return false;
    for (let n = 1; ; n++) {
      if (!w.nodes) {
        const e = this.chain.next(w.at);
        if (!e) { w.nodes = this.zone.nodes.values(); continue; }
        w.at = e.hash;
        if (!this.keptCurrent(this.chain.packedSigs(e))) this.chain.walkSigned(e, (r) => this.sigs(r, now, true));
      } else {
        // A live Map iterator: it skips nodes deleted since and visits ones added at the end.
        const it = w.nodes.next();
        if (it.done) { w.done = true; return false; }
        const here = this.signedAt(it.value.name);
        for (const r of it.value.rrsets.values()) {
          if (signs(here, r.type) && !this.keptCurrent(r.signatures)) this.sigs(r, now, true);
        }
      }
      if ((n & 7) === 0 && performance.now() >= deadline) return true;
    }
  }

  /** Which RRsets at a name carry RRSIGs (RFC 4035 §2.2): all, only DS (a delegation), or none (glue, occluded data). */
  private signedAt(name: Name): SignedHere {
    if (this.chain.isBelowCut(name)) return 'none';
    return name !== this.zone.apex && this.zone.rrset(name, RRType.NS) ? 'ds' : 'all';
  }

  /** Whether this zone signs an RRset of type `type` at `name`, as the zone is now. */
  signs(name: Name, type: number): boolean {
    return signs(this.signedAt(name), type);
  }

  /**
   * RRSIGs for an RRset of this zone at time `now`: cached, or made now with every active key
   * of the right role. A cached signature is used only while inception ≤ now < refresh time,
   * so an expired or not-yet-valid signature is never served. `uncached`: keep the signatures
   * on the RRset only, not in the bounded cache — for one visit in a walk over the whole zone
   * (AXFR, export), which must not push the answers' working set out of it, and for callers
   * that hold what they get (the query path's wire pieces).
   */
  sigs(rrset: RRset, now: number, uncached = false): Buffer[] {
    return this.signatures(rrset, now, uncached).sigs;
  }

  /** The RRSIGs of `sigs`, with the times and keys they are good for (what `current` checks). */
  signatures(rrset: RRset, now: number, uncached = false): CachedSigs {
    const hit = this.cache.get(rrset);
    if (hit && this.current(hit, now)) {
      this.cache.hits++;
      return hit;
    }
    // Not in the (bounded) cache of ready Buffers: the packed copy on the RRset may still do.
    const packed = rrset.signatures;
    if (this.keptCurrent(packed)) {
      const c = this.cached(unpackSigs(packed).sigs, now);
      if (this.current(c, now)) {
        this.cache.unpacked++;
        if (!uncached) this.cache.set(rrset, c);
        return c;
      }
    }
    this.cache.misses++;
    const keys = this.keys.signingKeys(this.zone.apex, KSK_SIGNED.has(rrset.type) ? 'ksk' : 'zsk');
    const validity = signatureValidity(now, { seed: validitySeed(rrset.name, rrset.type) });
    const rdatas = rrset.rdatas.map((rd) => canonicalRdata(rrset.type, rd));
    const sigs = keys.map((k) => signRRset({ owner: rrset.name, type: rrset.type, ttl: rrset.ttl, rdatas }, k, validity, this.zone.apex));
    this.cache.signed += sigs.length;
    rrset.signatures = packSigs(this.keysVersion, sigs);
    const c = this.cached(sigs, now);
    if (!uncached) this.cache.set(rrset, c);
    return c;
  }

  /**
   * The NSEC3 RRset of chain entry `e` for one answer's proof, with its RRSIGs when it is
   * built for that answer only (rrEntry's `sigs`). On a chain far larger than the held set
   * (a random-label flood on a big zone) most entries a query meets were not met lately and
   * will not be met again soon. Holding each one's RRset and wire pieces, only to let them
   * go tens of thousands of queries later, moved all of them into V8's old generation: GC
   * was 15–20 % of such a flood (bench/README.md, "Big zones"). So an entry not met
   * lately, whose kept signatures are servable as they are, gets an RRset nothing holds;
   * one met again soon is held as before. One that needs signing is always held, so the
   * signature it gets is kept.
   */
  proofRRset(e: Nsec3Entry, now: number): { rrset: RRset; sigs: Buffer[] | undefined } {
    const chain = this.chain;
    const packed = e.sigs;
    if (e.rrset !== undefined || chain.metLately(e) || !this.servable(packed, now)) return { rrset: chain.rrsetOf(e), sigs: undefined };
    // Checked just now: unpack them straight, no probe into the bounded cache for an RRset made this instant.
    this.cache.unpacked++;
    return { rrset: chain.unheldRRset(e), sigs: unpackSigs(packed).sigs };
  }

  /** Whether packed signatures would be served as they are at `now`, without signing: `current`, on times read from the string. */
  private servable(packed: string | undefined, now: number): packed is string {
    if (!this.keptCurrent(packed)) return false;
    // The window `current` checks, inline: handing `current` this object as well (a third shape
    // at its call site, after wire pieces and cache entries) measured 15% slower on big-zone-flood.
    const v = this.validity(packedTimes(packed), now);
    return now >= v.validFrom && now < v.refreshAt;
  }

  /** Whether signatures from `signatures` may still be served at `now` (same keys, inside their window). */
  current(c: SigValidity, now: number): boolean {
    return c.keysVersion === this.keysVersion && now >= c.validFrom && now < c.refreshAt;
  }

  /** Packed signatures made with the current keys (their time is checked where they are used). */
  private keptCurrent(packed: string | undefined): packed is string {
    return packed !== undefined && packedWith(packed, this.keysVersion);
  }

  /** The RRSIGs an RRset was last signed with, whatever their age or keys (what a journal must delete). */
  lastSigs(rrset: RRset): readonly Buffer[] | undefined {
    const c = this.cache.peek(rrset);
    if (c) return c.sigs;
    return rrset.signatures === undefined ? undefined : unpackSigs(rrset.signatures).sigs;
  }

  /**
   * Cache entry for RRSIGs made together (one validity period): times read from the first.
   * None (no key of that role) stays current until the keys change.
   */
  private cached(sigs: Buffer[], now: number): CachedSigs {
    const v = this.validity(sigs.length ? sigTimes(sigs[0]) : undefined, now);
    // One field order for every entry, so all have one shape (the query path reads them often).
    return { sigs, validFrom: v.validFrom, refreshAt: v.refreshAt, keysVersion: v.keysVersion };
  }

  /**
   * When signatures with these times may be served, as unix seconds near `now` (the times
   * are serial numbers, RFC 4034 §3.1.5): from inception until a week before expiry. No
   * times (no key of that role) stays valid until the keys change.
   */
  private validity(t: { expiration: number; inception: number } | undefined, now: number): SigValidity {
    if (t === undefined) return { validFrom: -Infinity, refreshAt: Infinity, keysVersion: this.keysVersion };
    return { validFrom: now - serialDiff(now, t.inception), refreshAt: now + serialDiff(t.expiration, now) - REFRESH_BEFORE, keysVersion: this.keysVersion };
  }
}
