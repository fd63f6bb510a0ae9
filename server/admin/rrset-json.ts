// RRsets as the API shows and takes them: presentation RDATA plus structured JSON, parsed and range-checked by type.
import type { Name } from '../../zones/model/name.js';
import { RRType, typeToText } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import { decodeRdata, rdataFromText, rdataToText, RdataError, type JsonValue } from '../../zones/model/rdata/index.js';
import { TokenizeError } from '../../zones/io/tokenize.js';
import { ApiError, E } from './errors.js';
import { tlsaOwnerProblem } from './tlsa.js';

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

/** Parse each record's text for `type` (relative names complete with the apex); errors name `field[i]`. */
export function recordsFromText(type: number, texts: readonly string[], apex: Name, field: string): Buffer[] {
  return texts.map((t, i) => {
    try {
      return rdataFromText(type, t, apex);
    } catch (err) {
      if (err instanceof RdataError || err instanceof TokenizeError) {
        throw new ApiError(400, E.INVALID, `${typeToText(type)} record ${JSON.stringify(t)}: ${err.message}`, `${field}[${i}]`);
      }
      throw err;
    }
  });
}

/** Owner-form rules the zone checks do not cover, by type. */
export function checkOwnerForm(name: Name, type: number, field: string): void {
  if (type === RRType.TLSA) {
    const problem = tlsaOwnerProblem(name);
    if (problem) throw new ApiError(400, E.INVALID, problem, field);
  }
}
