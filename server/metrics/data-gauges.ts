// Gauges computed at scrape time from what is served and stored: zone serials, signature expiry, keys, secondaries, live checks, rollovers.
import type { Store } from '../../zones/store/sqlite.js';
import type { Registry } from '../../zones/registry.js';
import type { DnssecService } from '../../signer/service.js';
import { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { CheckStore } from '../../zones/store/checks-sqlite.js';
import { RolloverStore } from '../../zones/store/rollover-sqlite.js';
import { soaSerial } from '../../zones/model/rdata/soa.js';
import { signatureValidity } from '../../signer/policy.js';
import { secondaryStatus } from '../xfr/monitor.js';
import type { Sample } from './snapshot.js';

export interface GaugeFamily { name: string; help: string; labelNames: string[]; samples: Sample[] }

export interface GaugeSources {
  store: Store;
  zones: Registry;
  dnssec?: DnssecService;
}

/** The endpoints of a stored check result (runner.ts CheckJson); none from a row that does not parse. */
function endpointsOf(result: string): { address: string; verdict: string }[] {
  try {
    const eps = (JSON.parse(result) as { endpoints?: unknown }).endpoints;
    return Array.isArray(eps) ? eps.filter((e): e is { address: string; verdict: string } => typeof e?.address === 'string' && typeof e?.verdict === 'string') : [];
  } catch {
    return [];
  }
}

const secondaryLabel = (address: string, port: number) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** Every data gauge, as of `now` (unix seconds). Zones are the ones this process serves; all else comes from the store. */
export function dataGauges(src: GaugeSources, now: number): GaugeFamily[] {
  const { store, zones } = src;
  const xs = new XfrStore(store);
  const serial: Sample[] = [];
  const expiry: Sample[] = [];
  const keys: Sample[] = [];
  const secSerial: Sample[] = [];
  const secLag: Sample[] = [];
  const secUp: Sample[] = [];
  for (const apex of zones.apexes()) {
    const served = zones.get(apex)!;
    serial.push({ labels: { zone: apex }, value: soaSerial(served.soa.rdatas[0]) });
    const row = zones.row(apex);
    const signer = src.dnssec?.forZone(served);
    // Every signature of the zone is dated from its signing epoch, with an expiration of 14
    // days after it plus a per-RRset jitter of up to a day (signer/policy.ts): the epoch's
    // earliest expiration is the soonest one a secondary holds.
    if (row && signer) expiry.push({ labels: { zone: apex }, value: signatureValidity(signer.context.epoch).expiration });
    if (row) {
      for (const k of store.keys(row.id)) keys.push({ labels: { zone: apex, keytag: String(k.key_tag), role: k.role, state: k.state, algorithm: String(k.algorithm) }, value: 1 });
    }
    for (const s of secondaryStatus(store, xs, apex, now)) {
      const labels = { zone: apex, secondary: secondaryLabel(s.address, s.port) };
      if (s.serial !== null) secSerial.push({ labels, value: s.serial });
      if (s.lagSeconds !== null) secLag.push({ labels, value: s.lagSeconds });
      secUp.push({ labels, value: s.state === 'current' || s.state === 'behind' ? 1 : 0 });
    }
  }
  const endpointMatch: Sample[] = [];
  const checkedAt: Sample[] = [];
  const rollover: Sample[] = [];
  const checks = new CheckStore(store);
  const rollovers = RolloverStore.of(store);
  for (const svc of checks.services()) {
    rollover.push({ labels: { zone: svc.zone, service: svc.name, state: rollovers.one(svc.id)?.state ?? 'steady' }, value: 1 });
    const last = checks.checks(svc.id, 1)[0];
    if (!last) continue;
    checkedAt.push({ labels: { zone: svc.zone, service: svc.name }, value: last.at });
    const eps = endpointsOf(last.result);
    for (const e of eps) endpointMatch.push({ labels: { zone: svc.zone, service: svc.name, endpoint: e.address }, value: e.verdict === 'match' ? 1 : 0 });
  }
  return [
    { name: 'daneprime_zone_serial', help: 'The SOA serial each zone serves.', labelNames: ['zone'], samples: serial },
    { name: 'daneprime_zone_signature_expiry_timestamp_seconds', help: 'When the soonest RRSIG of each signed zone expires (unix time); the whole-zone re-sign moves it on.', labelNames: ['zone'], samples: expiry },
    { name: 'daneprime_dnssec_key_info', help: 'Each DNSSEC key of each zone (value 1): its key tag, role, state and algorithm.', labelNames: ['zone', 'keytag', 'role', 'state', 'algorithm'], samples: keys },
    { name: 'daneprime_secondary_serial', help: 'The SOA serial each secondary served when last asked.', labelNames: ['zone', 'secondary'], samples: secSerial },
    { name: 'daneprime_secondary_lag_seconds', help: 'Seconds since the first version a secondary lacks was committed (0: current).', labelNames: ['zone', 'secondary'], samples: secLag },
    { name: 'daneprime_secondary_up', help: '1 when the secondary answered its last SOA query with the zone, else 0.', labelNames: ['zone', 'secondary'], samples: secUp },
    { name: 'daneprime_service_endpoint_match', help: 'Live check verdict per endpoint at the last check: 1 when it matched a TLSA record, else 0.', labelNames: ['zone', 'service', 'endpoint'], samples: endpointMatch },
    { name: 'daneprime_service_last_check_timestamp_seconds', help: 'When each service was last checked (unix time).', labelNames: ['zone', 'service'], samples: checkedAt },
    { name: 'daneprime_rollover_state', help: 'Each service\'s TLSA rollover state (value 1; steady: none under way).', labelNames: ['zone', 'service', 'state'], samples: rollover },
  ];
}
