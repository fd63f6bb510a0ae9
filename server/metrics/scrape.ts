// One scrape: every worker's counters (cluster.ts) and the data gauges (data-gauges.ts) as Prometheus text (exposition.ts).
import type { Metrics } from './metrics.js';
import { scrapeGatherer } from './cluster.js';
import { dataGauges, type GaugeSources } from './data-gauges.js';
import { exposition } from './exposition.js';

export { CONTENT_TYPE } from './exposition.js';

/** The /metrics body, made fresh on each call; `now`: unix seconds, for the secondaries' lag. */
export type Scrape = () => Promise<string>;

export function scraper(metrics: Metrics, sources: GaugeSources, now: () => number = () => Math.floor(Date.now() / 1000)): Scrape {
  const gather = scrapeGatherer(metrics);
  return async () => exposition(await gather(), dataGauges(sources, now()));
}
