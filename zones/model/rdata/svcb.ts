// SvcParams of SVCB/HTTPS (RFC 9460 §2.1, §7, Appendix A): presentation key=value pairs
// <-> wire (key, length, value) triples in strictly ascending key order.
import { RdataError } from './errors.js';
import { ipv4ToText, ipv6ToText, parseIpv4, parseIpv6 } from './addresses.js';
import { escapeBytes, parseBase64, unescapeText } from './encodings.js';
import { need, type FieldKind, type JsonValue } from './kinds.js';

const KEYS = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath', 'ohttp'];

function keyFromText(s: string, label: string): number {
  const i = KEYS.indexOf(s.toLowerCase());
  if (i >= 0) return i;
  const m = /^key([0-9]{1,5})$/i.exec(s);
  // key65535 is the reserved "invalid key" (RFC 9460 §14.3.2).
  if (m && Number(m[1]) < 65535) return Number(m[1]);
  throw new RdataError(`${label}: unknown SvcParamKey '${s}'`);
}

const keyToText = (k: number): string => KEYS[k] ?? `key${k}`;

/** Split a value-list on unescaped commas, undoing `\,` and `\\` (RFC 9460 Appendix A.1). */
function splitValueList(bytes: Buffer, label: string): Buffer[] {
  const items: Buffer[] = [];
  let cur: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x5c) {
      if (i + 1 >= bytes.length) throw new RdataError(`${label}: dangling backslash in value list`);
      cur.push(bytes[++i]);
    } else if (b === 0x2c) { items.push(Buffer.from(cur)); cur = []; }
    else cur.push(b);
  }
  items.push(Buffer.from(cur));
  if (items.some((x) => x.length === 0)) throw new RdataError(`${label}: empty item in value list`);
  return items;
}

interface ParamCodec {
  /** Value bytes from the char-string-decoded presentation value (undefined: no `=`). */
  fromText(v: Buffer | undefined, label: string): Buffer;
  toText(v: Buffer, label: string): string | undefined;
  json(v: Buffer, label: string): JsonValue;
}

/** Inner value-list escaping: only `,` and `\` get a backslash (RFC 9460 Appendix A.1). */
function escapeListItem(id: Buffer): Buffer {
  const out: number[] = [];
  for (const b of id) {
    if (b === 0x2c || b === 0x5c) out.push(0x5c);
    out.push(b);
  }
  return Buffer.from(out);
}

const needValue = (v: Buffer | undefined, label: string): Buffer => {
  if (v === undefined || v.length === 0) throw new RdataError(`${label}: a value is required`);
  return v;
};

function addrList(size: number, parse: (s: string, l: string) => Buffer, show: (b: Uint8Array) => string): ParamCodec {
  const items = (v: Buffer, label: string): string[] => {
    if (v.length === 0 || v.length % size) throw new RdataError(`${label}: length ${v.length} is not a non-zero multiple of ${size}`);
    const out: string[] = [];
    for (let o = 0; o < v.length; o += size) out.push(show(v.subarray(o, o + size)));
    return out;
  };
  return {
    fromText: (v, label) => Buffer.concat(needValue(v, label).toString('latin1').split(',').map((s) => parse(s, label))),
    toText: (v, label) => items(v, label).join(','),
    json: items,
  };
}

const u16Param: ParamCodec = {
  fromText(v, label) {
    const s = needValue(v, label).toString('latin1');
    if (!/^[0-9]{1,5}$/.test(s) || Number(s) > 65535) throw new RdataError(`${label}: '${s}' is not a port number 0-65535`);
    const b = Buffer.alloc(2); b.writeUInt16BE(Number(s)); return b;
  },
  toText: (v, label) => String(u16Of(v, label)),
  json: (v, label) => u16Of(v, label),
};

function u16Of(v: Buffer, label: string): number {
  if (v.length !== 2) throw new RdataError(`${label}: must be 2 bytes, got ${v.length}`);
  return v.readUInt16BE(0);
}

const noValue: ParamCodec = {
  fromText(v, label) {
    if (v !== undefined && v.length) throw new RdataError(`${label}: takes no value`);
    return Buffer.alloc(0);
  },
  toText(v, label) {
    if (v.length) throw new RdataError(`${label}: takes no value`);
    return undefined;
  },
  json: () => true,
};

const opaque: ParamCodec = {
  fromText: (v) => v ?? Buffer.alloc(0),
  toText: (v) => (v.length ? '"' + escapeBytes(v) + '"' : undefined),
  json: (v) => escapeBytes(v),
};

function alpnIds(v: Buffer, label: string): Buffer[] {
  const ids: Buffer[] = [];
  for (let o = 0; o < v.length; ) {
    const n = v[o];
    if (n === 0) throw new RdataError(`${label}: empty alpn-id`);
    need(v, o + 1, n, label);
    ids.push(v.subarray(o + 1, o + 1 + n)); o += 1 + n;
  }
  if (ids.length === 0) throw new RdataError(`${label}: at least one alpn-id is required`);
  return ids;
}

const CODECS: Record<number, ParamCodec> = {
  0: {
    fromText(v, label) {
      const keys = needValue(v, label).toString('latin1').split(',').map((s) => keyFromText(s, label));
      const b = Buffer.alloc(keys.length * 2);
      keys.sort((a, c) => a - c).forEach((k, i) => b.writeUInt16BE(k, i * 2));
      return b;
    },
    toText: (v, label) => mandatoryKeys(v, label).map(keyToText).join(','),
    json: (v, label) => mandatoryKeys(v, label).map(keyToText),
  },
  1: {
    fromText(v, label) {
      return Buffer.concat(splitValueList(needValue(v, label), label).map((id) => {
        if (id.length > 255) throw new RdataError(`${label}: alpn-id longer than 255 bytes`);
        return Buffer.concat([Buffer.from([id.length]), id]);
      }));
    },
    // Two escaping levels: value-list (`\,`, `\\`) inside a char-string (Appendix A.1).
    toText: (v, label) => '"' + alpnIds(v, label).map((id) => escapeBytes(escapeListItem(id))).join(',') + '"',
    json: (v, label) => alpnIds(v, label).map((id) => escapeBytes(id)),
  },
  2: noValue,
  3: u16Param,
  4: addrList(4, parseIpv4, ipv4ToText),
  5: {
    fromText: (v, label) => parseBase64(needValue(v, label).toString('latin1'), label),
    toText: (v) => v.toString('base64'),
    json: (v) => v.toString('base64'),
  },
  6: addrList(16, parseIpv6, ipv6ToText),
  7: {
    fromText: (v, label) => needValue(v, label),
    toText: (v) => '"' + escapeBytes(v) + '"',
    json: (v) => escapeBytes(v),
  },
  8: noValue,
};

function mandatoryKeys(v: Buffer, label: string): number[] {
  if (v.length === 0 || v.length % 2) throw new RdataError(`${label}: must be a non-empty list of 2-byte keys`);
  const keys: number[] = [];
  for (let o = 0; o < v.length; o += 2) keys.push(v.readUInt16BE(o));
  return keys;
}

/** Cross-parameter rules (RFC 9460 §8, §7.1.1), checked on the wire form. */
function checkParams(params: Map<number, Buffer>, label: string): void {
  const m = params.get(0);
  if (m) {
    const keys = mandatoryKeys(m, `${label} mandatory`);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === 0) throw new RdataError(`${label}: mandatory must not list 'mandatory'`);
      if (i > 0 && keys[i] <= keys[i - 1]) throw new RdataError(`${label}: mandatory keys must be unique and ascending`);
      if (!params.has(keys[i])) throw new RdataError(`${label}: mandatory key '${keyToText(keys[i])}' is missing`);
    }
  }
  if (params.has(2) && !params.has(1)) throw new RdataError(`${label}: no-default-alpn requires alpn`);
}

export const svcParams: FieldKind = {
  rest: true,
  encode(c, label) {
    const params = new Map<number, Buffer>();
    while (c.i < c.tokens.length) {
      const raw = c.tokens[c.i++].text;
      const eq = raw.indexOf('=');
      const keyText = eq < 0 ? raw : raw.slice(0, eq);
      const key = keyFromText(keyText, label);
      if (params.has(key)) throw new RdataError(`${label}: duplicate key '${keyToText(key)}'`);
      const value = eq < 0 ? undefined : unescapeText(raw.slice(eq + 1), `${label} ${keyText}`);
      const v = (CODECS[key] ?? opaque).fromText(value, `${label} ${keyToText(key)}`);
      if (v.length > 65535) throw new RdataError(`${label} ${keyToText(key)}: value too long`);
      params.set(key, v);
    }
    checkParams(params, label);
    const parts: Buffer[] = [];
    for (const k of [...params.keys()].sort((a, b) => a - b)) {
      const h = Buffer.alloc(4);
      h.writeUInt16BE(k, 0); h.writeUInt16BE(params.get(k)!.length, 2);
      parts.push(h, params.get(k)!);
    }
    return Buffer.concat(parts);
  },
  decode(buf, off, label) {
    const params = new Map<number, Buffer>();
    let prev = -1;
    while (off < buf.length) {
      need(buf, off, 4, label);
      const k = buf.readUInt16BE(off), n = buf.readUInt16BE(off + 2);
      if (k <= prev) throw new RdataError(`${label}: keys must be strictly ascending on the wire`);
      if (k === 65535) throw new RdataError(`${label}: key65535 is reserved`);
      need(buf, off + 4, n, label);
      params.set(k, buf.subarray(off + 4, off + 4 + n));
      prev = k; off += 4 + n;
    }
    checkParams(params, label);
    const texts: string[] = [];
    const json: { [k: string]: JsonValue } = {};
    for (const [k, v] of params) {
      const codec = CODECS[k] ?? opaque;
      const l = `${label} ${keyToText(k)}`;
      const t = codec.toText(v, l);
      texts.push(t === undefined ? keyToText(k) : `${keyToText(k)}=${t}`);
      json[keyToText(k)] = codec.json(v, l);
    }
    return { next: off, text: texts.join(' '), json };
  },
};
