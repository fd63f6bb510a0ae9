// The classified response: sections chosen as RRsets, before any byte is written.
import type { Name } from '../../zones/model/name.js';
import type { RRset } from '../../zones/model/rrset.js';
import type { Zone } from '../../zones/zone.js';

/** One RRset placed in a section. `owner` differs from rrset.name for wildcard answers. */
export interface RREntry {
  owner: Name;
  rrset: RRset;
  /** TTL to send when lower than the RRset's (negative-caching SOA, RFC 2308 §3). */
  ttl?: number;
  /** RRSIG RDATAs covering this RRset, added by the DNSSEC step when DO=1. */
  sigs?: readonly Buffer[];
  /** The zone whose keys sign this RRset; absent for data we must not sign (glue, referral NS, synthesised CNAME). */
  zone?: Zone;
}

export interface Response {
  rcode: number;
  aa: boolean;
  answer: RREntry[];
  authority: RREntry[];
  additional: RREntry[];
  /** RFC 8914 Extended DNS Error to attach when the client speaks EDNS. */
  ede?: { code: number; text: string };
}

export function emptyResponse(rcode: number, aa = false): Response {
  return { rcode, aa, answer: [], authority: [], additional: [] };
}

/** RFC 8914 §5 codes we use. */
export const EDE = { NOT_AUTHORITATIVE: 20, NOT_SUPPORTED: 21, PROHIBITED: 18 } as const;
