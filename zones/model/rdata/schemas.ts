// The per-type RDATA layouts: every supported RR type is a list of fields (key + kind) plus
// optional cross-field checks. This table is the only per-type knowledge the codecs have.
import { RRType } from '../types.js';
import { typeBitmap, typeMnemonic } from './bitmap.js';
import {
  base32HexLen, base64Rest, caaTag, charString, charStrings, hexRest, ipv4, ipv6, name, saltHex,
  stringRest, time, ttl, uint, type FieldKind, type JsonValue,
} from './kinds.js';
import { svcParams } from './svcb.js';

export interface Field {
  /** JSON key in decodeRdata output (camelCase). */
  key: string;
  /** Human wording used in error messages, derived from the key. */
  label: string;
  kind: FieldKind;
}

export interface Schema {
  fields: Field[];
  /** Cross-field validation on the decoded values; returns an error message (without type prefix). */
  check?: (v: Record<string, JsonValue>) => string | undefined;
  /** Wire layout known (for canonical form) but presentation only via RFC 3597 `\#`. */
  genericTextOnly?: boolean;
}

const label = (key: string): string => key.replace(/[A-Z]/g, (c) => ' ' + c.toLowerCase());
const F = (key: string, kind: FieldKind): Field => ({ key, label: label(key), kind });

// DNSSEC algorithm mnemonics accepted where RFC 4034 §A.1 allows them in presentation.
const ALGORITHMS: Record<string, number> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, RSASHA256: 8,
  RSASHA512: 10, 'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};

const u8 = uint(8), u16 = uint(16), u32 = uint(32), alg = uint(8, ALGORITHMS);

/** Digest/data length must match what the selector field's algorithm produces. */
function lengthFor(selKey: string, dataKey: string, sizes: Record<number, number>): Schema['check'] {
  return (v) => {
    const sel = v[selKey] as number;
    const want = sizes[sel];
    const got = (v[dataKey] as string).length / 2;
    if (want !== undefined && got !== want) return `${label(selKey)} ${sel} needs ${want} bytes of ${label(dataKey)}, got ${got}`;
    return undefined;
  };
}

// RFC 6698 §2.1.3 (SMIMEA: RFC 8162 §2 reuses it).
const tlsa: Schema = {
  fields: [F('usage', u8), F('selector', u8), F('matchingType', u8), F('data', hexRest())],
  check: lengthFor('matchingType', 'data', { 1: 32, 2: 64 }),
};
// RFC 4034 §5.1; digest sizes per RFC 3658 (SHA-1), RFC 4509 (SHA-256), RFC 5933 (GOST), RFC 6605 (SHA-384).
// CDS "0 0 0 00" (RFC 8078 §4) has digest type 0, which has no size rule.
const ds: Schema = {
  fields: [F('keyTag', u16), F('algorithm', alg), F('digestType', u8), F('digest', hexRest())],
  check: lengthFor('digestType', 'digest', { 1: 20, 2: 32, 3: 32, 4: 48 }),
};
// RFC 4034 §2.1.2: protocol MUST be 3.
const dnskey: Schema = {
  fields: [F('flags', u16), F('protocol', u8), F('algorithm', alg), F('publicKey', base64Rest())],
  check: (v) => (v.protocol !== 3 ? `protocol must be 3, got ${String(v.protocol)}` : undefined),
};
// RFC 4034 §3 (SIG, RFC 2535, shares the layout).
const rrsig: Schema = {
  fields: [
    F('typeCovered', typeMnemonic), F('algorithm', alg), F('labels', u8), F('originalTtl', ttl),
    F('expiration', time), F('inception', time), F('keyTag', u16), F('signerName', name), F('signature', base64Rest()),
  ],
};
const svcb: Schema = { fields: [F('priority', u16), F('target', name), F('params', svcParams)] };
const txt: Schema = { fields: [F('strings', charStrings)] };
const oneName = (key: string): Schema => ({ fields: [F(key, name)] });
const prefName = (key: string): Schema => ({ fields: [F('preference', u16), F(key, name)] });

export const SCHEMAS = new Map<number, Schema>([
  [RRType.A, { fields: [F('address', ipv4)] }],
  [RRType.AAAA, { fields: [F('address', ipv6)] }],
  [RRType.NS, oneName('nsdname')],
  [RRType.CNAME, oneName('target')],
  [RRType.DNAME, oneName('target')],
  [RRType.PTR, oneName('ptrdname')],
  [RRType.SOA, {
    fields: [F('mname', name), F('rname', name), F('serial', u32), F('refresh', ttl), F('retry', ttl), F('expire', ttl), F('minimum', ttl)],
  }],
  [RRType.MX, { fields: [F('preference', u16), F('exchange', name)] }],
  [RRType.TXT, txt],
  [RRType.SPF, txt],
  [RRType.SRV, { fields: [F('priority', u16), F('weight', u16), F('port', u16), F('target', name)] }],
  [RRType.CAA, { fields: [F('flags', u8), F('tag', caaTag), F('value', stringRest)] }],
  [RRType.TLSA, tlsa],
  [RRType.SMIMEA, tlsa],
  // RFC 4255 §3.1; SHA-256 fingerprints per RFC 6594.
  [RRType.SSHFP, {
    fields: [F('algorithm', u8), F('fingerprintType', u8), F('fingerprint', hexRest())],
    check: lengthFor('fingerprintType', 'fingerprint', { 1: 20, 2: 32 }),
  }],
  // RFC 3403 §4.1.
  [RRType.NAPTR, {
    fields: [F('order', u16), F('preference', u16), F('flags', charString), F('services', charString), F('regexp', charString), F('replacement', name)],
  }],
  [RRType.DS, ds],
  [RRType.CDS, ds],
  [RRType.DNSKEY, dnskey],
  [RRType.CDNSKEY, dnskey],
  [RRType.HINFO, { fields: [F('cpu', charString), F('os', charString)] }],
  [RRType.RP, { fields: [F('mbox', name), F('txtDname', name)] }],
  [RRType.AFSDB, { fields: [F('subtype', u16), F('hostname', name)] }],
  [RRType.RRSIG, rrsig],
  [24 /* SIG */, rrsig],
  [RRType.NSEC, { fields: [F('nextDomain', name), F('types', typeBitmap)] }],
  // RFC 5155 §3.2, §4.2.
  [RRType.NSEC3, {
    fields: [F('hashAlgorithm', u8), F('flags', u8), F('iterations', u16), F('salt', saltHex), F('nextHashedOwner', base32HexLen), F('types', typeBitmap)],
  }],
  [RRType.NSEC3PARAM, { fields: [F('hashAlgorithm', u8), F('flags', u8), F('iterations', u16), F('salt', saltHex)] }],
  [RRType.OPENPGPKEY, { fields: [F('publicKey', base64Rest())] }],
  // RFC 7553 §4.
  [RRType.URI, { fields: [F('priority', u16), F('weight', u16), F('target', stringRest)] }],
  // RFC 8976 §2.2: digest at least 12 bytes; SHA-384 → 48, SHA-512 → 64.
  [RRType.ZONEMD, {
    fields: [F('serial', u32), F('scheme', u8), F('hashAlgorithm', u8), F('digest', hexRest(12))],
    check: lengthFor('hashAlgorithm', 'digest', { 1: 48, 2: 64 }),
  }],
  [RRType.SVCB, svcb],
  [RRType.HTTPS, svcb],
  // Obsolete types that carry names: needed so canonicalRdata can lowercase them (RFC 3597 §7).
  [3 /* MD */, oneName('madname')],
  [4 /* MF */, oneName('madname')],
  [7 /* MB */, oneName('madname')],
  [8 /* MG */, oneName('mgmname')],
  [9 /* MR */, oneName('newname')],
  [14 /* MINFO */, { fields: [F('rmailbx', name), F('emailbx', name)] }],
  [21 /* RT */, prefName('intermediate')],
  [26 /* PX */, { fields: [F('preference', u16), F('map822', name), F('mapx400', name)] }],
  [RRType.KX, prefName('exchanger')],
  // NXT (RFC 2535 §5.2): only the leading name matters for canonical form; bitmap kept opaque.
  [30 /* NXT */, { fields: [F('next', name), F('bitmap', hexRest(0))], genericTextOnly: true }],
]);
