// DNSSEC for every served zone: keeps one ZoneSigner per signed zone in step with the registry.
import type { Name } from '../zones/model/name.js';
import type { Registry, ZoneChangeEvent } from '../zones/registry.js';
import type { Zone } from '../zones/zone.js';
import { parseSettings } from '../zones/settings.js';
import type { KeyStore } from './keystore.js';
import { SignatureCache } from './sig-cache.js';
import { ZoneSigner, type ReplacedRRset } from './zone-signer.js';
import type { ZoneDelta } from '../zones/zone.js';

/** An incremental change as the signer applied it: the IXFR journal records it. */
export interface SignedChange { apex: Name; signer: ZoneSigner; delta: ZoneDelta; replaced: ReplacedRRset[]; chainRebuilt: boolean }

export interface DnssecOptions {
  /** Upper bound on RRsets whose signatures are held as ready Buffers, across all zones. */
  cacheEntries?: number;
  /** NSEC3 RRsets held as objects at once, per zone (nsec3-chain.ts LIVE_RRSETS). */
  liveNsec3?: number;
}

export class DnssecService {
  private readonly signers = new Map<Name, ZoneSigner>();
  readonly cache: SignatureCache;
  private readonly signedListeners: ((c: SignedChange) => void)[] = [];

  constructor(private readonly zones: Registry, private readonly keys: KeyStore & { invalidate?(zone: Name): void },
    private readonly log: (m: string) => void = () => {}, private readonly opts: DnssecOptions = {}) {
    this.cache = new SignatureCache(opts.cacheEntries);
    zones.onChange((e) => this.onZoneChange(e));
  }

  /** The signer for a zone object, when that zone is signed. One Map probe per query step. */
  /** Called after each incremental change is applied to a signed zone (before any query sees it). */
  onSignedChange(fn: (c: SignedChange) => void): void {
    this.signedListeners.push(fn);
  }

  /**
   * Background signing of what no query asked for yet (ZoneSigner.presign), zone by zone,
   * until `deadline` (performance.now() ms). Returns true while work remains.
   */
  presign(now: number, deadline: number): boolean {
    for (const s of this.signers.values()) {
      if (s.presign(now, deadline)) return true;
    }
    return false;
  }

  forZone(zone: Zone): ZoneSigner | undefined {
    const s = this.signers.get(zone.apex);
    return s && s.zone === zone ? s : undefined;
  }

  forApex(apex: Name): ZoneSigner | undefined {
    return this.signers.get(apex);
  }

  private onZoneChange(e: ZoneChangeEvent): void {
    const have = this.signers.get(e.apex);
    if (e.zone && e.delta && have && have.zone === e.zone) {
      const builds = have.chain.builds;
      const replaced = have.applyDelta(e.delta);
      const change = { apex: e.apex, signer: have, delta: e.delta, replaced, chainRebuilt: have.chain.builds !== builds };
      for (const fn of this.signedListeners) fn(change);
      return;
    }
    // A whole (re)load: keys or settings may have changed too. The old zone's cache entries
    // are keyed by RRset objects nothing will ask for again; the LRU bound retires them.
    this.signers.delete(e.apex);
    this.keys.invalidate?.(e.apex);
    if (!e.zone) return;
    const settings = parseSettings(this.zones.row(e.apex)?.settings);
    if (!settings.signed) return;
    if (this.keys.listKeys(e.apex).length === 0) {
      this.log(`zone ${e.apex}: signing is on but the zone has no keys; serving it unsigned`);
      return;
    }
    const signer = new ZoneSigner(e.zone, settings, this.keys, this.cache, this.opts.liveNsec3);
    signer.attach();
    this.signers.set(e.apex, signer);
    this.log(`zone ${e.apex}: signed, NSEC3 chain of ${signer.chain.size} names`);
  }
}
