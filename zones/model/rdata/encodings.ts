// Text encodings used inside RDATA presentation: escaped strings (RFC 1035 §5.1), hex,
// base64 (RFC 4648 §4), base32hex without padding (RFC 4648 §7, as NSEC3 uses per RFC 5155 §3.3).
import { RdataError } from './errors.js';
import { readEscape } from '../name.js';

/** Decode `\DDD` / `\X` escapes; other characters become their UTF-8 bytes. */
export function unescapeText(raw: string, label: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x5c) {
      const e = readEscape(raw, i);
      if (typeof e === 'string') throw new RdataError(`${label}: ${e}`);
      if (e.last === i + 1 && e.byte >= 0x80) {
        // `\X` with a non-ASCII X: keep its UTF-8 bytes (and a surrogate pair whole).
        const s = String.fromCodePoint(raw.codePointAt(i + 1)!);
        for (const b of Buffer.from(s, 'utf8')) out.push(b);
        i += s.length;
      } else {
        out.push(e.byte); i = e.last;
      }
    } else if (c < 0x80) out.push(c);
    else {
      // Keep surrogate pairs together so astral characters encode correctly.
      const cp = raw.codePointAt(i) ?? c;
      // A lone UTF-16 surrogate (JSON allows "\ud800") has no UTF-8 form: it would be stored as U+FFFD.
      if (cp >= 0xd800 && cp <= 0xdfff) throw new RdataError(`${label}: a lone UTF-16 surrogate (U+${cp.toString(16).toUpperCase()}) has no UTF-8 form`);
      const s = String.fromCodePoint(cp);
      for (const b of Buffer.from(s, 'utf8')) out.push(b);
      i += s.length - 1;
    }
  }
  return Buffer.from(out);
}

/** Escape bytes for presentation: printable ASCII as is, `"` and `\` escaped, the rest \DDD. */
export function escapeBytes(buf: Uint8Array): string {
  let s = '';
  for (const b of buf) {
    const ch = String.fromCharCode(b);
    if (b === 0x22 || b === 0x5c) s += '\\' + ch;
    else if (b >= 0x20 && b < 0x7f) s += ch;
    else s += '\\' + String(b).padStart(3, '0');
  }
  return s;
}

/** Quoted character-string presentation. */
export function quoteBytes(buf: Uint8Array): string {
  return '"' + escapeBytes(buf) + '"';
}

export function parseHex(s: string, label: string): Buffer {
  if (!/^[0-9a-fA-F]*$/.test(s)) throw new RdataError(`${label}: invalid hex '${s}'`);
  if (s.length % 2) throw new RdataError(`${label}: hex has an odd number of digits`);
  return Buffer.from(s, 'hex');
}

export function parseBase64(s: string, label: string): Buffer {
  // Buffer.from(…, 'base64') silently skips garbage, so validate the alphabet and padding first.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new RdataError(`${label}: invalid base64`);
  return Buffer.from(s, 'base64');
}

const B32 = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

export function toBase32Hex(buf: Uint8Array): string {
  let s = '';
  let bits = 0;
  let acc = 0;
  for (const b of buf) {
    acc = (acc << 8) | b; bits += 8;
    while (bits >= 5) { s += B32[(acc >>> (bits - 5)) & 31]; bits -= 5; }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) s += B32[(acc << (5 - bits)) & 31];
  return s;
}

export function parseBase32Hex(s: string, label: string): Buffer {
  const u = s.toUpperCase();
  if (!/^[0-9A-V]*$/.test(u)) throw new RdataError(`${label}: invalid base32hex '${s}'`);
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of u) {
    acc = (acc << 5) | B32.indexOf(ch); bits += 5;
    if (bits >= 8) { out.push((acc >>> (bits - 8)) & 0xff); bits -= 8; acc &= (1 << bits) - 1; }
  }
  // Leftover bits must be padding zeros and fewer than a whole symbol-group's worth (RFC 4648 §6).
  if (acc !== 0 || [1, 3, 6].includes(u.length % 8)) throw new RdataError(`${label}: invalid base32hex length or trailing bits`);
  return Buffer.from(out);
}
