// Canonical RDATA for DNSSEC (RFC 4034 §6.2 as corrected by RFC 6840 §5.1 and RFC 3597 §7):
// lowercase embedded names only for the listed types.
import { RdataError } from './errors.js';
import { SCHEMAS } from './schemas.js';

// NS MD MF CNAME SOA MB MG MR PTR MINFO MX RP AFSDB RT SIG PX NXT KX SRV NAPTR DNAME A6 RRSIG NSEC.
// HINFO was dropped by RFC 6840 §5.1; SVCB/HTTPS postdate the list, so their names keep case.
// A6 (38) is listed but historic (RFC 6563) and has no schema: left unchanged.
const LOWERCASE_TYPES = new Set([2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 17, 18, 21, 24, 26, 30, 33, 35, 36, 39, 46, 47]);

/** Canonical form; returns the same Buffer when nothing needs lowercasing. */
export function canonicalRdata(type: number, rdata: Buffer): Buffer {
  if (!LOWERCASE_TYPES.has(type)) return rdata;
  const schema = SCHEMAS.get(type);
  if (!schema) return rdata;
  let out: Buffer | undefined;
  let off = 0;
  for (const f of schema.fields) {
    const next = f.kind.decode(rdata, off, f.label).next;
    if (f.kind.isName) {
      // Label length octets are ≤ 63 (< 'A'), so every byte in 'A'..'Z' here is a letter.
      for (let i = off; i < next; i++) {
        const b = rdata[i];
        if (b >= 0x41 && b <= 0x5a) {
          out ??= Buffer.from(rdata);
          out[i] = b | 0x20;
        }
      }
    }
    off = next;
  }
  if (off !== rdata.length) throw new RdataError(`canonicalRdata: ${rdata.length - off} trailing bytes`);
  return out ?? rdata;
}
