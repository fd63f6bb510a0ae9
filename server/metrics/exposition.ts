// The /metrics text: every worker's counters summed and the data gauges, handed to prom-client collectors at scrape time.
import { Registry, Counter, Gauge, type Metric } from 'prom-client';
import { mergeSnapshots, type CounterSnapshot, type HistogramSample } from './snapshot.js';
import { DURATION_BUCKETS } from './query-stats.js';
import type { GaugeFamily } from './data-gauges.js';

/**
 * Help text and label names of each counter and histogram; a series a snapshot carries
 * without an entry here is a bug, and fails the scrape loudly.
 */
const FAMILIES: Record<string, [help: string, labelNames: string[]]> = {
  daneprime_dns_requests_total: ['DNS requests answered, by zone (a hosted zone, or other), transport, address family (1: IPv4, 2: IPv6) and query type (other: a type not counted by name).', ['zone', 'proto', 'family', 'type']],
  daneprime_dns_responses_total: ['DNS responses, by zone and response code.', ['zone', 'rcode']],
  daneprime_dns_do_requests_total: ['DNS requests with the DO bit set (RFC 3225), by zone.', ['zone']],
  daneprime_dns_request_duration_seconds: ['Time from a DNS message received to its reply made.', []],
  daneprime_dns_updates_total: ['DNS UPDATE messages answered, by zone and response code.', ['zone', 'rcode']],
  daneprime_xfr_transfers_total: ['Zone transfer requests (AXFR, IXFR), by zone, type and result (done, refused, failed).', ['zone', 'type', 'result']],
  daneprime_xfr_notifies_total: ['NOTIFY messages to secondaries, by zone and result (acknowledged, rejected, unanswered).', ['zone', 'result']],
  daneprime_dnssec_signatures_total: ['RRSIGs made.', []],
  daneprime_dnssec_cache_hits_total: ['Signature cache hits.', []],
  daneprime_dnssec_cache_misses_total: ['Signature cache misses.', []],
  daneprime_zone_edits_total: ['Zone edits committed through the admin API.', []],
  daneprime_api_errors_total: ['Admin API error responses, by HTTP status.', ['status']],
  daneprime_service_checks_total: ['Live service checks made, by service verdict.', ['verdict']],
  daneprime_service_check_events_total: ['Events raised by live service checks and TLSA rollovers, by level.', ['level']],
  daneprime_rrl_limited_total: ['UDP responses over the rate limit, by response class: sent truncated (slipped) or dropped.', ['class', 'action']],
  daneprime_rrl_buckets: ['Rate-limit buckets held (client prefix × response class × name), in all workers.', []],
};

const HISTOGRAMS = new Set(['daneprime_dns_request_duration_seconds']);
/** Process values that are gauges, not counters; summed over the processes all the same. */
const GAUGES = new Set(['daneprime_rrl_buckets']);

/** A histogram from summed bucket counts: prom-client's Histogram only observes values one by one, so this is a collector of its own. */
function histogram(name: string, help: string, rows: HistogramSample[]): Metric {
  const get = async () => ({
    name, help, type: 'histogram', aggregator: 'sum',
    values: rows.flatMap((r) => {
      let cumulative = 0;
      const buckets = [...DURATION_BUCKETS, Infinity].map((le, i) => {
        cumulative += r.buckets[i] ?? 0;
        return { metricName: `${name}_bucket`, labels: { ...r.labels, le: le === Infinity ? '+Inf' : le }, value: cumulative };
      });
      return [...buckets, { metricName: `${name}_sum`, labels: r.labels, value: r.sum }, { metricName: `${name}_count`, labels: r.labels, value: cumulative }];
    }),
  });
  return { name, help, type: 'histogram', aggregator: 'sum', get, reset: () => {} } as unknown as Metric;
}

/** Prometheus text format 0.0.4 of the processes' snapshots and the gauges. */
export async function exposition(snapshots: readonly CounterSnapshot[], gauges: readonly GaugeFamily[]): Promise<string> {
  const merged = mergeSnapshots(snapshots);
  const registry = new Registry();
  for (const [name, [help, labelNames]] of Object.entries(FAMILIES)) {
    if (HISTOGRAMS.has(name)) { registry.registerMetric(histogram(name, help, merged.histograms[name] ?? [])); continue; }
    if (GAUGES.has(name)) {
      const g = new Gauge({ name, help, labelNames, registers: [registry] });
      for (const r of merged.counters[name] ?? []) g.set(r.labels, r.value);
      continue;
    }
    const c = new Counter({ name, help, labelNames, registers: [registry] });
    for (const r of merged.counters[name] ?? []) c.inc(r.labels, r.value);
  }
  const unknown = [...Object.keys(merged.counters), ...Object.keys(merged.histograms)].filter((n) => !(n in FAMILIES));
  if (unknown.length) throw new Error(`metrics without help text: ${unknown.join(', ')}`);
  for (const g of gauges) {
    const gauge = new Gauge({ name: g.name, help: g.help, labelNames: g.labelNames, registers: [registry] });
    for (const s of g.samples) gauge.set(s.labels, s.value);
  }
  return registry.metrics();
}

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
