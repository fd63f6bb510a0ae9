// RR type and class numbers, their mnemonics (RFC 3597 TYPEnnn for the rest), and the Record shape.
import type { Name } from './name.js';

export const RRType = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, RP: 17, AFSDB: 18,
  AAAA: 28, LOC: 29, SRV: 33, NAPTR: 35, KX: 36, CERT: 37, DNAME: 39, OPT: 41, APL: 42, DS: 43,
  SSHFP: 44, IPSECKEY: 45, RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49, NSEC3: 50,
  NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53, HIP: 55, CDS: 59, CDNSKEY: 60, OPENPGPKEY: 61,
  CSYNC: 62, ZONEMD: 63, SVCB: 64, HTTPS: 65, SPF: 99, EUI48: 108, EUI64: 109, TKEY: 249,
  TSIG: 250, IXFR: 251, AXFR: 252, ANY: 255, URI: 256, CAA: 257,
} as const;

export type RRTypeName = keyof typeof RRType;

const byNumber = new Map<number, string>();
for (const [k, v] of Object.entries(RRType)) byNumber.set(v, k);

export const CLASS_IN = 1;
export const CLASS_CH = 3;
export const CLASS_ANY = 255;

/** Mnemonic for a type number, `TYPEnnn` when we have none (RFC 3597 §5). */
export function typeToText(t: number): string {
  return byNumber.get(t) ?? `TYPE${t}`;
}

/** Type number for a mnemonic or `TYPEnnn`; undefined when unknown. */
export function typeFromText(s: string): number | undefined {
  const u = s.toUpperCase();
  const v = (RRType as Record<string, number>)[u];
  if (v !== undefined) return v;
  const m = /^TYPE([0-9]{1,5})$/.exec(u);
  if (m) {
    const n = Number(m[1]);
    if (n <= 0xffff) return n;
  }
  return undefined;
}

/** Meta and question-only types that can never be stored in a zone (RFC 6895 §3.1). */
export function isMetaType(t: number): boolean {
  return t === RRType.OPT || (t >= 128 && t <= 255) || t === 0;
}

/** Types whose RRsets are derived by the signer and never stored as zone source data. */
export function isDnssecDerivedType(t: number): boolean {
  return t === RRType.RRSIG || t === RRType.NSEC || t === RRType.NSEC3 || t === RRType.NSEC3PARAM;
}

/** One resource record as the store and the zone model hold it: rdata in uncompressed wire form. */
export interface Rec {
  name: Name;
  type: number;
  ttl: number;
  rdata: Buffer;
}
