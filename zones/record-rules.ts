// Rules on single records that are valid wire but wrong in a zone we serve: types that belong only at the apex, and
// TLSA parameters outside the IANA registries. One place, so every write path (API, PowerDNS API, UPDATE, import) agrees.
import { RRType, typeToText } from './model/types.js';
import type { Name } from './model/name.js';

/**
 * Types that mean something only at a zone apex: DNSKEY (RFC 4035 §2.1), CDS/CDNSKEY
 * (RFC 7344 §4.1), NSEC3PARAM (RFC 5155 §4). Elsewhere a validator ignores them, so one there
 * is a mistake (a key published at the wrong name), not data.
 */
const APEX_ONLY = new Set<number>([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY, RRType.NSEC3PARAM]);

export function apexOnlyProblem(name: Name, type: number, apex: Name): string | undefined {
  return APEX_ONLY.has(type) && name !== apex ? `${typeToText(type)} belongs at the zone apex ${apex}, not at ${name}` : undefined;
}

/**
 * TLSA usage 0–3, selector 0–1, matching type 0–2 (RFC 6698 §2.1, RFC 7218 §2): the registries
 * hold nothing else, and a client treats a record with any other value as unusable (RFC 6698
 * §4.1), so publishing one silently weakens the service's DANE.
 */
const TLSA_LIMITS: [string, number][] = [['usage', 3], ['selector', 1], ['matching type', 2]];

export function tlsaProblem(rdata: Buffer): string | undefined {
  for (const [i, [field, max]] of TLSA_LIMITS.entries()) {
    if (rdata.length > i && rdata[i] > max) return `TLSA ${field} ${rdata[i]} is not assigned (at most ${max}; RFC 6698 §2.1, RFC 7218)`;
  }
  return undefined;
}
