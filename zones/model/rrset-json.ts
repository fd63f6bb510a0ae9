// An RRset as JSON: presentation RDATA plus the structured fields of each record (the API and the audit log show it so).
import { typeToText } from './types.js';
import type { RRset } from './rrset.js';
import { decodeRdata, rdataToText, type JsonValue } from './rdata/index.js';

export interface RRsetJson {
  name: string;
  type: string;
  ttl: number;
  records: string[];
  data: Record<string, JsonValue>[];
}

export function rrsetToJson(r: RRset): RRsetJson {
  return {
    name: r.name, type: typeToText(r.type), ttl: r.ttl,
    records: r.rdatas.map((d) => rdataToText(r.type, d)),
    data: r.rdatas.map((d) => decodeRdata(r.type, d)),
  };
}
