// Signature freshness for secondaries: every few days each signed zone is signed anew under a new serial, so NOTIFY/IXFR carry fresh RRSIGs.
import type { Registry } from '../../zones/registry.js';
import { SERVER_ACTOR, type CommitPipeline } from '../../zones/commit.js';
import type { DnssecService } from '../../signer/service.js';
import { REFRESH_BEFORE, EPOCH_USABLE } from '../../signer/zone-signer.js';
import type { SigningContext } from '../../signer/zone-signer.js';

export interface RefreshOptions {
  /**
   * Sign every zone anew this often (seconds). Stays below the signing epoch's usable window
   * (zone-signer.ts EPOCH_USABLE, under REFRESH_BEFORE = 7 days): then every signature is
   * dated from the zone's epoch, the same in every process, and a secondary that follows
   * NOTIFY always holds RRSIGs with at least 14 − interval days left (RFC 4035 §5.3.1).
   */
  intervalSec?: number;
  /** How often to check (ms; default 1 s: a zone's policy may give its signatures minutes). */
  checkMs?: number;
}

export const DEFAULT_RESIGN_INTERVAL = 3 * 86400;

export class SignatureRefresher {
  private timer: NodeJS.Timeout | undefined;
  private readonly interval: number;

  constructor(private readonly zones: Registry, private readonly dnssec: DnssecService, private readonly pipeline: CommitPipeline,
    private readonly now: () => number, private readonly log: (m: string) => void, private readonly opts: RefreshOptions = {}) {
    this.interval = Math.min(opts.intervalSec ?? DEFAULT_RESIGN_INTERVAL, EPOCH_USABLE - 3600, REFRESH_BEFORE - 3600);
  }

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.opts.checkMs ?? 1000);
    this.timer.unref();
  }

  /**
   * The zone's re-sign interval: the configured one, shortened for a signature policy shorter
   * than the default so that the epoch is moved before its usable window ends (with a margin
   * of an hour, or a quarter of the window).
   */
  private intervalFor(ctx: SigningContext): number {
    if (ctx.usable >= EPOCH_USABLE) return this.interval;
    return Math.min(this.interval, ctx.usable - Math.min(3600, Math.floor(ctx.usable / 4)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Sign anew each signed zone whose signing epoch is `interval` old, or lies in the future
   * (the clock stepped back): a commit of the one pipeline, with a new epoch and serial, which
   * journals a whole step and sends NOTIFY. `ifEpoch` makes it happen once even if two
   * processes try at the same moment.
   */
  check(): void {
    const now = this.now();
    for (const apex of this.zones.apexes()) {
      const row = this.zones.row(apex);
      const signer = this.dnssec.forApex(apex);
      if (!row || !signer) continue;
      const age = now - row.sign_epoch;
      if (age >= 0 && age < this.intervalFor(signer.context)) continue;
      try {
        const r = this.pipeline.commit({ kind: 'resign', apex, ifEpoch: row.sign_epoch, action: 'zone.resign' }, SERVER_ACTOR);
        if (r.written) this.log(`zone ${apex}: signatures renewed, serial ${r.serial}`);
      } catch (err) {
        this.log(`zone ${apex}: re-sign failed: ${(err as Error).message}`);
      }
    }
  }
}
