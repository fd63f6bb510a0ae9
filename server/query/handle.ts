// THE query path: packet in → parse → guard rules → answer → (DNSSEC) → encode → packet out.
import { RRType, CLASS_IN } from '../../zones/model/types.js';
import type { Registry } from '../../zones/registry.js';
import { parseQuery, Opcode, Rcode, type Query } from '../wire/parse.js';
import { answer } from './answer.js';
import { encodeResponse, encodeBare, maxResponseSize } from '../wire/encode.js';
import { EDE } from '../wire/response.js';
import { addProofs, addSigners } from './dnssec.js';
import { ResponseCache } from './response-cache.js';
import type { RRsetWireCache } from '../wire/rr-wire.js';
import type { MissingNameReplies } from './missing-name-reply.js';
import type { DnssecService } from '../../signer/service.js';
import type { Responder } from './responder.js';

/** What a listener needs to answer; later issues hang signing, transfers and metrics here. */
export interface QueryContext {
  zones: Registry;
  /** Signs answers from signed zones when the client sets DO. */
  dnssec?: DnssecService;
  /** Encoded replies by question; any zone change invalidates them. */
  cache?: ResponseCache;
  /** RRsets' wire pieces, so an answer copies bytes instead of re-encoding each record. */
  wire?: RRsetWireCache;
  /** Signed NXDOMAIN and wildcard replies straight from the raw query (missing-name-reply.ts). */
  missing?: MissingNameReplies;
  /** The clock, unix seconds (injected so tests can move time). */
  now?: () => number;
  /** Called once per answered query (metrics, logging); must be cheap. */
  observe?: (qtype: number | undefined, rcode: number) => void;
  /**
   * Opcodes and qtypes that a later stage handles (NOTIFY, AXFR/IXFR): true when it took the
   * message (and replies through `responder`, now or later), false to fall through. `msg` is
   * the raw request (TSIG covers its bytes).
   */
  special?: (q: Query, msg: Buffer, responder: Responder) => boolean;
}

/**
 * Answer one DNS message through `responder`; a message that must be dropped (RFC 1035 §4.1.1:
 * responses are never answered) gets no reply.
 */
export function handleMessage(ctx: QueryContext, msg: Buffer, responder: Responder): void {
  const reply = answerMessage(ctx, msg, responder);
  if (reply !== undefined) responder.reply(reply);
}

function answerMessage(ctx: QueryContext, msg: Buffer, responder: Responder): Buffer | undefined {
  const transport = responder.transport;
  // The packet-cache fast path: a repeated plain question is answered before any parsing.
  const raw = ctx.cache ? ResponseCache.keyOfRaw(msg, transport === 'tcp') : undefined;
  const now = ctx.now ? ctx.now() : Math.floor(Date.now() / 1000);
  if (raw) {
    const hit = ctx.cache!.get(raw, msg, ctx.zones.generation, now);
    // A signed reply for a name the zone does not hold (random-label floods): no parsing either.
    const made = hit ?? (ctx.missing && ctx.dnssec ? ctx.missing.reply(msg, raw, ctx.zones, ctx.dnssec, ctx.wire, now) : undefined);
    if (made) {
      ctx.observe?.(msg.readUInt16BE(raw.questionEnd - 4), made[3] & 0xf);
      return made;
    }
  }
  const parsed = parseQuery(msg);
  if (parsed.kind === 'drop') return undefined;
  if (parsed.kind === 'error') {
    ctx.observe?.(undefined, parsed.rcode);
    const p = parsed.partial;
    return encodeBare(p.id, p.flags, parsed.rcode, p);
  }
  const q = parsed.query;
  const refuse = guard(q);
  if (refuse !== undefined) {
    ctx.observe?.(q.qtype, refuse.rcode);
    return encodeBare(q.id, q.flags, refuse.rcode, q, refuse.ede);
  }
  if (ctx.special?.(q, msg, responder)) return undefined;
  if (q.opcode !== Opcode.QUERY) {
    ctx.observe?.(q.qtype, Rcode.NOTIMP);
    return encodeBare(q.id, q.flags, Rcode.NOTIMP, q);
  }
  if (isTransferType(q.qtype)) {
    // Transfers are only for configured secondaries; with none allowed, refuse (RFC 5936 §4.2).
    ctx.observe?.(q.qtype, Rcode.REFUSED);
    return encodeBare(q.id, q.flags, Rcode.REFUSED, q, { code: EDE.PROHIBITED, text: 'zone transfer not allowed' });
  }
  const maxSize = maxResponseSize(q.edns?.udpSize, transport === 'tcp');
  const dnssecOk = q.edns?.dnssecOk === true;
  const answered = answer(ctx.zones, q.qname, q.qtype, dnssecOk);
  const signer = dnssecOk ? ctx.dnssec : undefined;
  if (signer) {
    addProofs(answered, signer, q.qtype, now);
    addSigners(answered, signer);
  }
  const response = answered.response;
  ctx.observe?.(q.qtype, response.rcode);
  const bytes = encodeResponse(q, response, maxSize, ctx.wire, now);
  if (raw && ResponseCache.cacheable(answered)) ctx.cache!.set(raw, msg, bytes, ctx.zones.generation, now);
  return bytes;
}

/** The RFC rules that decide before any lookup; undefined lets the query through. */
function guard(q: Query): { rcode: number; ede?: { code: number; text: string } } | undefined {
  // RFC 6891 §6.1.3: we speak EDNS version 0 only.
  if (q.edns && q.edns.version !== 0) return { rcode: Rcode.BADVERS };
  // Only QUERY (and NOTIFY, which the transfer stage takes) are implemented (RFC 1035 §4.1.1).
  if (q.opcode !== Opcode.QUERY && q.opcode !== Opcode.NOTIFY) return { rcode: Rcode.NOTIMP };
  if (q.opcode === Opcode.QUERY) {
    // We hold IN data only; CHAOS/HESIOD/ANY-class questions are not ours to answer.
    if (q.qclass !== CLASS_IN) return { rcode: Rcode.REFUSED, ede: { code: EDE.NOT_AUTHORITATIVE, text: 'only class IN is served' } };
    // Question-only meta types that make no sense in a query (RFC 6895 §3.1): OPT, TSIG, TKEY.
    if (q.qtype === RRType.OPT || q.qtype === RRType.TSIG || q.qtype === RRType.TKEY) return { rcode: Rcode.FORMERR };
    // MAILA/MAILB are obsolete (RFC 883 leftovers); not implemented.
    if (q.qtype === 253 || q.qtype === 254) return { rcode: Rcode.NOTIMP };
  }
  return undefined;
}

function isTransferType(t: number): boolean {
  return t === RRType.AXFR || t === RRType.IXFR;
}
