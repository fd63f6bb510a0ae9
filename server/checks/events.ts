// Which events a check raises: a changed key or certificate (critical when no TLSA record names the new one), and each fault or warning that the previous check did not have.
import type { CheckEvent, CheckJson, EndpointJson, EventLevel } from './types.js';

/** A TLSA record that matched no endpoint for this long is reported as a leftover. */
export const LEFTOVER_SECONDS = 7 * 86400;

export interface EventInputs {
  zone: string;
  result: CheckJson;
  previous: CheckJson | undefined;
  /** The certificate each endpoint presented last time (SHA-256 of the certificate and of its SPKI). */
  lastSeen: (endpoint: string) => { cert: string; spki: string } | undefined;
  /** The state of the service's TLSA rollover, when one is under way. */
  rollover?: string;
}

interface Condition { key: string; endpoint: string | null; level: EventLevel; kind: string; message: string }

/**
 * Standing conditions are raised once, when they first appear (the previous check did not
 * have them), so an hourly check of a service with a known fault does not repeat it; a changed
 * key is an event each time it happens.
 */
export function deriveEvents(i: EventInputs): CheckEvent[] {
  const time = i.result.checkedAt;
  const ev = (c: Omit<Condition, 'key'>): CheckEvent => ({ time, zone: i.zone, service: i.result.name, ...c });
  const events: CheckEvent[] = [];
  for (const e of i.result.endpoints) {
    const leaf = e.chain[0];
    const last = i.lastSeen(e.address);
    if (!leaf || !last || last.cert === leaf.certSha256) continue;
    const what = last.spki === leaf.spkiSha256 ? 'certificate changed (same key)' : 'key changed';
    // A key that matches no record was deployed without a rollover publishing it first (or
    // not the key the rollover under way published): DANE clients fail from now on.
    const fits = e.matched.length
      ? `the new one matches ${e.matched.join(', ')}`
      : `the new one matches no TLSA record: DANE clients will fail (${i.rollover ? `a rollover is under way (${i.rollover}), but this is not its next key` : 'no rollover published it first'})`;
    events.push(ev({
      endpoint: e.address, level: e.matched.length ? 'notice' : 'critical', kind: e.matched.length ? 'key-changed' : 'key-changed-without-rollover',
      message: `${e.address}: ${what} (certificate SHA-256 ${last.cert} → ${leaf.certSha256}); ${fits}`,
    }));
  }
  const before = new Set(i.previous ? conditions(i.previous).map((c) => c.key) : []);
  for (const c of conditions(i.result)) if (!before.has(c.key)) events.push(ev(c));
  return events;
}

/** The faults and warnings of one check, each once (a leftover record is the service's, not an endpoint's). */
function conditions(r: CheckJson): Condition[] {
  const out = new Map<string, Condition>();
  const add = (c: Condition) => { if (!out.has(c.key)) out.set(c.key, c); };
  if (!r.endpoints.length) add({ key: '*|unreachable', endpoint: null, level: 'critical', kind: 'no-endpoints', message: `no endpoint to probe: ${r.reason ?? 'no addresses'}` });
  for (const e of r.endpoints) {
    if (e.verdict !== 'match') add(verdictCondition(e));
    for (const w of e.warnings) {
      if (w.startsWith(LEFTOVER_PREFIX)) add({ key: `*|${w}`, endpoint: null, level: 'notice', kind: 'leftover', message: w });
      else add({ key: `${e.address}|warning|${w}`, endpoint: e.address, level: 'warning', kind: warningKind(w), message: `${e.address}: ${w}` });
    }
  }
  return [...out.values()];
}

/** How a leftover record's warning begins (the runner adds it to each endpoint that presented a certificate). */
export const LEFTOVER_PREFIX = 'TLSA record ';

export function leftoverWarning(record: string): string {
  return `${LEFTOVER_PREFIX}${record} has matched no endpoint for ${LEFTOVER_SECONDS / 86400} days or more: a leftover, or a next key published long ahead`;
}

function verdictCondition(e: EndpointJson): Condition {
  // Unreachable is not a DANE fault by itself; the other failures make DANE clients fail.
  const level: EventLevel = e.verdict === 'unreachable' ? 'warning' : 'critical';
  const what = e.verdict === 'mismatch' ? 'matches no TLSA record' : e.verdict;
  return { key: `${e.address}|verdict|${e.verdict}`, endpoint: e.address, level, kind: e.verdict, message: `${e.address}: ${what}${e.reason ? `: ${e.reason}` : ''}` };
}

function warningKind(w: string): string {
  if (/below TLS 1\.2/.test(w)) return 'tls-version';
  if (/not AEAD/.test(w)) return 'cipher';
  if (/forward secrecy/.test(w)) return 'forward-secrecy';
  if (/plaintext after/.test(w)) return 'starttls-injection';
  if (/expire/.test(w)) return 'expiry';
  if (/next key/.test(w)) return 'no-next-key';
  return 'warning';
}
