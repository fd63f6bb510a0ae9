// A check of one service, start to end: its TLSA RRset and endpoints, a probe per endpoint, verdicts, events, and the result stored.
import type { Store } from '../../zones/store/sqlite.js';
import { CheckStore, type ServiceRow } from '../../zones/store/checks-sqlite.js';
import { RolloverStore } from '../../zones/store/rollover-sqlite.js';
import type { Name } from '../../zones/model/name.js';
import { parseTlsaOwner } from '../dane/association.js';
import { probe, DEFAULT_PROBE_LIMITS, type ProbeLimits, type ProbeOutcome } from './probe.js';
import { evaluateEndpoint } from './evaluate.js';
import { deriveEvents, leftoverWarning, LEFTOVER_SECONDS } from './events.js';
import { serviceEndpoints, formatEndpoint, type Endpoint } from './endpoints.js';
import { tlsaRecordsAt } from './zone-data.js';
import { Limiter } from './limiter.js';
import { ServiceError } from './service-spec.js';
import { worstVerdict, type CheckEvent, type CheckJson, type StartTlsKind } from './types.js';

/** Probes at once in one process: a few, so checks never crowd out the DNS server. */
export const PROBE_CONCURRENCY = 4;

export interface RunnerOptions {
  store: Store;
  log?: (msg: string) => void;
  /** Unix seconds. */
  now?: () => number;
  limits?: ProbeLimits;
  /** Told of each event once it is stored (metrics, the event hook). */
  onEvent?: (e: CheckEvent) => void;
  /** Told of each result once it is stored (metrics). */
  onResult?: (r: CheckJson) => void;
  /** The probe itself (tests may count or stub it). */
  probe?: typeof probe;
}

/**
 * The names a service's certificate must carry (RFC 7671 §5.1, RFC 7673 §4): the SNI sent and
 * the service domain, each the TLSA base domain unless configured.
 */
export function serviceNames(svc: ServiceRow): { sni: string; domain: string; names: string[] } {
  const owner = parseTlsaOwner(svc.name)!;
  const sni = svc.sni ?? owner.host;
  const domain = svc.domain ?? owner.host;
  return { sni, domain, names: [...new Set([sni, domain])] };
}

const underWay = (state: string | undefined) => (state && state !== 'steady' ? state : undefined);

export class CheckRunner {
  readonly checks: CheckStore;
  private readonly limiter = new Limiter(PROBE_CONCURRENCY);
  private readonly now: () => number;

  constructor(private readonly o: RunnerOptions) {
    this.checks = new CheckStore(o.store);
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Check the service named `name` now. */
  async check(name: Name): Promise<CheckJson> {
    const svc = this.checks.service(name);
    if (!svc) throw new ServiceError(`no service ${name}`, 'name', true);
    return this.checkService(svc);
  }

  async checkService(svc: ServiceRow): Promise<CheckJson> {
    const records = tlsaRecordsAt(this.o.store, svc.name);
    const { endpoints, problem } = await serviceEndpoints(this.o.store, svc);
    const { sni, domain, names } = serviceNames(svc);
    const outcomes = await Promise.all(endpoints.map((e) => this.limiter.run(() => this.probeOne(e, svc.starttls as StartTlsKind, sni, domain))));
    const at = this.now();
    const now = new Date(at * 1000);
    const eps = outcomes.map((p, i) => evaluateEndpoint(formatEndpoint(endpoints[i]), p, { records, names, now }));
    const result: CheckJson = {
      name: svc.name, verdict: eps.length ? worstVerdict(eps.map((e) => e.verdict)) : 'unreachable', checkedAt: now.toISOString(), endpoints: eps,
      ...(problem ? { reason: problem } : {}),
    };
    // A record no endpoint matched for a week: a leftover (or a next key published long ahead).
    const matchedNow = new Set(eps.flatMap((e) => e.matched));
    const seen = new Map(this.checks.recordsSeen(svc.id).map((r) => [r.record, r]));
    const leftovers = records.filter((r) => {
      const row = seen.get(r.text);
      return !matchedNow.has(r.text) && row && at - (row.last_matched ?? row.first_seen) >= LEFTOVER_SECONDS;
    });
    for (const e of eps) if (e.chain.length) e.warnings.push(...leftovers.map((r) => leftoverWarning(r.text)));
    const previousRow = this.checks.checks(svc.id, 1)[0];
    const events = deriveEvents({
      zone: svc.zone, result, previous: previousRow ? JSON.parse(previousRow.result) as CheckJson : undefined,
      lastSeen: (endpoint) => {
        const f = this.checks.lastFingerprint(svc.id, endpoint);
        return f && { cert: f.cert_sha256, spki: f.spki_sha256 };
      },
      rollover: underWay(RolloverStore.of(this.o.store).one(svc.id)?.state),
    });
    const current = new Set(records.map((r) => r.text));
    this.checks.saveCheck({
      serviceId: svc.id, at, verdict: result.verdict, result: JSON.stringify(result),
      // The chain itself is kept too: the write guard (server/rollover/guard.ts) holds TLSA changes against it.
      fingerprints: eps.flatMap((e, i) => (e.chain.length ? [{ endpoint: e.address, cert: e.chain[0].certSha256, spki: e.chain[0].spkiSha256, chain: outcomes[i].chain.map((c) => c.toString()).join('') }] : [])),
      // Records are seen only when the check got as far as a certificate; an unreachable
      // endpoint says nothing about them.
      records: eps.some((e) => e.chain.length) ? records.map((r) => ({ record: r.text, matched: matchedNow.has(r.text) })) : [],
      dropRecords: [...seen.keys()].filter((r) => !current.has(r)),
      events: events.map((e) => ({ at, zone: e.zone, service: e.service, endpoint: e.endpoint, level: e.level, kind: e.kind, message: e.message })),
    });
    this.o.log?.(`check ${svc.name}: ${result.verdict}${eps.length ? ` (${eps.map((e) => `${e.address} ${e.verdict}`).join(', ')})` : problem ? ` (${problem})` : ''}`);
    for (const e of events) {
      this.o.log?.(`check event ${e.level}: ${e.service}: ${e.message}`);
      this.o.onEvent?.(e);
    }
    this.o.onResult?.(result);
    return result;
  }

  /** A probe never throws: anything unexpected is a failed verdict with its reason. */
  private async probeOne(e: Endpoint, starttls: StartTlsKind, sni: string, domain: string): Promise<ProbeOutcome> {
    try {
      return await (this.o.probe ?? probe)({ address: e.address, port: e.port, starttls, sni, domain }, this.o.limits ?? DEFAULT_PROBE_LIMITS);
    } catch (err) {
      return { failure: { verdict: 'tls-failed', reason: `probe failed: ${(err as Error).message}` }, plaintextAfterStartTls: false, chain: [] };
    }
  }
}
