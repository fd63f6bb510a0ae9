// One process's counters (queries, UPDATE, transfers, NOTIFY, edits, API errors, checks, signing) as plain numbers, and their snapshot for the scrape.
import { Rcode } from '../wire/parse.js';
import type { Name } from '../../zones/model/name.js';
import type { SignatureCache } from '../../signer/sig-cache.js';
import { QueryStats } from './query-stats.js';
import type { CounterSnapshot, Labels, Sample } from './snapshot.js';

const RCODE_NAMES = new Map<number, string>([
  ...Object.entries(Rcode).filter(([k]) => k !== 'BADSIG').map(([k, v]) => [v, k] as [number, string]),
  [6, 'YXDOMAIN'], [7, 'YXRRSET'], [8, 'NXRRSET'], [9, 'NOTAUTH'], [10, 'NOTZONE'],
]);
/** The response rate limiter's counters (server/net/rrl.ts), by class. */
export interface RrlCounters {
  readonly classes: readonly string[];
  readonly slipped: readonly number[];
  readonly dropped: readonly number[];
  tracked(): number;
}

export const rcodeLabel = (r: number): string => RCODE_NAMES.get(r) ?? String(r);

/** Counts under a few string labels: for events far rarer than queries (UPDATE, transfers, NOTIFY, checks). */
class LabelledCounts {
  private readonly m = new Map<string, { labels: Labels; value: number }>();
  inc(labels: Labels): void {
    const k = JSON.stringify(labels);
    const have = this.m.get(k);
    if (have) have.value++; else this.m.set(k, { labels, value: 1 });
  }
  samples(): Sample[] { return [...this.m.values()].map((s) => ({ labels: s.labels, value: s.value })); }
}

/**
 * What this process counted. The query path reports through `queries` (plain numbers, see
 * query-stats.ts); the rarer events through the `observe…` hooks. `snapshot` turns it all
 * into series for the scrape, which sums every worker's (cluster.ts, exposition.ts).
 */
export class Metrics {
  readonly queries = new QueryStats();
  /** The signer's cache, whose counts of signatures made, hits and misses are reported. */
  signatures: SignatureCache | undefined;
  /** Set when response rate limiting is on. */
  rrl: RrlCounters | undefined;
  edits = 0;
  private readonly apiErrors = new LabelledCounts();
  private readonly updates = new LabelledCounts();
  private readonly transfers = new LabelledCounts();
  private readonly notifies = new LabelledCounts();
  private readonly checks = new LabelledCounts();
  private readonly checkEvents = new LabelledCounts();

  /** The query path's hook (QueryContext.observe). */
  get observe(): QueryStats { return this.queries; }

  /** One UPDATE message answered, with its rcode (zone: the zone section's, when it names one of ours). */
  readonly observeUpdate = (rcode: number, _changed: number, zone: Name | undefined): void => {
    this.updates.inc({ zone: zone ?? 'other', rcode: rcodeLabel(rcode) });
  };

  /** One transfer request ended: `type` AXFR or IXFR; `result` done, refused or failed. */
  readonly observeTransfer = (zone: Name | undefined, type: string, result: string): void => {
    this.transfers.inc({ zone: zone ?? 'other', type, result });
  };

  /** One NOTIFY to one secondary ended: acknowledged, rejected (an error rcode), or unanswered. */
  readonly observeNotify = (zone: Name, result: string): void => {
    this.notifies.inc({ zone, result });
  };

  readonly observeCheck = (verdict: string): void => { this.checks.inc({ verdict }); };
  readonly observeCheckEvent = (level: string): void => { this.checkEvents.inc({ level }); };
  apiError(status: number): void { this.apiErrors.inc({ status: String(status) }); }

  snapshot(): CounterSnapshot {
    const requests: Sample[] = [];
    const responses: Sample[] = [];
    const doRequests: Sample[] = [];
    for (const s of this.queries.series()) {
      if (s.kind === 'request') requests.push({ labels: { zone: s.zone, proto: s.proto, family: s.family, type: s.type }, value: s.value });
      else if (s.kind === 'response') responses.push({ labels: { zone: s.zone, rcode: rcodeLabel(s.rcode) }, value: s.value });
      else doRequests.push({ labels: { zone: s.zone }, value: s.value });
    }
    const q = this.queries;
    const cache = this.signatures;
    const r = this.rrl;
    const limited: Sample[] = r ? r.classes.flatMap((c, i) => [
      { labels: { class: c, action: 'slipped' }, value: r.slipped[i] },
      { labels: { class: c, action: 'dropped' }, value: r.dropped[i] },
    ]) : [];
    return {
      counters: {
        daneprime_dns_requests_total: requests,
        daneprime_dns_responses_total: responses,
        daneprime_dns_do_requests_total: doRequests,
        daneprime_dns_updates_total: this.updates.samples(),
        daneprime_xfr_transfers_total: this.transfers.samples(),
        daneprime_xfr_notifies_total: this.notifies.samples(),
        daneprime_dnssec_signatures_total: [{ labels: {}, value: cache?.signed ?? 0 }],
        daneprime_dnssec_cache_hits_total: [{ labels: {}, value: cache?.hits ?? 0 }],
        daneprime_dnssec_cache_misses_total: [{ labels: {}, value: cache?.misses ?? 0 }],
        daneprime_zone_edits_total: [{ labels: {}, value: this.edits }],
        daneprime_api_errors_total: this.apiErrors.samples(),
        daneprime_service_checks_total: this.checks.samples(),
        daneprime_service_check_events_total: this.checkEvents.samples(),
        daneprime_rrl_limited_total: limited,
        // A gauge, summed over processes like the counters: the buckets held in all workers.
        daneprime_rrl_buckets: r ? [{ labels: {}, value: r.tracked() }] : [],
      },
      histograms: {
        daneprime_dns_request_duration_seconds: [{ labels: {}, buckets: [...q.duration.buckets], sum: q.duration.sum }],
      },
    };
  }
}
