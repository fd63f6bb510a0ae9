// Master file writer: one absolute `owner TTL IN TYPE rdata` line per record, SOA first,
// then canonical order (RFC 4034 §6.1 names, then type, then canonical RDATA, §6.3).
import { compareCanonical, type Name } from '../model/name.js';
import { RRType, typeToText, type Rec } from '../model/types.js';
import { canonicalRdata, rdataToText } from '../model/rdata/index.js';

function compareRecs(a: Rec, b: Rec): number {
  return compareCanonical(a.name, b.name) || a.type - b.type
    || Buffer.compare(canonicalRdata(a.type, a.rdata), canonicalRdata(b.type, b.rdata));
}

export function writeZoneText(origin: Name, records: Rec[]): string {
  const isApexSoa = (r: Rec): boolean => r.type === RRType.SOA && r.name === origin;
  const sorted = [...records].sort((a, b) => Number(isApexSoa(b)) - Number(isApexSoa(a)) || compareRecs(a, b));
  const lines = sorted.map((r) => `${r.name}\t${r.ttl}\tIN\t${typeToText(r.type)}\t${rdataToText(r.type, r.rdata)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}
