// Type fields: a single type mnemonic (RRSIG type covered) and the windowed type bitmap
// of NSEC/NSEC3 (RFC 4034 §4.1.2, RFC 5155 §3.2.1).
import { typeFromText, typeToText } from '../types.js';
import { RdataError } from './errors.js';
import { need, numberField, type FieldKind } from './kinds.js';

function typeNumber(s: string, label: string): number {
  const t = typeFromText(s);
  if (t === undefined) throw new RdataError(`${label}: unknown type '${s}'`);
  return t;
}

/** A type mnemonic field (RRSIG type covered). */
export const typeMnemonic: FieldKind = numberField(2, typeNumber, typeToText);

/** The windowed type bitmap of NSEC/NSEC3 (RFC 4034 §4.1.2) for a set of type numbers: the one encoder. */
export function encodeBitmap(types: Iterable<number>): Buffer {
  const windows = new Map<number, Uint8Array>();
  for (const t of types) {
    if (!Number.isInteger(t) || t < 0 || t > 0xffff) throw new RdataError(`type bitmap: bad RR type ${t}`);
    const w = t >> 8;
    let bits = windows.get(w);
    if (!bits) { bits = new Uint8Array(32); windows.set(w, bits); }
    bits[(t & 0xff) >> 3] |= 0x80 >> (t & 7);
  }
  const parts: Buffer[] = [];
  for (const w of [...windows.keys()].sort((a, b) => a - b)) {
    const bits = windows.get(w)!;
    let len = 32;
    while (len > 0 && bits[len - 1] === 0) len--; // trailing zero octets MUST be omitted
    parts.push(Buffer.from([w, len]), Buffer.from(bits.subarray(0, len)));
  }
  return Buffer.concat(parts);
}

export const typeBitmap: FieldKind = {
  rest: true,
  encode(c, label) {
    const types = new Set<number>();
    while (c.i < c.tokens.length) types.add(typeNumber(c.tokens[c.i++].text, label));
    return encodeBitmap(types);
  },
  decode(buf, off, label) {
    const names = decodeBitmap(buf, off, label).map(typeToText);
    return { next: buf.length, text: names.join(' '), json: names };
  },
};

/** Type numbers of a windowed bitmap from `off` to the end; throws RdataError when malformed. The one decoder. */
export function decodeBitmap(buf: Buffer, off = 0, label = 'type bitmap'): number[] {
  const types: number[] = [];
  let prev = -1;
  while (off < buf.length) {
    need(buf, off, 2, label);
    const w = buf[off], len = buf[off + 1];
    if (w <= prev) throw new RdataError(`${label}: windows out of order`);
    if (len < 1 || len > 32) throw new RdataError(`${label}: window length ${len} not in 1-32`);
    need(buf, off + 2, len, label);
    if (buf[off + 1 + len] === 0) throw new RdataError(`${label}: trailing zero octet in window ${w}`);
    for (let i = 0; i < len; i++) {
      for (let bit = 0; bit < 8; bit++) if (buf[off + 2 + i] & (0x80 >> bit)) types.push(w * 256 + i * 8 + bit);
    }
    prev = w; off += 2 + len;
  }
  return types;
}
