// DNSSEC for every served zone: one ZoneSigner per signed zone, made, changed and dropped by the commit pipeline.
import type { Name } from '../zones/model/name.js';
import type { Zone, ZoneDelta } from '../zones/zone.js';
import type { ZoneSettings } from '../zones/settings.js';
import type { Deriver } from '../zones/commit.js';
import type { SignedDelta } from '../zones/journal-step.js';
import type { KeyStore } from './keystore.js';
import { SignatureCache } from './sig-cache.js';
import { ZoneSigner } from './zone-signer.js';

export interface DnssecOptions {
  /** Upper bound on RRsets whose signatures are held as ready Buffers, across all zones. */
  cacheEntries?: number;
  /** NSEC3 RRsets held as objects at once, per zone (nsec3-chain.ts LIVE_RRSETS). */
  liveNsec3?: number;
}

/** The commit pipeline's derived data (zones/commit.ts Deriver): signatures and NSEC3 chains. */
export class DnssecService implements Deriver {
  private readonly signers = new Map<Name, ZoneSigner>();
  readonly cache: SignatureCache;

  constructor(private readonly keys: KeyStore & { invalidate?(zone: Name): void },
    private readonly log: (m: string) => void = () => {}, private readonly opts: DnssecOptions = {}) {
    this.cache = new SignatureCache(opts.cacheEntries);
  }

  /**
   * A zone is about to be served whole (loaded, imported, replaced): its signer, when it is
   * signed and has keys. The signer publishes its apex records (DNSKEY, CDS, CDNSKEY,
   * NSEC3PARAM) into the zone, recorded in `delta`, and builds the NSEC3 chain. The previous
   * zone's cache entries are keyed by RRset objects nothing asks for again: the LRU bound
   * retires them.
   */
  attach(zone: Zone, settings: ZoneSettings, epoch: number, delta: ZoneDelta): void {
    this.detach(zone.apex);
    if (!settings.signed) return;
    if (this.keys.listKeys(zone.apex).length === 0) {
      this.log(`zone ${zone.apex}: signing is on but the zone has no keys; serving it unsigned`);
      return;
    }
    const signer = new ZoneSigner(zone, settings, this.keys, this.cache, epoch, this.opts.liveNsec3);
    signer.attach(delta);
    this.signers.set(zone.apex, signer);
    this.log(`zone ${zone.apex}: signed, NSEC3 chain of ${signer.chain.size} names`);
  }

  /** The zone is no longer served (deleted, or about to be replaced). */
  detach(apex: Name): void {
    this.signers.delete(apex);
    this.keys.invalidate?.(apex);
  }

  /** Keys or the signing epoch of a served zone changed: re-read the keys, publish the apex records into `delta`. */
  signingChanged(apex: Name, epoch: number, delta: ZoneDelta): boolean {
    this.keys.invalidate?.(apex);
    const signer = this.signers.get(apex);
    signer?.signingChanged(epoch, delta);
    return signer !== undefined;
  }

  /** A change was applied to a served zone: its signer follows (with `report`: what a journal step needs). */
  applied(zone: Zone, delta: ZoneDelta, now: number, report: boolean): SignedDelta | undefined {
    const signer = this.forZone(zone);
    if (!signer) return undefined;
    const change = signer.applyDelta(delta, now, report);
    if (!change) return undefined;
    return { ...change, sigsOf: (r) => (signer.signs(r.name, r.type) ? signer.sigs(r, now, true) : []) };
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

  /** The signer for a zone object, when that zone is signed. One Map probe per query step. */
  forZone(zone: Zone): ZoneSigner | undefined {
    const s = this.signers.get(zone.apex);
    return s && s.zone === zone ? s : undefined;
  }

  forApex(apex: Name): ZoneSigner | undefined {
    return this.signers.get(apex);
  }
}
