// A zone's key policy as the CLI and the API take it: durations ("30s", "12h", "90d"), checked field by field, merged over the stored policy.
import type { KeyPolicy } from '../../zones/store/key-policy-sqlite.js';
import { parseServer } from './ds-check.js';
import { MIN_REFRESH } from '../../signer/policy.js';

/** A policy field the operator got wrong: `field` is the API's name for it. */
export class PolicyInputError extends Error {
  constructor(readonly field: string, message: string) { super(message); }
}

export const DURATION_FIELDS = ['zskLifetime', 'kskLifetime', 'cskLifetime', 'propagationDelay', 'signatureValidity', 'refresh'] as const;
export type DurationField = typeof DURATION_FIELDS[number];

/** The CLI's option for each field (--zsk-lifetime …). */
export const CLI_OPTION: Record<DurationField | 'dsResolver', string> = {
  zskLifetime: 'zsk-lifetime', kskLifetime: 'ksk-lifetime', cskLifetime: 'csk-lifetime', propagationDelay: 'propagation-delay',
  signatureValidity: 'signature-validity', refresh: 'refresh', dsResolver: 'ds-resolver',
};

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** Longer than any sensible key lifetime; keeps every sum of waits far from 2^31 s. */
const MAX_DURATION = 10 * 365 * 86400;

/** "DUR" = an integer with s, m, h or d; an integer alone (the API) is seconds. */
export function parseDuration(field: string, v: unknown): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\d{1,10}[smhd]$/.test(v)) n = Number(v.slice(0, -1)) * UNIT[v.slice(-1)];
  else throw new PolicyInputError(field, `${JSON.stringify(v)} is not a duration: an integer with s, m, h or d (e.g. 30s, 12h, 90d)`);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_DURATION) throw new PolicyInputError(field, `${JSON.stringify(v)} is out of range (0 to 3650d)`);
  return n;
}

/** "90d", "12h", "30s": the largest unit that divides it. */
export function formatDuration(sec: number): string {
  for (const [u, n] of [['d', 86400], ['h', 3600], ['m', 60]] as const) if (sec > 0 && sec % n === 0) return `${sec / n}${u}`;
  return `${sec}s`;
}

/**
 * The stored policy with `input`'s fields replaced (unknown fields refused), checked as a
 * whole: signatures must be renewed before they expire, and at least a minute ahead, so a
 * reply reused by the fast path never carries an expired one.
 */
export function mergePolicy(stored: KeyPolicy, input: Record<string, unknown>): KeyPolicy {
  const p: KeyPolicy = { ...stored };
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if ((DURATION_FIELDS as readonly string[]).includes(k)) p[k as DurationField] = parseDuration(k, v);
    else if (k === 'dsResolver') {
      if (v === null || v === '' || v === 'none') p.dsResolver = null;
      else if (typeof v !== 'string') throw new PolicyInputError(k, 'an address string (ADDR:PORT or [IPv6]:PORT), or null');
      else {
        try { parseServer(v); } catch (err) { throw new PolicyInputError(k, (err as Error).message); }
        p.dsResolver = v;
      }
    } else throw new PolicyInputError(k, `unknown policy field ${JSON.stringify(k)}`);
  }
  if (p.refresh >= p.signatureValidity) {
    throw new PolicyInputError('refresh', `signatures are renewed ${formatDuration(p.refresh)} before they expire, which must be less than their validity (${formatDuration(p.signatureValidity)})`);
  }
  if (p.refresh < MIN_REFRESH) {
    throw new PolicyInputError('refresh', `${formatDuration(p.refresh)} before expiry is too short: replies are reused for up to ${MIN_REFRESH} s, so at least ${MIN_REFRESH}s`);
  }
  return p;
}

/** The policy as the API returns it: seconds, and the same as durations. */
export function policyJson(p: KeyPolicy) {
  return {
    zskLifetime: p.zskLifetime, kskLifetime: p.kskLifetime, cskLifetime: p.cskLifetime, propagationDelay: p.propagationDelay,
    signatureValidity: p.signatureValidity, refresh: p.refresh, dsResolver: p.dsResolver,
  };
}

/** One line per field, for `zone policy ZONE`. */
export function policyText(p: KeyPolicy): string {
  const life = (n: number) => (n > 0 ? formatDuration(n) : '0 (never rolls)');
  return [
    `zsk-lifetime\t${life(p.zskLifetime)}`, `ksk-lifetime\t${life(p.kskLifetime)}`, `csk-lifetime\t${life(p.cskLifetime)}`,
    `propagation-delay\t${formatDuration(p.propagationDelay)}`, `signature-validity\t${formatDuration(p.signatureValidity)}`,
    `refresh\t${formatDuration(p.refresh)}`, `ds-resolver\t${p.dsResolver ?? '(serve --ds-resolver, else the parent\'s servers)'}`,
  ].join('\n') + '\n';
}
