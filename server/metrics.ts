// Process counters (DNS queries, signing, cache, edits, API errors, service checks) and their Prometheus text exposition.
import { Rcode } from './wire/parse.js';
import { typeToText } from '../zones/model/types.js';
import type { SignatureCache } from '../signer/sig-cache.js';

const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));
const UPDATE_RCODE_NAMES = new Map<number, string>([...RCODE_NAMES, [6, 'YXDOMAIN'], [7, 'YXRRSET'], [8, 'NXRRSET'], [9, 'NOTAUTH'], [10, 'NOTZONE']]);

/** One secondary of one zone, for the gauges. */
export interface SecondaryGauge {
  zone: string;
  secondary: string;
  serial: number | null;
  lagSeconds: number | null;
  state: string;
}

/** The response rate limiter's counters (server/net/rrl.ts), by class. */
export interface RrlCounters {
  readonly classes: readonly string[];
  readonly slipped: readonly number[];
  readonly dropped: readonly number[];
  tracked(): number;
}

export class Metrics {
  /** Set when response rate limiting is on. */
  rrl: RrlCounters | undefined;
  /** Answered queries by qtype × 4096 + rcode (a number key: no string built per query). */
  private readonly queries = new Map<number, number>();
  edits = 0;
  private readonly apiErrors = new Map<number, number>();
  /** DNS UPDATE messages answered, by rcode. */
  private readonly updates = new Map<number, number>();

  /** The QueryContext.observe hook: one Map update per query. */
  readonly observe = (qtype: number | undefined, rcode: number): void => {
    const key = (qtype === undefined ? 0 : qtype + 1) * 4096 + rcode;
    this.queries.set(key, (this.queries.get(key) ?? 0) + 1);
  };

  /** The UPDATE service's hook: one per UPDATE message answered. */
  readonly observeUpdate = (rcode: number): void => {
    this.updates.set(rcode, (this.updates.get(rcode) ?? 0) + 1);
  };

  /** Live service checks by service verdict, and their events by level. */
  private readonly checks = new Map<string, number>();
  private readonly checkEvents = new Map<string, number>();

  readonly observeCheck = (verdict: string): void => {
    this.checks.set(verdict, (this.checks.get(verdict) ?? 0) + 1);
  };

  readonly observeCheckEvent = (level: string): void => {
    this.checkEvents.set(level, (this.checkEvents.get(level) ?? 0) + 1);
  };

  apiError(status: number): void {
    this.apiErrors.set(status, (this.apiErrors.get(status) ?? 0) + 1);
  }

  /**
   * Prometheus text format 0.0.4. `secondaries`: what each secondary served when last asked
   * (from the database, so any worker reports the leader's checks).
   */
  text(cache?: SignatureCache, secondaries: readonly SecondaryGauge[] = []): string {
    const out: string[] = [];
    const gauge = (name: string, help: string, rows: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const [labels, v] of rows) out.push(`${name}${labels} ${v}`);
    };
    const counter = (name: string, help: string, rows: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of rows) out.push(`${name}${labels} ${v}`);
    };
    counter('daneprime_dns_queries_total', 'DNS queries answered, by query type and response code.',
      [...this.queries].sort((a, b) => a[0] - b[0]).map(([k, v]) => {
        const qtype = Math.floor(k / 4096) - 1, rcode = k % 4096;
        return [`{qtype="${qtype < 0 ? 'NONE' : typeToText(qtype)}",rcode="${RCODE_NAMES.get(rcode) ?? String(rcode)}"}`, v];
      }));
    counter('daneprime_dnssec_signatures_total', 'RRSIGs made.', [['', cache?.signed ?? 0]]);
    counter('daneprime_dnssec_cache_hits_total', 'Signature cache hits.', [['', cache?.hits ?? 0]]);
    counter('daneprime_dnssec_cache_misses_total', 'Signature cache misses.', [['', cache?.misses ?? 0]]);
    counter('daneprime_zone_edits_total', 'Zone edits committed through the admin API.', [['', this.edits]]);
    counter('daneprime_dns_updates_total', 'DNS UPDATE messages answered, by response code.',
      [...this.updates].sort((a, b) => a[0] - b[0]).map(([r, v]) => [`{rcode="${UPDATE_RCODE_NAMES.get(r) ?? String(r)}"}`, v]));
    counter('daneprime_api_errors_total', 'Admin API error responses, by HTTP status.',
      [...this.apiErrors].sort((a, b) => a[0] - b[0]).map(([s, v]) => [`{status="${s}"}`, v]));
    counter('daneprime_service_checks_total', 'Live service checks made by this process, by service verdict.',
      [...this.checks].sort().map(([v, n]) => [`{verdict="${v}"}`, n]));
    counter('daneprime_service_check_events_total', 'Events raised by live service checks in this process, by level.',
      [...this.checkEvents].sort().map(([l, n]) => [`{level="${l}"}`, n]));
    if (this.rrl) {
      const r = this.rrl;
      counter('daneprime_rrl_limited_total', 'UDP responses over the rate limit, by response class: sent truncated (slipped) or dropped.',
        r.classes.flatMap((c, i) => [[`{class="${c}",action="slipped"}`, r.slipped[i]], [`{class="${c}",action="dropped"}`, r.dropped[i]]] as [string, number][]));
      gauge('daneprime_rrl_buckets', 'Rate-limit buckets held (client prefix × response class × name).', [['', r.tracked()]]);
    }
    const who = (g: SecondaryGauge) => `{zone="${g.zone}",secondary="${g.secondary}"}`;
    gauge('daneprime_secondary_serial', 'The SOA serial each secondary served when last asked.',
      secondaries.filter((g) => g.serial !== null).map((g) => [who(g), g.serial!]));
    gauge('daneprime_secondary_lag_seconds', 'Seconds since the first version a secondary lacks was committed (0: current).',
      secondaries.filter((g) => g.lagSeconds !== null).map((g) => [who(g), g.lagSeconds!]));
    gauge('daneprime_secondary_up', '1 when the secondary answered its last SOA query with the zone, else 0.',
      secondaries.map((g) => [who(g), g.state === 'current' || g.state === 'behind' ? 1 : 0]));
    return out.join('\n') + '\n';
  }
}
