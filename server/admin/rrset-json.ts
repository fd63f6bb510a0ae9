// RRsets as the API shows and takes them: presentation RDATA plus structured JSON, parsed and range-checked by type.
import type { Name } from '../../zones/model/name.js';
import { RRType, typeToText } from '../../zones/model/types.js';
import { decodeRdata, rdataFromText, RdataError, type JsonValue } from '../../zones/model/rdata/index.js';
import { TokenizeError } from '../../zones/io/tokenize.js';
import { SCHEMAS } from '../../zones/model/rdata/schemas.js';
import { ApiError, E } from './errors.js';
import { tlsaOwnerProblem } from './tlsa.js';

export { rrsetToJson, type RRsetJson } from '../../zones/model/rrset-json.js';

/** A record as clients send it: presentation text, or the structured form `data` shows (field names as in decodeRdata). */
export type RecordInput = string | Record<string, JsonValue>;

/** Parse each record for `type` (relative names complete with the apex); errors name `field[i]`. */
export function recordsFromText(type: number, inputs: readonly RecordInput[], apex: Name, field: string): Buffer[] {
  return inputs.map((input, i) => {
    const text = typeof input === 'string' ? input : structuredToText(type, input, `${field}[${i}]`);
    let wire: Buffer;
    try {
      wire = rdataFromText(type, text, apex);
    } catch (err) {
      if (err instanceof RdataError || err instanceof TokenizeError) {
        throw new ApiError(400, E.INVALID, `${typeToText(type)} record ${JSON.stringify(input)}: ${err.message}`, `${field}[${i}]`);
      }
      throw err;
    }
    if (typeof input !== 'string') checkRoundTrip(type, input, wire, `${field}[${i}]`);
    return wire;
  });
}

// Character-string values are in presentation form already (escapes included, as decodeRdata shows them).
const quote = (s: string) => `"${s}"`;

/**
 * Structured → presentation, field by field in the type's schema order, so the one codec
 * still does all parsing and range checks. Arrays become quoted strings (TXT).
 */
function structuredToText(type: number, input: Record<string, JsonValue>, field: string): string {
  const schema = SCHEMAS.get(type);
  if (!schema || schema.genericTextOnly) throw new ApiError(400, E.INVALID, `${typeToText(type)} records must be given as presentation text`, field);
  return schema.fields.map((f) => {
    const v = input[f.key];
    if (v === undefined) throw new ApiError(400, E.INVALID, `${typeToText(type)} record needs "${f.key}"`, `${field}.${f.key}`);
    if (Array.isArray(v)) return v.map((x) => quote(String(x))).join(' ');
    if (typeof v === 'string' && /[\s";()\\]/.test(v)) return quote(v);
    if (v !== null && typeof v === 'object') throw new ApiError(400, E.INVALID, `"${f.key}" must be given in presentation text for ${typeToText(type)}`, `${field}.${f.key}`);
    return String(v);
  }).join(' ');
}

/** The structured form must mean exactly what was parsed (catches quoting a field kind does not take, extra keys). */
function checkRoundTrip(type: number, input: Record<string, JsonValue>, wire: Buffer, field: string): void {
  const norm = (o: unknown) => JSON.stringify(o, (_k, v) => (typeof v === 'string' ? v.toLowerCase() : v));
  const decoded = decodeRdata(type, wire);
  const extra = Object.keys(input).filter((k) => !(k in decoded));
  if (extra.length) throw new ApiError(400, E.INVALID, `${typeToText(type)} records have no field "${extra[0]}"`, `${field}.${extra[0]}`);
  if (norm(Object.fromEntries(Object.keys(decoded).map((k) => [k, input[k]]))) !== norm(decoded)) {
    throw new ApiError(400, E.INVALID, `${typeToText(type)} record ${JSON.stringify(input)} does not survive presentation form; give it as text`, field);
  }
}

/** Owner-form rules the zone checks do not cover, by type. */
export function checkOwnerForm(name: Name, type: number, field: string): void {
  if (type === RRType.TLSA) {
    const problem = tlsaOwnerProblem(name);
    if (problem) throw new ApiError(400, E.INVALID, problem, field);
  }
}
