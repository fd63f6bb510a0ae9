// Signature freshness for secondaries: periodically re-sign a whole zone under a new serial, so NOTIFY/IXFR carry fresh RRSIGs.
import { RRType } from '../../zones/model/types.js';
import type { Name } from '../../zones/model/name.js';
import { soaSerial, withSoaSerial } from '../../zones/model/rdata/index.js';
import type { Store } from '../../zones/store/sqlite.js';
import type { XfrStore } from '../../zones/store/xfr-sqlite.js';
import type { Registry } from '../../zones/registry.js';
import { parseSettings } from '../../zones/settings.js';
import { applyEdits, nextSerial } from '../../zones/update.js';
import type { DnssecService } from '../../signer/service.js';
import { REFRESH_BEFORE } from '../../signer/zone-signer.js';
import type { Journal } from './journal.js';

export interface RefreshOptions {
  /**
   * Re-sign every zone this often (seconds). Must stay below REFRESH_BEFORE (7 days): then the
   * signature cache never renews a signature silently, and a secondary that follows NOTIFY
   * always holds RRSIGs with at least 14 − interval days left (RFC 4035 §5.3.1 validity).
   */
  intervalSec?: number;
  /** How often to check (ms). */
  checkMs?: number;
}

export const DEFAULT_RESIGN_INTERVAL = 3 * 86400;

export class SignatureRefresher {
  private timer: NodeJS.Timeout | undefined;
  private readonly interval: number;

  constructor(private readonly store: Store, private readonly xs: XfrStore, private readonly zones: Registry,
    private readonly dnssec: DnssecService, private readonly journal: Journal | undefined, private readonly now: () => number,
    private readonly log: (m: string) => void, private readonly opts: RefreshOptions = {}) {
    this.interval = Math.min(opts.intervalSec ?? DEFAULT_RESIGN_INTERVAL, REFRESH_BEFORE - 3600);
  }

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.opts.checkMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Re-sign each signed zone whose last whole re-sign is `interval` old (the first sight starts the clock). */
  check(): void {
    const now = this.now();
    for (const apex of this.zones.apexes()) {
      const zone = this.zones.get(apex);
      const row = this.store.zone(apex);
      const signer = this.dnssec.forApex(apex);
      if (!zone || !row || !signer || signer.zone !== zone) continue;
      const last = this.xs.resignedAt(row.id);
      if (last === undefined) { this.xs.setResignedAt(row.id, now); continue; }
      if (now - last < this.interval) continue;
      try {
        this.resign(apex, now);
        this.xs.setResignedAt(row.id, now);
      } catch (err) {
        this.log(`zone ${apex}: re-sign failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * New serial, new signatures: forget every cached signature of the zone (signed again on
   * demand with `now`), then bump the SOA serial through the one edit path — which journals
   * the step (as a whole re-sign: AXFR-style for IXFR clients) and sends NOTIFY.
   */
  private resign(apex: Name, now: number): void {
    const zone = this.zones.get(apex)!;
    const signer = this.dnssec.forApex(apex)!;
    const soa = zone.soa;
    const serial = nextSerial(soaSerial(soa.rdatas[0]), parseSettings(this.store.zone(apex)?.settings).serial, now);
    this.journal?.markFullResign(apex);
    signer.keysChanged();
    applyEdits(this.store, this.zones, apex, [{ name: apex, type: RRType.SOA, ttl: soa.ttl, rdatas: [withSoaSerial(soa.rdatas[0], serial)] }], { now });
    this.log(`zone ${apex}: signatures renewed, serial ${serial}`);
  }
}
