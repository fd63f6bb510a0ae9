// The one classification of a raw message before any parsing: a plain query and its reply key, which the fast path may answer, or a message for the full path.
import { RRType, isMetaType } from '../../zones/model/types.js';
import { maxResponseSize } from '../wire/encode.js';
import type { Transport } from './responder.js';
import { fastPathMayIgnore } from './edns-options.js';

/** The EDNS part of a reply key: no OPT, OPT without DO, OPT with DO (RFC 3225). */
export const EdnsMode = { NONE: 0, NO_DO: 1, DO: 2 } as const;
export type EdnsMode = (typeof EdnsMode)[keyof typeof EdnsMode];

/**
 * Everything a plain query's reply depends on besides the parts copied from the query itself
 * (ID, RD, CD, and the question's spelling, which is echoed as sent: RFC 1035 §4.1.1,
 * RFC 4035 §3.1.6): two plain queries with equal keys get the same reply, up to those parts.
 *
 * - the question: its name ASCII case-folded (RFC 4343), type and class — the octets
 *   msg[12, questionEnd), compared folded wherever a key is matched;
 * - whether an OPT came, and with DO set or not (`edns`);
 * - the size limit (`maxSize`, from wire/encode.ts maxResponseSize, which the full path sizes
 *   by too: the transport, and the requestor's UDP payload size).
 *
 * The EDNS options are not part of it: a plain query carries only options the server ignores
 * by declaration (edns-options.ts). The zones and the clock are not part of it either: a
 * reply is reused only under the fast path's freshness rule (fast/freshness.ts).
 */
export interface ReplyKey {
  /**
   * A 32-bit FNV-1a hash of the folded question and `variant`: a number, because a Map probe
   * with a freshly built string key measured 0.2–0.6 µs (the string is flattened and hashed
   * first) where a number costs a fraction of that. It only stands for the key: every hit
   * compares the question and the variant themselves.
   */
  hash: number;
  /** Where the question ends: the name starts at octet 12, and its type and class are the last 4 octets before this. */
  questionEnd: number;
  qtype: number;
  edns: EdnsMode;
  /** Largest reply this query may get. */
  maxSize: number;
  /** `edns` and `maxSize` in one number (the size fits 16 bits, the mode sits above): what besides the question a match compares. */
  variant: number;
}

/** ASCII case folding of one name octet (RFC 4343 §3): length octets (≤ 63) pass unchanged. */
export const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/**
 * The reply key of a plain query: opcode QUERY, QR clear, one question of class IN whose name
 * is written out (no compression pointer, no octet ≥ 0x80, at most 255 octets), no answer or
 * authority records, and nothing in the additional section but an optional EDNS version 0
 * OPT (extended RCODE 0) whose options are all known and ignored (edns-options.ts). The type
 * is one that is looked up: question-only and meta types (AXFR, IXFR, OPT, TSIG, TKEY,
 * MAILA/MAILB, the 128–254 range) take the full path, which has their rules; ANY is looked up.
 *
 * undefined — take the full path — for anything else: TSIG, other opcodes, other classes,
 * EDNS versions other than 0 (BADVERS), malformed messages (FORMERR), unknown options.
 */
export function classifyQuery(msg: Buffer, transport: Transport): ReplyKey | undefined {
  const len = msg.length;
  // Header: QR=0 and opcode 0 (AA, TC, RD free), QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 0 or 1.
  if (len < 17 || (msg[2] & 0xf8) !== 0 || msg[4] !== 0 || msg[5] !== 1 || msg[6] !== 0 || msg[7] !== 0
    || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0 || msg[11] > 1) return undefined;
  let h = 0x811c9dc5;
  let i = 12;
  for (;;) {
    const n = msg[i];
    if (n === 0 || i >= len) break;
    // A pointer (0xc0…) or a label type we do not read: the full path decides.
    if (n > 63 || i + n + 1 > len) return undefined;
    h = Math.imul(h ^ n, 0x01000193);
    for (let j = i + 1; j <= i + n; j++) {
      const c = msg[j];
      // A non-ASCII octet: its case folding is not ours to trust.
      if (c >= 0x80) return undefined;
      h = Math.imul(h ^ fold(c), 0x01000193);
    }
    i += n + 1;
  }
  const questionEnd = i + 5;
  // Past the end, longer than 255 octets (RFC 1035 §3.1), or not class IN.
  if (questionEnd > len || questionEnd - 16 > 255 || msg[questionEnd - 2] !== 0 || msg[questionEnd - 1] !== 1) return undefined;
  const qtype = (msg[questionEnd - 4] << 8) | msg[questionEnd - 3];
  if (isMetaType(qtype) && qtype !== RRType.ANY) return undefined;
  for (let j = i; j < questionEnd; j++) h = Math.imul(h ^ msg[j], 0x01000193);
  let edns: EdnsMode = EdnsMode.NONE;
  let udpSize: number | undefined;
  if (msg[11] === 1) {
    // The OPT (RFC 6891 §6.1.2): root owner, type 41, payload size, extended RCODE 0, version 0, flags, options.
    const o = questionEnd;
    if (o + 11 > len || msg[o] !== 0 || msg[o + 1] !== 0 || msg[o + 2] !== RRType.OPT || msg[o + 5] !== 0 || msg[o + 6] !== 0) return undefined;
    if (o + 11 + ((msg[o + 9] << 8) | msg[o + 10]) !== len || !ignoredOptions(msg, o + 11)) return undefined;
    edns = (msg[o + 7] & 0x80) !== 0 ? EdnsMode.DO : EdnsMode.NO_DO;
    udpSize = (msg[o + 3] << 8) | msg[o + 4];
  } else if (questionEnd !== len) return undefined;
  const maxSize = maxResponseSize(udpSize, transport === 'tcp');
  const variant = (edns << 16) | maxSize;
  const hash = Math.imul(h ^ variant, 0x01000193) | 0;
  return { hash, questionEnd, qtype, edns, maxSize, variant };
}

/** An EDNS option list (code, length, data)* that ends exactly at the end of the message, every code known and ignored. */
function ignoredOptions(msg: Buffer, at: number): boolean {
  const len = msg.length;
  while (at < len) {
    if (at + 4 > len || !fastPathMayIgnore((msg[at] << 8) | msg[at + 1])) return false;
    at += 4 + ((msg[at + 2] << 8) | msg[at + 3]);
  }
  return at === len;
}
