// Reading PowerDNS request bodies: the JSON objects, RRsets and records clients send, each refusal naming its field.
import type { Name } from '../../zones/model/name.js';
import { isDerivedRecord } from '../../zones/commit.js';
import { checkOwnerForm } from '../admin/rrset-json.js';
import { contentToRdata } from './content.js';
import { PdnsError } from './errors.js';
import { ownerIn, recordType, describe } from './names.js';

export type Json = Record<string, unknown>;

/** The body as a JSON object: none is a 400 (as PowerDNS, for which an empty body is not JSON), anything else a 422. */
export function bodyObject(body: unknown, what: string): Json {
  if (body === undefined) throw new PdnsError(400, `a JSON body is required: ${what}`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new PdnsError(422, `the body must be a JSON object: ${what}`);
  return body as Json;
}

export function object(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PdnsError(422, `${field}: must be an object`);
  return v as Json;
}

export function optionalBoolean(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new PdnsError(422, `${field}: must be true or false`);
  return v;
}

export function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new PdnsError(422, `${field}: must be a string`);
  return v;
}

/** A TTL in seconds (RFC 2181 §8: 0 to 2^31-1); undefined when absent. */
export function optionalTtl(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new PdnsError(422, `${field}: must be an integer from 0 to 2147483647`);
  return v;
}

/** An RRset's owner and type: owner inside the zone, a type that can be stored. */
export function rrsetKey(s: Json, apex: Name, field: string): { name: Name; type: number } {
  const name = ownerIn(s.name, apex, `${field}.name`);
  const type = recordType(s.type, `${field}.type`);
  return { name, type };
}

/**
 * The records of an RRset. Only `content` and `disabled` are read: clients also send `name`,
 * `type` and `ttl` inside each record (lego does), which mean nothing here. A disabled record
 * is refused rather than dropped: this server publishes every record it keeps, and a client
 * that later reads the RRset back must not find a record it sent missing.
 */
export function recordsOf(v: unknown, type: number, field: string): Buffer[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new PdnsError(422, `${field}: must be a list of records`);
  return v.map((r, j) => {
    const rec = object(r, `${field}[${j}]`);
    if (optionalBoolean(rec.disabled, `${field}[${j}].disabled`)) {
      throw new PdnsError(422, `${field}[${j}].disabled: disabled records are not supported (every record kept is published): leave the record out instead`);
    }
    return contentToRdata(type, rec.content, `${field}[${j}].content`);
  });
}

/**
 * Rules every RRset in a request follows before anything is written: no signer-made record
 * in a signed zone, TLSA owner names of the form `_port._proto.host`, no (name, type) twice.
 */
export function checkRRset(name: Name, type: number, apex: Name, signed: boolean, seen: Set<string>, field: string): void {
  if (signed && isDerivedRecord({ name, type }, apex)) {
    throw new PdnsError(422, `${field}.type: ${describe(name, type)} is made by the signer of this DNSSEC-signed zone and cannot be changed`);
  }
  checkOwnerForm(name, type, `${field}.name`);
  const key = `${name} ${type}`;
  if (seen.has(key)) throw new PdnsError(422, `${field}: duplicate RRset ${describe(name, type)} in one request`);
  seen.add(key);
}
