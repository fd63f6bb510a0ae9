// What kind of response a reply is, read from its bytes, and the name its rate-limit bucket is kept by (as Knot's and BIND's response rate limiting).

/** Response classes, as Knot's RRL: each has buckets of its own, so a flood of one kind does not starve the others. */
export const RRL_CLASSES = ['noerror', 'nxdomain', 'nodata', 'referral', 'wildcard', 'error'] as const;
export type RrlClass = (typeof RRL_CLASSES)[number];
const NOERROR = 0, NXDOMAIN = 1, NODATA = 2, REFERRAL = 3, WILDCARD = 4, ERROR = 5;

const RRSIG = 46;
/** Label offsets of the name being read (a DNS name has at most 127 labels). */
const labels = new Int32Array(128);
/** Where the name readLabels last read ends in place (past its zero or its first pointer). */
let nameEnd = -1;

/**
 * Collect the offsets of `buf`'s name at `off` into `labels`, following compression pointers;
 * the label count, or -1 for a name that is malformed or runs off the message. Each step moves
 * forward or through at most 128 labels, so a pointer loop ends.
 */
function readLabels(buf: Buffer, off: number): number {
  let n = 0;
  nameEnd = -1;
  for (let guard = 0; guard < 256; guard++) {
    if (off >= buf.length) return -1;
    const len = buf[off];
    if (len === 0) {
      if (nameEnd < 0) nameEnd = off + 1;
      return n;
    }
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= buf.length) return -1;
      if (nameEnd < 0) nameEnd = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1];
      continue;
    }
    if ((len & 0xc0) !== 0 || n === labels.length || off + 1 + len > buf.length) return -1;
    labels[n++] = off;
    off += 1 + len;
  }
  return -1;
}

/** FNV-1a over labels `from`..`n-1` read by readLabels, case-folded: equal names hash equal however they were spelt or compressed. */
function hashLabels(buf: Buffer, from: number, n: number, seed: number): number {
  let h = seed;
  for (let i = from; i < n; i++) {
    const at = labels[i], len = buf[at];
    h = Math.imul(h ^ len, 16777619);
    for (let j = at + 1; j <= at + len; j++) {
      const c = buf[j];
      h = Math.imul(h ^ (c >= 0x41 && c <= 0x5a ? c | 0x20 : c), 16777619);
    }
  }
  return h >>> 0;
}

/** The offset just past the name at `off` (in place: a pointer ends it), or -1. */
function skipName(buf: Buffer, off: number): number {
  while (off < buf.length) {
    const len = buf[off];
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2 <= buf.length ? off + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    off += 1 + len;
  }
  return -1;
}

/** The offset past `count` records starting at `off`, or -1. */
function skipRecords(buf: Buffer, off: number, count: number): number {
  for (let i = 0; i < count && off >= 0; i++) {
    off = skipName(buf, off);
    if (off < 0 || off + 10 > buf.length) return -1;
    off += 10 + buf.readUInt16BE(off + 8);
  }
  return off;
}

/** The hash of the owner of the record at `off` (the first of a section), or `fallback` when there is none to read. */
function ownerHash(buf: Buffer, off: number, fallback: number): number {
  if (off < 0 || off >= buf.length) return fallback;
  const n = readLabels(buf, off);
  return n < 0 ? fallback : hashLabels(buf, 0, n, 0x811c9dc5);
}

/**
 * The class of `reply` and the name its bucket is kept by, as one number: hash × 8 + class
 * index (RRL_CLASSES). The names are those BIND and Knot key their buckets by, so that one
 * bucket counts the responses an attacker can make the server repeat at a victim:
 * - noerror: the question's name and type (identical answers);
 * - wildcard (an answer whose RRSIG has fewer labels than its owner, RFC 4035 §5.3.4: only
 *   seen with DO): the wildcard's name, so random labels under it share one bucket;
 * - nxdomain and nodata: the zone (the SOA owner in the authority section), so random names
 *   in one zone share one bucket;
 * - referral: the delegation point (the owner of the authority section's NS);
 * - error (any other RCODE, or a message without one question): one bucket per prefix.
 */
export function classifyReply(reply: Buffer): number {
  if (reply.length < 12 || reply.readUInt16BE(4) !== 1) return ERROR;
  const rcode = reply[3] & 0x0f;
  if (rcode !== 0 && rcode !== 3) return ERROR;
  const qn = readLabels(reply, 12);
  const qEnd = nameEnd;
  if (qn < 0 || qEnd < 0 || qEnd + 4 > reply.length) return ERROR;
  const qhash = hashLabels(reply, 0, qn, 0x811c9dc5);
  const ancount = reply.readUInt16BE(6);
  const answers = qEnd + 4;
  if (rcode === 3) return ownerHash(reply, skipRecords(reply, answers, ancount), qhash) * 8 + NXDOMAIN;
  if (ancount === 0) {
    const authority = ownerHash(reply, answers, qhash);
    // AA set: the zone's own "no such type" (RFC 2308 §2.2); AA clear with NS: a referral (RFC 1034 §4.3.2).
    return authority * 8 + ((reply[2] & 0x04) !== 0 ? NODATA : REFERRAL);
  }
  // The first RRSIG in the answer tells a wildcard expansion: its Labels field counts the wildcard's labels, not the owner's.
  let off = answers;
  for (let i = 0; i < ancount; i++) {
    const owner = off;
    off = skipName(reply, off);
    if (off < 0 || off + 10 > reply.length) break;
    const type = reply.readUInt16BE(off), rdlen = reply.readUInt16BE(off + 8);
    if (type === RRSIG && off + 10 + 4 <= reply.length) {
      const sigLabels = reply[off + 10 + 3];
      const n = readLabels(reply, owner);
      if (n > 0 && sigLabels < n) return hashLabels(reply, n - sigLabels, n, 0x811c9dc5) * 8 + WILDCARD;
      break;
    }
    off += 10 + rdlen;
  }
  const qtype = reply.readUInt16BE(qEnd);
  return (Math.imul(qhash ^ qtype, 16777619) >>> 0) * 8 + NOERROR;
}

/** The offset just past the question of `reply` (the end of a TC reply's copy), or 12 when there is no readable question. */
export function questionEnd(reply: Buffer): number {
  if (reply.length < 12 || reply.readUInt16BE(4) !== 1) return 12;
  const end = skipName(reply, 12);
  return end < 0 || end + 4 > reply.length ? 12 : end + 4;
}
