// Field kinds: the building blocks of every RDATA schema. Each kind knows how to read its
// presentation tokens into wire bytes and how to read wire bytes back into text and JSON.
import { NameError, nameTextToWire, readWireName, type Name } from '../name.js';
import type { Token } from '../../io/tokenize.js';
import { RdataError } from './errors.js';
import { parseIpv4, parseIpv6, ipv4ToText, ipv6ToText } from './addresses.js';
import { escapeBytes, parseBase32Hex, parseBase64, parseHex, quoteBytes, toBase32Hex, unescapeText } from './encodings.js';
import { parseTime, parseTtl, parseUint, timeToText } from './numbers.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** Token stream for one RDATA; origin completes relative names (undefined: names must be absolute). */
export interface Cursor {
  tokens: Token[];
  i: number;
  origin: Name | undefined;
}

export interface Decoded {
  next: number;
  /** Presentation text; '' for an empty rest-field (e.g. an empty type bitmap). */
  text: string;
  json: JsonValue;
}

export interface FieldKind {
  /** Consumes every remaining token; must be the last field. */
  readonly rest?: boolean;
  /** Holds a domain name (for RFC 4034 §6.2 canonical lowercasing). */
  readonly isName?: boolean;
  encode(c: Cursor, label: string): Buffer;
  decode(buf: Buffer, off: number, label: string): Decoded;
}

export function nextToken(c: Cursor, label: string): Token {
  const t = c.tokens[c.i++];
  if (t === undefined) throw new RdataError(`${label}: missing`);
  return t;
}

/** Remaining tokens, concatenated (hex/base64 blobs may be split by blanks, RFC 4034 §2.2). */
export function restText(c: Cursor): string {
  const s = c.tokens.slice(c.i).map((t) => t.text).join('');
  c.i = c.tokens.length;
  return s;
}

export function need(buf: Buffer, off: number, n: number, label: string): void {
  if (off + n > buf.length) throw new RdataError(`${label}: truncated (needs ${n} more bytes at offset ${off})`);
}

/** Unsigned integer of 8/16/32 bits; `mnemonics` lets e.g. DNSSEC algorithms be written by name. */
/**
 * A fixed-width unsigned field: `parse` reads its presentation token, `format` writes its
 * text (default: the plain number, also as JSON). Integers, TTLs, RRSIG times and type
 * mnemonics are all this one shape.
 */
export function numberField(n: 1 | 2 | 4, parse: (s: string, label: string) => number, format?: (v: number) => string): FieldKind {
  return {
    encode(c, label) {
      const b = Buffer.alloc(n);
      b.writeUIntBE(parse(nextToken(c, label).text, label), 0, n);
      return b;
    },
    decode(buf, off, label) {
      need(buf, off, n, label);
      const v = buf.readUIntBE(off, n);
      if (!format) return { next: off + n, text: String(v), json: v };
      const t = format(v);
      return { next: off + n, text: t, json: t };
    },
  };
}

export function uint(bits: 8 | 16 | 32, mnemonics?: Record<string, number>): FieldKind {
  return numberField((bits / 8) as 1 | 2 | 4, (s, label) => mnemonics?.[s.toUpperCase()] ?? parseUint(s, bits, label));
}

/** 32-bit duration accepting BIND units (SOA timers, RRSIG original TTL). */
export const ttl: FieldKind = numberField(4, parseTtl);

/** RRSIG expiration/inception (RFC 4034 §3.2). */
export const time: FieldKind = numberField(4, parseTime, timeToText);

/** Domain name, uncompressed, letter case kept as written. */
export const name: FieldKind = {
  isName: true,
  encode(c, label) {
    const t = nextToken(c, label).text;
    const relative = t !== '.' && !/(^|[^\\])(\\\\)*\.$/.test(t);
    if (c.origin === undefined && (relative || t === '@')) throw new RdataError(`${label}: relative name '${t}' but no origin is known`);
    try {
      return nameTextToWire(t, c.origin);
    } catch (e) {
      if (e instanceof NameError) throw new RdataError(`${label}: ${e.message}`);
      throw e;
    }
  },
  decode(buf, off, label) {
    // RDATA is stored uncompressed; a pointer here would reference bytes outside this RR.
    for (let p = off; ; ) {
      need(buf, p, 1, label);
      const len = buf[p];
      if (len === 0) break;
      if (len & 0xc0) throw new RdataError(`${label}: compressed or invalid label in RDATA`);
      need(buf, p, len + 1, label);
      p += len + 1;
    }
    try {
      const r = readWireName(buf, off, true);
      return { next: r.next, text: r.name, json: r.name };
    } catch (e) {
      if (e instanceof NameError) throw new RdataError(`${label}: ${e.message}`);
      throw e;
    }
  },
};

function fixed(len: number, parse: (s: string, label: string) => Buffer, show: (b: Buffer) => string): FieldKind {
  return {
    encode: (c, label) => parse(nextToken(c, label).text, label),
    decode(buf, off, label) {
      need(buf, off, len, label);
      const t = show(buf.subarray(off, off + len));
      return { next: off + len, text: t, json: t };
    },
  };
}

export const ipv4 = fixed(4, parseIpv4, ipv4ToText);
export const ipv6 = fixed(16, parseIpv6, ipv6ToText);

/** JSON form of a character-string: its presentation escapes without quotes (lossless, ASCII). */
const csJson = (b: Uint8Array): string => escapeBytes(b);

function csBytes(t: Token, label: string): Buffer {
  const b = unescapeText(t.text, label);
  if (b.length > 255) throw new RdataError(`${label}: character-string longer than 255 bytes (${b.length})`);
  return b;
}

function readCs(buf: Buffer, off: number, label: string): { next: number; bytes: Buffer } {
  need(buf, off, 1, label);
  const n = buf[off];
  need(buf, off + 1, n, label);
  return { next: off + 1 + n, bytes: buf.subarray(off + 1, off + 1 + n) };
}

/** One <character-string> (RFC 1035 §3.3): length octet + up to 255 bytes. */
export const charString: FieldKind = {
  encode(c, label) {
    const b = csBytes(nextToken(c, label), label);
    return Buffer.concat([Buffer.from([b.length]), b]);
  },
  decode(buf, off, label) {
    const r = readCs(buf, off, label);
    return { next: r.next, text: quoteBytes(r.bytes), json: csJson(r.bytes) };
  },
};

/** One or more character-strings filling the RDATA (TXT, SPF). */
export const charStrings: FieldKind = {
  rest: true,
  encode(c, label) {
    if (c.i >= c.tokens.length) throw new RdataError(`${label}: at least one character-string is required`);
    const parts: Buffer[] = [];
    while (c.i < c.tokens.length) {
      const b = csBytes(c.tokens[c.i++], label);
      parts.push(Buffer.from([b.length]), b);
    }
    return Buffer.concat(parts);
  },
  decode(buf, off, label) {
    if (off >= buf.length) throw new RdataError(`${label}: at least one character-string is required`);
    const texts: string[] = [];
    const json: string[] = [];
    while (off < buf.length) {
      const r = readCs(buf, off, label);
      texts.push(quoteBytes(r.bytes)); json.push(csJson(r.bytes)); off = r.next;
    }
    return { next: off, text: texts.join(' '), json };
  },
};

/** A single string with no length octet, filling the RDATA (CAA value, URI target). */
export const stringRest: FieldKind = {
  rest: true,
  encode(c, label) {
    const b = unescapeText(nextToken(c, label).text, label);
    if (c.i < c.tokens.length) throw new RdataError(`${label}: expected one string (quote values containing spaces)`);
    return b;
  },
  decode(buf, off) {
    const b = buf.subarray(off);
    return { next: buf.length, text: quoteBytes(b), json: csJson(b) };
  },
};

/** CAA tag (RFC 8659 §4.1.1): 1-255 ASCII letters and digits, length-prefixed. */
export const caaTag: FieldKind = {
  encode(c, label) {
    const t = nextToken(c, label).text;
    if (!/^[A-Za-z0-9]{1,255}$/.test(t)) throw new RdataError(`${label}: '${t}' must be 1-255 ASCII letters and digits`);
    return Buffer.concat([Buffer.from([t.length]), Buffer.from(t, 'latin1')]);
  },
  decode(buf, off, label) {
    const r = readCs(buf, off, label);
    const t = r.bytes.toString('latin1');
    if (!/^[A-Za-z0-9]+$/.test(t)) throw new RdataError(`${label}: '${escapeBytes(r.bytes)}' must be 1-255 ASCII letters and digits`);
    return { next: r.next, text: t, json: t };
  },
};

/** Binary blob filling the RDATA, written as hex or base64 (whitespace allowed). */
function blobRest(parse: (s: string, label: string) => Buffer, show: (b: Buffer) => string, min = 1): FieldKind {
  return {
    rest: true,
    encode(c, label) {
      const b = parse(restText(c), label);
      if (b.length < min) throw new RdataError(`${label}: needs at least ${min} byte${min === 1 ? '' : 's'}`);
      return b;
    },
    decode(buf, off, label) {
      const b = buf.subarray(off);
      if (b.length < min) throw new RdataError(`${label}: needs at least ${min} byte${min === 1 ? '' : 's'}`);
      const t = show(b);
      return { next: buf.length, text: t, json: t };
    },
  };
}

export const hexRest = (min = 1): FieldKind => blobRest(parseHex, (b) => b.toString('hex').toUpperCase(), min);
export const base64Rest = (min = 1): FieldKind => blobRest(parseBase64, (b) => b.toString('base64'), min);

/** Length-prefixed binary shown as hex, `-` for empty (NSEC3 salt, RFC 5155 §3.3). */
export const saltHex: FieldKind = {
  encode(c, label) {
    const t = nextToken(c, label).text;
    const b = t === '-' ? Buffer.alloc(0) : parseHex(t, label);
    if (b.length > 255) throw new RdataError(`${label}: longer than 255 bytes`);
    if (t !== '-' && b.length === 0) throw new RdataError(`${label}: write an empty salt as '-'`);
    return Buffer.concat([Buffer.from([b.length]), b]);
  },
  decode(buf, off, label) {
    const r = readCs(buf, off, label);
    const t = r.bytes.length ? r.bytes.toString('hex').toUpperCase() : '-';
    return { next: r.next, text: t, json: t };
  },
};

/** Length-prefixed binary shown as unpadded base32hex (NSEC3 next hashed owner, RFC 5155 §3.3). */
export const base32HexLen: FieldKind = {
  encode(c, label) {
    const b = parseBase32Hex(nextToken(c, label).text, label);
    if (b.length < 1 || b.length > 255) throw new RdataError(`${label}: must be 1-255 bytes`);
    return Buffer.concat([Buffer.from([b.length]), b]);
  },
  decode(buf, off, label) {
    const r = readCs(buf, off, label);
    if (r.bytes.length < 1) throw new RdataError(`${label}: must be 1-255 bytes`);
    const t = toBase32Hex(r.bytes);
    return { next: r.next, text: t, json: t };
  },
};
