// Packet mutators: each takes a message and returns a damaged copy, the kinds of damage a parser must survive.
import type { Rng } from './rng.js';

export type Mutator = (m: Buffer, rng: Rng, donors: readonly Buffer[]) => Buffer;

const INTERESTING8 = [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff];
const INTERESTING16 = [0, 1, 2, 0x7f, 0xff, 0x100, 0x3fff, 0x7fff, 0x8000, 0xfffe, 0xffff];

function copy(m: Buffer): Buffer { return Buffer.from(m); }

/** A position past the header when there is one (where names, types and lengths are). */
function bodyPos(m: Buffer, rng: Rng): number { return m.length > 12 ? 12 + rng.int(m.length - 12) : rng.int(m.length); }

export const MUTATORS: Record<string, Mutator> = {
  bitFlips: (m, rng) => {
    const o = copy(m);
    if (o.length === 0) return o;
    for (let n = 1 + rng.int(8); n > 0; n--) { const p = rng.int(o.length); o[p] ^= 1 << rng.int(8); }
    return o;
  },
  interestingByte: (m, rng) => {
    const o = copy(m);
    if (o.length) o[bodyPos(o, rng)] = rng.pick(INTERESTING8);
    return o;
  },
  truncate: (m, rng) => m.subarray(0, rng.int(m.length)),
  /** A 16-bit field (RDLENGTH, option length, type, class) that lies. */
  lengthLie: (m, rng) => {
    const o = copy(m);
    if (o.length < 14) return o;
    const p = 12 + rng.int(o.length - 13);
    o.writeUInt16BE(rng.chance(0.5) ? rng.pick(INTERESTING16) : (o.readUInt16BE(p) + rng.int(5) - 2) & 0xffff, p);
    return o;
  },
  /** A compression pointer to itself, to a later byte, or two pointing at each other (RFC 1035 §4.1.4 permits only earlier targets). */
  pointerLoop: (m, rng) => {
    const o = copy(m);
    if (o.length < 16) return o;
    const p = 12 + rng.int(o.length - 14);
    const kind = rng.int(3);
    const target = kind === 0 ? p : kind === 1 ? Math.min(o.length - 1, p + 2 + rng.int(8)) : 12;
    o.writeUInt16BE(0xc000 | target, p);
    if (kind === 2) o.writeUInt16BE(0xc000 | p, 12);
    return o;
  },
  /** QDCOUNT/ANCOUNT/NSCOUNT/ARCOUNT inflated (or zeroed). */
  countInflation: (m, rng) => {
    const o = copy(m);
    if (o.length < 12) return o;
    o.writeUInt16BE(rng.pick([0, 1, 2, 3, 100, 0x7fff, 0xffff]), 4 + 2 * rng.int(4));
    return o;
  },
  /** Header bits: opcode, QR, TC, Z, rcode at random. */
  headerFlags: (m, rng) => {
    const o = copy(m);
    if (o.length < 4) return o;
    o.writeUInt16BE(rng.chance(0.5) ? rng.u32() & 0xffff : o.readUInt16BE(2) ^ (1 << rng.int(16)), 2);
    return o;
  },
  /** A label length byte that overruns (or a 0x40/0x80 extended label type). */
  labelLength: (m, rng) => {
    const o = copy(m);
    if (o.length > 12) o[12 + rng.int(Math.min(o.length - 12, 40))] = rng.pick([63, 64, 0x41, 0x80, 0xff, 0]);
    return o;
  },
  /** A slice of another seed replaces or is inserted at a random position. */
  splice: (m, rng, donors) => {
    const d = rng.pick(donors);
    const from = rng.int(d.length), len = rng.int(d.length - from + 1);
    const at = rng.int(m.length + 1), cut = rng.chance(0.5) ? rng.int(m.length - at + 1) : 0;
    return Buffer.concat([m.subarray(0, at), d.subarray(from, from + len), m.subarray(at + cut)]);
  },
  /** A region repeated (an RR twice, a label many times). */
  duplicate: (m, rng) => {
    if (m.length < 13) return m;
    const from = bodyPos(m, rng), len = 1 + rng.int(Math.min(64, m.length - from));
    const times = 1 + rng.int(rng.chance(0.1) ? 200 : 4);
    return Buffer.concat([m.subarray(0, from + len), ...Array.from({ length: times }, () => m.subarray(from, from + len)), m.subarray(from + len)]);
  },
  junkTail: (m, rng) => Buffer.concat([m, rng.bytes(1 + rng.int(rng.chance(0.05) ? 2000 : 40))]),
  random: (_m, rng) => rng.bytes(rng.int(rng.chance(0.1) ? 1500 : 64)),
};

const NAMES = Object.keys(MUTATORS);

/** One to three mutations in a row. */
export function mutate(m: Buffer, rng: Rng, donors: readonly Buffer[]): Buffer {
  let o = m;
  for (let n = 1 + rng.int(3); n > 0; n--) o = MUTATORS[rng.pick(NAMES)](o, rng, donors);
  // UDP and TCP both cap a message at 65535 octets.
  return o.length > 65535 ? o.subarray(0, 65535) : o;
}
