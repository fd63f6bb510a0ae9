// One signed zone: its DNSKEY/CDS/CDNSKEY/NSEC3PARAM at the apex, its NSEC3 chain, and signatures made on demand.
import { RRType } from '../zones/model/types.js';
import { makeRRset, type RRset } from '../zones/model/rrset.js';
import { canonicalRdata } from '../zones/model/rdata/index.js';
import type { Zone, ZoneDelta, ZoneNode } from '../zones/zone.js';
import { ZoneSnapshot } from '../zones/snapshot.js';
import type { SignedDelta, SignedRRset } from '../zones/journal-step.js';
import type { Name } from '../zones/model/name.js';
import { parentName } from '../zones/model/name.js';
import type { ZoneSettings } from '../zones/settings.js';
import { dsRdata } from './dnskey.js';
import { wantsDs, type KeyStore, type SigningKey } from './keystore.js';
import { Nsec3Chain, type Nsec3Entry } from './nsec3-chain.js';
import { signatureValidity, validitySeed, serialDiff, SIGNATURE_SKEW } from './policy.js';
import { signRRset } from './rrset-sign.js';
import type { SignatureCache, CachedSigs, SigValidity } from './sig-cache.js';
import { packSigs, unpackSigs, packedWith, packedTimes, sigTimes } from './kept-sigs.js';

/** Types at the apex that come from the key store and settings, not from zone data. */
export const APEX_DERIVED = new Set<number>([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY, RRType.NSEC3PARAM]);
/** Signed with the KSK (RFC 4035 §2.1, RFC 7344 §4.1); everything else with the ZSK. */
const KSK_SIGNED = new Set<number>([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY]);

/** Re-sign this long before expiry, so caches and secondaries never hold a dying signature. */
export const REFRESH_BEFORE = 7 * 86400;
/**
 * How long after its signing epoch a zone's signatures may still be dated from it: every
 * signature dated from the epoch stays servable (before its refresh time) until at least
 * epoch + REFRESH_BEFORE. The whole-zone re-sign (server/xfr/refresh.ts) moves the epoch well
 * before that; past it, a process dates new signatures from its own clock.
 */
export const EPOCH_USABLE = REFRESH_BEFORE - 3600;

/**
 * EPOCH_USABLE for a zone's own signature policy: the time between an epoch and its
 * signatures' renewal, less a margin (an hour, or a quarter of it when that is shorter).
 */
export function epochUsable(validity: number, refresh: number): number {
  const span = validity - refresh;
  return span - Math.min(3600, Math.floor(span / 4));
}

/** Per-RRset spread of expirations: a day for the default 14 days, less for shorter validity. */
const jitterFor = (validity: number): number => Math.min(86400, Math.floor(validity / 14));

/**
 * What signatures are made with: the keys and the epoch they are dated from. Replaced as a
 * whole when either changes, so a reader holding one (a zone transfer's snapshot) keeps
 * signing the version it started with.
 */
export interface SigningContext {
  /**
   * Tells this context from every other in this process (packed signatures carry it, mod
   * 65536): drawn from one process-wide sequence, so a new signer never mistakes a previous
   * signer's signatures, kept on the RRsets, for its own.
   */
  readonly keysVersion: number;
  readonly epoch: number;
  readonly ksk: readonly SigningKey[];
  readonly zsk: readonly SigningKey[];
  /** The zone's signature policy (seconds): validity from the base time, renewal this long before expiry, and epochUsable of them. */
  readonly validity: number;
  readonly refresh: number;
  readonly usable: number;
}

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

/** What one change did to the signed zone: what an IXFR journal step deletes and adds besides the records. */
export type SignedChange = Omit<SignedDelta, 'sigsOf'>;

export class ZoneSigner {
  readonly chain: Nsec3Chain;
  private ctx: SigningContext;
  /** Where `presign` stopped: in the chain (`at`, by hash), then in the zone's nodes. */
  private walk: PresignWalk = { keysVersion: -1, builds: -1, at: undefined, nodes: undefined, done: false };

  constructor(readonly zone: Zone, readonly settings: ZoneSettings, private readonly keys: KeyStore,
    private readonly cache: SignatureCache, epoch: number, liveNsec3?: number) {
    this.chain = new Nsec3Chain(zone, settings.nsec3, liveNsec3);
    this.ctx = this.newContext(epoch);
  }

  get apex(): Name {
    return this.zone.apex;
  }

  /** The keys and epoch signatures are made with now. */
  get context(): SigningContext {
    return this.ctx;
  }

  /** The keys generation of the current context (what cached signatures are checked against). */
  get keysVersion(): number {
    return this.ctx.keysVersion;
  }

  private newContext(epoch: number): SigningContext {
    const apex = this.zone.apex;
    const p = this.keys.signaturePolicy?.(apex) ?? { validity: 14 * 86400, refresh: REFRESH_BEFORE };
    return {
      keysVersion: nextKeysVersion++, epoch, ksk: this.keys.signingKeys(apex, 'ksk'), zsk: this.keys.signingKeys(apex, 'zsk'),
      validity: p.validity, refresh: p.refresh, usable: epochUsable(p.validity, p.refresh),
    };
  }

  /**
   * Publish the key-derived apex RRsets into the zone (recorded in `delta`) and build the
   * NSEC3 chain: for a zone about to be served. No signing happens here.
   */
  attach(delta: ZoneDelta): void {
    this.publishApexRecords(delta);
    this.chain.build();
  }

  /**
   * Keys or the signing epoch changed (a commit of the pipeline): every signature is made
   * again with the new context, and the apex records that mirror the keys are published into
   * the zone, recorded in the commit's `delta`, which the pipeline then applies (applyDelta).
   */
  signingChanged(epoch: number, delta: ZoneDelta): void {
    this.ctx = this.newContext(epoch);
    this.publishApexRecords(delta);
  }

  /**
   * A change was applied to the zone: forget exactly the signatures it made stale and fix
   * the chain. With `report`, also say what a journal step must delete and add. Signatures
   * are the same in every process (deterministic ECDSA, one epoch), so those of a record this
   * process never signed are made here: a secondary may hold them from another worker.
   */
  applyDelta(delta: ZoneDelta, now: number, report: boolean): SignedChange | undefined {
    const replaced: SignedRRset[] = [];
    const withSigs = (r: RRset, signed: boolean): SignedRRset => ({ rrset: r, sigs: signed ? this.lastSigs(r) ?? this.sigs(r, now, true) : [] });
    for (const r of delta.staleRRsets) {
      if (report) replaced.push(withSigs(r, this.signs(r.name, r.type)));
      this.cache.delete(r);
    }
    const change = this.chain.update(delta);
    for (const r of this.chain.takeStale()) this.cache.delete(r);
    if (!report) return undefined;
    const nsec3Retired = change.retired.map((r) => withSigs(r, true));
    const nsec3Fresh = [...change.fresh].map((e) => {
      const r = this.chain.rrsetOf(e);
      return { rrset: r, sigs: this.sigs(r, now, true) };
    });
    return { replaced, nsec3Retired, nsec3Fresh, whole: change.rebuilt || !this.deterministicAt(now) };
  }

  private publishApexRecords(delta: ZoneDelta): void {
    const apex = this.zone.apex;
    const ttl = this.zone.soa.ttl;
    const keys = this.keys.listKeys(apex);
    const set = (type: number, rdatas: Buffer[]) =>
      this.zone.setRRset(apex, type, rdatas.length ? makeRRset(apex, type, ttl, rdatas) : undefined, delta);
    set(RRType.DNSKEY, keys.map((k) => k.dnskey));
    // CDS/CDNSKEY (RFC 7344 §3) mirror the KSK(s) the parent's DS should point to: the active
    // one, and during a KSK rollover the ready one too (the parent publishes both: double DS).
    const ksks = keys.filter(wantsDs);
    set(RRType.CDNSKEY, ksks.map((k) => k.dnskey));
    set(RRType.CDS, ksks.map((k) => dsRdata(apex, k.dnskey, 2)));
    set(RRType.NSEC3PARAM, [this.chain.paramRdata()]);
  }

  /**
   * The whole signed zone, RRset by RRset with its RRSIGs (none for delegation NS and glue,
   * RFC 4035 §2.2), then the NSEC3 chain: what `zone export --signed` prints and AXFR sends,
   * as of `snapshot` and signed as then (the context at the snapshot), however the zone
   * changes while the caller reads. Signatures come from the same places answers use.
   */
  *signedSnapshot(snapshot: ZoneSnapshot, ctx: SigningContext, now: number): Iterable<{ rrset: RRset; sigs: readonly Buffer[] }> {
    const chain = this.chain.pin();
    try {
      const sign = (r: RRset) => this.sigsWith(ctx, r, now);
      const none: readonly Buffer[] = [];
      for (const name of snapshot.names()) {
        const here = signedAtIn(snapshot, this.zone.apex, name);
        for (const rrset of snapshot.rrsetsAt(name)) yield { rrset, sigs: signs(here, rrset.type) ? sign(rrset) : none };
      }
      yield* chain.records(sign);
    } finally {
      chain.close();
    }
  }

  /** The signed zone as it is now (an export): signedSnapshot of a snapshot taken and let go here. */
  *signedRRsets(now: number): Iterable<{ rrset: RRset; sigs: readonly Buffer[] }> {
    const snapshot = new ZoneSnapshot(this.zone);
    try {
      yield* this.signedSnapshot(snapshot, this.ctx, now);
    } finally {
      snapshot.close();
    }
  }

  /**
   * Sign, until `deadline` (performance.now() ms), RRsets nothing has asked for yet: first
   * the NSEC3 chain, then the zone's own RRsets. Returns true while work remains. Without it a
   * random-label flood on a large zone costs a signature per query until it has met every
   * NSEC3 record, and the first AXFR signs the whole zone while the secondary waits. A key
   * change or a rebuilt chain starts the walk again; names an edit adds behind it are signed
   * when first used.
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
   * Whether signatures made at `now` are dated from the zone's signing epoch, and so the same
   * in every process. Outside the epoch's usable window (the re-sign is overdue, or the clock
   * stepped back before it) each process dates them from its own clock.
   */
  deterministicAt(now: number): boolean {
    const e = this.ctx.epoch;
    return now >= e - SIGNATURE_SKEW && now < e + this.ctx.usable;
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
    const sigs = this.sign(this.ctx, rrset, now);
    rrset.signatures = packSigs(this.keysVersion, sigs);
    const c = this.cached(sigs, now);
    if (!uncached) this.cache.set(rrset, c);
    return c;
  }

  /**
   * RRSIGs as made with `ctx`, which may be an earlier context than the current one (a
   * snapshot's): kept ones when they were made with it, else made now and, for an earlier
   * context, not kept (the RRset keeps the current context's).
   */
  sigsWith(ctx: SigningContext, rrset: RRset, now: number): Buffer[] {
    if (ctx === this.ctx) return this.sigs(rrset, now, true);
    const packed = rrset.signatures;
    if (packed !== undefined && packedWith(packed, ctx.keysVersion)) {
      // Kept from when the transfer began: only while they are still inside their window.
      const t = packedTimes(packed);
      if (t === undefined || (serialDiff(now, t.inception) >= 0 && serialDiff(t.expiration, now) > ctx.refresh)) return unpackSigs(packed).sigs;
    }
    return this.sign(ctx, rrset, now);
  }

  /** Sign one RRset with every key of its role in `ctx`, dated from its epoch (or `now`, outside the epoch's window). */
  private sign(ctx: SigningContext, rrset: RRset, now: number): Buffer[] {
    const keys = KSK_SIGNED.has(rrset.type) ? ctx.ksk : ctx.zsk;
    const base = now >= ctx.epoch - SIGNATURE_SKEW && now < ctx.epoch + ctx.usable ? ctx.epoch : now;
    const validity = signatureValidity(base, { seed: validitySeed(rrset.name, rrset.type), lifetime: ctx.validity, jitter: jitterFor(ctx.validity) });
    const rdatas = rrset.rdatas.map((rd) => canonicalRdata(rrset.type, rd));
    const sigs = keys.map((k) => signRRset({ owner: rrset.name, type: rrset.type, ttl: rrset.ttl, rdatas }, k, validity, this.zone.apex));
    this.cache.signed += sigs.length;
    return sigs;
  }

  /**
   * The NSEC3 RRset of chain entry `e` for one answer's proof, with its RRSIGs when it is
   * built for that answer only (rrEntry's `sigs`). On a chain far larger than the held set
   * (a random-label flood on a big zone) most entries a query meets were not met lately and
   * will not be met again soon: holding each one's RRset and wire pieces, only to let them
   * go tens of thousands of queries later, moves all of them into V8's old generation. So an
   * entry not met lately, whose kept signatures are servable as they are, gets an RRset
   * nothing holds; one met again soon is held. One that needs signing is always held, so the
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
    // The window `current` checks, inline: a third object shape at `current`'s call site
    // (after wire pieces and cache entries) makes that site slower for all of them.
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

  /** The RRSIGs an RRset was last signed with by the current context, whatever their age (what a journal must delete). */
  lastSigs(rrset: RRset): readonly Buffer[] | undefined {
    const c = this.cache.peek(rrset);
    if (c && c.keysVersion === this.keysVersion) return c.sigs;
    return this.keptCurrent(rrset.signatures) ? unpackSigs(rrset.signatures).sigs : undefined;
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
    return { validFrom: now - serialDiff(now, t.inception), refreshAt: now + serialDiff(t.expiration, now) - this.ctx.refresh, keysVersion: this.keysVersion };
  }
}

/** Which RRsets at `name` carry RRSIGs in a snapshot: as signedAt, on the zone as it was. */
function signedAtIn(snapshot: ZoneSnapshot, apex: Name, name: Name): SignedHere {
  for (let n = name; n !== apex && n !== '.';) {
    n = parentName(n);
    if (n === apex) break;
    if (snapshot.rrset(n, RRType.NS)) return 'none';
  }
  return name !== apex && snapshot.rrset(name, RRType.NS) ? 'ds' : 'all';
}
