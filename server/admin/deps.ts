// What the admin API's routes are given: the store, the served zones, the commit pipeline, metrics, the clock.
import type { Store } from '../../zones/store/sqlite.js';
import type { Registry } from '../../zones/registry.js';
import type { CommitPipeline } from '../../zones/commit.js';
import type { DnssecService } from '../../signer/service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Scrape } from '../metrics/scrape.js';
import type { Logger } from '../log.js';
import type { CheckRunner } from '../checks/runner.js';
import type { CheckEvent } from '../checks/types.js';
import type { ListenAddress } from '../net/address.js';

export interface ApiDeps {
  store: Store;
  /** The zones as served: what reads show. */
  zones: Registry;
  /** The one way writes change zones. */
  pipeline: CommitPipeline;
  dnssec?: DnssecService;
  metrics: Metrics;
  /** The /metrics body (every worker's counters); made from `metrics` and the store alone when absent. */
  scrape?: Scrape;
  log: Logger;
  /** The clock, unix seconds (injected in tests). */
  now?: () => number;
  /** Told of each rollover event raised by a request (the event hook, metrics). */
  onEvent?: (e: CheckEvent) => void;
  /** Live service checks; made from the store when absent. */
  checks?: CheckRunner;
  /** The resolver asked whether a zone's parent serves its DS (the status page); absent: "unknown". */
  dsResolver?: ListenAddress;
}
