// Domain names: the one internal form (lowercase presentation FQDN) and its wire conversions.
//
// Why a string: every lookup on the query path is a Map probe, and JS strings hash fast.
// The key is the RFC 1035 §5.1 presentation form, ASCII-lowercased (RFC 4343: comparisons
// are case-insensitive), absolute (trailing dot), with `\.`, `\\` and `\DDD` escapes for
// label bytes that are not printable or would be ambiguous. Two names are equal iff their
// keys are equal. The root is ".".

export type Name = string;

export class NameError extends Error {}

const MAX_NAME_WIRE = 255;
const MAX_LABEL = 63;

/** True for bytes that can appear unescaped in a presentation label. */
function plainByte(b: number): boolean {
  return b > 0x20 && b < 0x7f && b !== 0x2e /* . */ && b !== 0x5c /* \ */ && b !== 0x22 /* " */
    && b !== 0x28 && b !== 0x29 && b !== 0x3b && b !== 0x40 && b !== 0x24; // ( ) ; @ $
}

/** One wire label (raw bytes) → presentation text, lowercased unless keepCase. */
export function labelToText(buf: Uint8Array, start: number, end: number, keepCase = false): string {
  // Fast path (every name on the query path, in practice): no byte needs an escape, so the
  // label is its own latin1 text. Per-character string building cost more than the lookup.
  let upper = false;
  let plain = true;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (!plainByte(b)) { plain = false; break; }
    if (b >= 0x41 && b <= 0x5a) upper = true;
  }
  if (plain) {
    const text = Buffer.prototype.latin1Slice.call(buf, start, end) as string;
    return upper && !keepCase ? text.toLowerCase() : text;
  }
  let s = '';
  for (let i = start; i < end; i++) {
    let b = buf[i];
    if (!keepCase && b >= 0x41 && b <= 0x5a) b += 0x20;
    if (plainByte(b)) s += String.fromCharCode(b);
    else if (b === 0x2e || b === 0x5c || b === 0x22 || b === 0x28 || b === 0x29 || b === 0x3b || b === 0x40 || b === 0x24) s += '\\' + String.fromCharCode(b);
    else s += '\\' + String(b).padStart(3, '0');
  }
  return s;
}

/**
 * One presentation escape at `text[i]` (a backslash), RFC 1035 §5.1: `\DDD` (a decimal
 * octet) or `\X` (X itself). Returns the octet and the index of the escape's last
 * character, or a reason it is malformed. Names and RDATA strings both read escapes here.
 */
export function readEscape(text: string, i: number): { byte: number; last: number } | string {
  const d = text.slice(i + 1, i + 4);
  if (/^[0-9]{3}$/.test(d)) {
    const v = Number(d);
    return v > 255 ? `bad escape \\${d}` : { byte: v, last: i + 3 };
  }
  // `\1x` is neither \DDD nor \X; reading it as the digit would hide typos.
  if (/^[0-9]/.test(d)) return `bad escape \\${d} (\\DDD needs three digits)`;
  if (i + 1 >= text.length) return 'dangling backslash';
  return { byte: text.charCodeAt(i + 1), last: i + 1 };
}

/**
 * Parse presentation labels (escapes allowed) into raw label byte arrays.
 * `text` must already be absolute (end with '.') or be '.'.
 */
function textToLabels(text: string): Uint8Array[] {
  if (text === '.') return [];
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const e = readEscape(text, i);
      if (typeof e === 'string') throw new NameError(`${e} in ${text}`);
      cur.push(e.byte & 0xff); i = e.last;
    } else if (c === 0x2e) {
      if (cur.length === 0) throw new NameError(`empty label in ${JSON.stringify(text)}`);
      if (cur.length > MAX_LABEL) throw new NameError(`label longer than 63 octets in ${text}`);
      labels.push(Uint8Array.from(cur)); cur = [];
    } else {
      // A character beyond ASCII has no one byte form: taken as Latin-1 it would not be the UTF-8 the
      // text meant, so it is refused with the two ways to write it.
      if (c > 0x7f) throw new NameError(`non-ASCII character ${JSON.stringify(String.fromCodePoint(text.codePointAt(i)!))} in name ${JSON.stringify(text)}: write an IDN as its A-label (xn--…, RFC 5891) or its octets as \\DDD escapes`);
      cur.push(c);
    }
  }
  if (cur.length) throw new NameError(`name ${text} is not absolute`);
  return labels;
}

/**
 * Turn presentation text into a Name key. Relative names are completed with `origin`;
 * `@` is the origin. Throws NameError for malformed names (empty labels, >63/255 octets).
 */
export function parseName(text: string, origin: Name = '.'): Name {
  if (text === '@') return origin;
  const labels = absoluteLabels(text, origin);
  let key = '';
  for (const l of labels) key += labelToText(l, 0, l.length) + '.';
  return key === '' ? '.' : key;
}

/**
 * Presentation text → uncompressed wire form, keeping the letter case as written.
 * RDATA names keep their case in storage (RFC 4034 §6.2 lowercases only for signing),
 * so the RDATA codecs need this instead of parseName + nameToWire.
 */
export function nameTextToWire(text: string, origin: Name = '.'): Buffer {
  const ls = text === '@' ? textToLabels(origin) : absoluteLabels(text, origin);
  return labelsToWire(ls);
}

/** Resolve `text` against `origin` and split into raw labels, enforcing the 255-octet limit. */
function absoluteLabels(text: string, origin: Name): Uint8Array[] {
  if (text === '') throw new NameError('empty name');
  let abs: string;
  if (text === '.') abs = '.';
  else if (isAbsoluteText(text)) abs = text;
  else abs = origin === '.' ? text + '.' : text + '.' + origin;
  const labels = textToLabels(abs);
  let wireLen = 1;
  for (const l of labels) wireLen += l.length + 1;
  if (wireLen > MAX_NAME_WIRE) throw new NameError(`name longer than 255 octets: ${text}`);
  return labels;
}

function labelsToWire(ls: Uint8Array[]): Buffer {
  let len = 1;
  for (const l of ls) len += l.length + 1;
  const out = Buffer.allocUnsafe(len);
  let o = 0;
  for (const l of ls) { out[o++] = l.length; out.set(l, o); o += l.length; }
  out[o] = 0;
  return out;
}

/**
 * Whether the character at `i` is a dot that separates labels: one preceded by an odd run of
 * backslashes is an escaped `\.` inside a label (RFC 1035 §5.1).
 */
function isSeparatorAt(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 0x2e) return false;
  let bs = 0;
  for (let j = i - 1; j >= 0 && text.charCodeAt(j) === 0x5c; j--) bs++;
  return (bs & 1) === 0;
}

/** A presentation name is absolute when it ends in an unescaped dot. */
function isAbsoluteText(text: string): boolean {
  return isSeparatorAt(text, text.length - 1);
}

/** Split a Name into its presentation labels (escapes kept), leftmost first. */
export function labels(name: Name): string[] {
  if (name === '.') return [];
  if (name.indexOf('\\') < 0) return name.slice(0, -1).split('.');
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\') { i += /[0-9]/.test(name[i + 1]) ? 3 : 1; continue; }
    if (c === '.') { out.push(name.slice(start, i)); start = i + 1; }
  }
  return out;
}

/** Number of labels, not counting the root (the RRSIG "labels" notion, before the wildcard rule). */
export function labelCount(name: Name): number {
  if (name === '.') return 0;
  if (name.indexOf('\\') < 0) {
    let n = 0;
    for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 0x2e) n++;
    return n;
  }
  return labels(name).length;
}

/** The name with its leftmost label removed; the root's parent is the root. */
export function parentName(name: Name): Name {
  if (name === '.') return '.';
  if (name.indexOf('\\') < 0) {
    const i = name.indexOf('.');
    return i === name.length - 1 ? '.' : name.slice(i + 1);
  }
  const ls = labels(name);
  return ls.length <= 1 ? '.' : ls.slice(1).join('.') + '.';
}

/** True when `name` equals `zone` or lies below it (label-wise, not string-suffix-wise). */
export function isInZone(name: Name, zone: Name): boolean {
  if (zone === '.') return true;
  if (name.length < zone.length) return false;
  if (name.length === zone.length) return name === zone;
  if (!name.endsWith(zone)) return false;
  // The byte before the suffix must be a label separator that is not itself escaped.
  return isSeparatorAt(name, name.length - zone.length - 1);
}

/**
 * Where the label ending just before `end` starts in a Name key, `end` being where a suffix
 * starts (so `end - 1` is that label's separating dot); 0 for the leftmost label. Walking a
 * name's suffixes this way needs no label array.
 */
export function labelStartBefore(name: Name, end: number): number {
  for (let i = end - 2; i >= 0; i--) if (isSeparatorAt(name, i)) return i + 1;
  return 0;
}

/** Whether the leftmost label is the wildcard label `*` (RFC 4592 §2.1.1; an escaped `\*` is a plain asterisk). */
export function isWildcard(name: Name): boolean {
  return name.charCodeAt(0) === 0x2a && name.charCodeAt(1) === 0x2e;
}

/** Prefix `label.` (presentation text of one label) to a name. */
export function childName(label: string, name: Name): Name {
  return name === '.' ? label + '.' : label + '.' + name;
}

/** Uncompressed wire form (RFC 1035 §3.1). Lowercase, since Names are stored lowercase. */
export function nameToWire(name: Name): Buffer {
  if (name === '.') return Buffer.from([0]);
  if (name.indexOf('\\') < 0) {
    const out = Buffer.allocUnsafe(name.length + 1);
    writeNameWire(name, out, 0);
    return out;
  }
  return labelsToWire(textToLabels(name));
}

/**
 * Write the uncompressed wire form of `name` into `buf` at `off`; returns the octets written.
 * The caller makes room for 255 octets. No allocation on the fast path (no escapes: each
 * character is one octet and each dot a length byte), which runs once per NSEC3 hash, i.e.
 * per random-label query.
 */
export function writeNameWire(name: Name, buf: Buffer, off: number): number {
  if (name === '.') { buf[off] = 0; return 1; }
  if (name.indexOf('\\') >= 0) {
    const w = labelsToWire(textToLabels(name));
    buf.set(w, off);
    return w.length;
  }
  // One pass over the text, octet by octet: Buffer#write is a call into C++ that costs more than
  // the loop for names this short, and an NSEC3 hash of a query name starts here.
  let lenAt = off;
  const end = off + name.length;
  for (let i = 0, o = off + 1; o <= end; i++, o++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) { buf[lenAt] = o - lenAt - 1; lenAt = o; } else buf[o] = c;
  }
  buf[end] = 0;
  return name.length + 1;
}

/** Wire length of a name, uncompressed. */
export function nameWireLength(name: Name): number {
  if (name === '.') return 1;
  if (name.indexOf('\\') < 0) return name.length + 1;
  return nameToWire(name).length;
}

/**
 * Read a possibly compressed name from a message. Returns the Name key (lowercased),
 * the name as sent (case kept, for echoing), and the offset after the name in place.
 */
export function readWireName(buf: Uint8Array, offset: number, keepCase = false): { name: Name; next: number } {
  return readPlainName(buf, offset, keepCase) ?? readAnyName(buf, offset, keepCase);
}

const nameScratch = Buffer.allocUnsafe(MAX_NAME_WIRE);

/** Per octet: the octet lowercased when it may stand unescaped in a presentation label, else 0. */
const PLAIN_LOWER = new Uint8Array(256);
for (let b = 0; b < 256; b++) if (plainByte(b)) PLAIN_LOWER[b] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;

/**
 * The fast path of readWireName: an uncompressed name whose octets need no escapes (every
 * query name in practice) is its own presentation text once each length octet becomes a dot,
 * so it is made in one latin1 slice instead of a string per label. undefined: use the general path.
 */
function readPlainName(buf: Uint8Array, offset: number, keepCase: boolean): { name: Name; next: number } | undefined {
  let pos = offset;
  let out = 0;
  for (;;) {
    if (pos >= buf.length) return undefined;
    const len = buf[pos];
    if (len === 0) break;
    if (len > MAX_LABEL || pos + 1 + len > buf.length || out + len + 1 >= MAX_NAME_WIRE) return undefined;
    for (let i = pos + 1; i <= pos + len; i++) {
      const lower = PLAIN_LOWER[buf[i]];
      if (lower === 0) return undefined;
      nameScratch[out++] = keepCase ? buf[i] : lower;
    }
    nameScratch[out++] = 0x2e;
    pos += 1 + len;
  }
  return { name: out === 0 ? '.' : (Buffer.prototype.latin1Slice.call(nameScratch, 0, out) as string), next: pos + 1 };
}

function readAnyName(buf: Uint8Array, offset: number, keepCase: boolean): { name: Name; next: number } {
  let name = '';
  let pos = offset;
  let next = -1;
  let jumps = 0;
  let total = 1;
  for (;;) {
    if (pos >= buf.length) throw new NameError('name runs past end of message');
    const len = buf[pos];
    if (len === 0) { pos++; break; }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new NameError('truncated compression pointer');
      if (next < 0) next = pos + 2;
      const ptr = ((len & 0x3f) << 8) | buf[pos + 1];
      // RFC 1035 §4.1.4: a pointer names a prior occurrence; one forward (or at itself) is malformed.
      if (++jumps > 64 || ptr >= pos) throw new NameError('bad compression pointer');
      pos = ptr;
      continue;
    }
    if (len & 0xc0) throw new NameError('reserved label type');
    if (pos + 1 + len > buf.length) throw new NameError('label runs past end of message');
    total += len + 1;
    if (total > MAX_NAME_WIRE) throw new NameError('name longer than 255 octets');
    name += labelToText(buf, pos + 1, pos + 1 + len, keepCase) + '.';
    pos += 1 + len;
  }
  return { name: name === '' ? '.' : name, next: next < 0 ? pos : next };
}

/**
 * Canonical DNS name order (RFC 4034 §6.1): compare label by label from the right,
 * each label as lowercase octets. Returns <0, 0, >0.
 */
export function compareCanonical(a: Name, b: Name): number {
  if (a === b) return 0;
  const la = textToLabels(a === '.' ? '.' : a);
  const lb = textToLabels(b === '.' ? '.' : b);
  for (let i = la.length - 1, j = lb.length - 1; i >= 0 || j >= 0; i--, j--) {
    if (i < 0) return -1;
    if (j < 0) return 1;
    const x = la[i], y = lb[j];
    const n = Math.min(x.length, y.length);
    for (let k = 0; k < n; k++) if (x[k] !== y[k]) return x[k] - y[k];
    if (x.length !== y.length) return x.length - y.length;
  }
  return 0;
}

/** Presentation for output: the key is already valid presentation text. */
export function nameToText(name: Name): string {
  return name;
}
