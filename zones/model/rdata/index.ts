// Public RDATA API: presentation <-> wire codecs, structured decode, canonical form and helpers.
import { parseName, type Name } from '../name.js';
import { RRType } from '../types.js';
import { tokenize, type Token } from '../../io/tokenize.js';
import { decodeKnown, encodeTokens, genericText, wireToText } from './codec.js';
import type { JsonValue } from './kinds.js';

export { RdataError } from './errors.js';
export { canonicalRdata } from './canonical.js';
export { soaSerial, soaRefresh, soaMinimum, withSoaSerial } from './soa.js';
export type { JsonValue } from './kinds.js';
export type { Token } from '../../io/tokenize.js';

/** Presentation tokens (after the type) → uncompressed wire RDATA. Throws RdataError. */
export function rdataFromTokens(type: number, tokens: Token[], origin: Name): Buffer {
  return encodeTokens(type, tokens, origin);
}

/** One line of RDATA text (e.g. from the REST API: `3 1 1 ab12…`) → wire. */
export function rdataFromText(type: number, text: string, origin: Name): Buffer {
  return encodeTokens(type, tokenize(text), origin);
}

/** Canonical presentation text; `\# len hex` for types without a presentation schema. */
export function rdataToText(type: number, rdata: Buffer): string {
  return wireToText(type, rdata);
}

/** RFC 3597 generic presentation, valid for any type. */
export function rdataToGenericText(rdata: Buffer): string {
  return genericText(rdata);
}

/** Structured, JSON-able view keyed by field name; `{ rdata: hex }` for types without a schema. */
export function decodeRdata(type: number, rdata: Buffer): Record<string, JsonValue> {
  return decodeKnown(type, rdata)?.values ?? { rdata: rdata.toString('hex') };
}

// The field a resolver follows or needs addresses for.
const TARGET_FIELD = new Map<number, string>([
  [RRType.NS, 'nsdname'], [RRType.CNAME, 'target'], [RRType.DNAME, 'target'], [RRType.MX, 'exchange'],
  [RRType.SRV, 'target'], [RRType.SVCB, 'target'], [RRType.HTTPS, 'target'], [RRType.PTR, 'ptrdname'],
]);

/** Target name as a Name key; undefined for other types and for a SVCB/HTTPS target of ".". */
export function rdataTargetName(type: number, rdata: Buffer): Name | undefined {
  const key = TARGET_FIELD.get(type);
  if (!key) return undefined;
  const v = decodeKnown(type, rdata)!.values[key] as string;
  if ((type === RRType.SVCB || type === RRType.HTTPS) && v === '.') return undefined;
  return parseName(v);
}
