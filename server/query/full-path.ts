// The full path: parse → guard rules → later stages (transfers, NOTIFY) → answer → DNSSEC → encode, for any message.
import { RRType, CLASS_IN } from '../../zones/model/types.js';
import { parseQuery, Opcode, Rcode, type Query } from '../wire/parse.js';
import { encodeResponse, encodeBare, maxResponseSize } from '../wire/encode.js';
import { EDE } from '../wire/response.js';
import { answer } from './answer.js';
import { addProofs, addSigners } from './dnssec.js';
import type { FullReply, QueryContext } from './context.js';
import type { Responder } from './responder.js';

/**
 * The reply to `msg` made from its parse: undefined when it gets none here (a response,
 * RFC 1035 §4.1.1, or a message a later stage took and answers through `responder`).
 */
export function fullPath(ctx: QueryContext, msg: Buffer, responder: Responder, now: number): FullReply | undefined {
  const parsed = parseQuery(msg);
  if (parsed.kind === 'drop') return undefined;
  if (parsed.kind === 'error') {
    ctx.observe?.answered(undefined, parsed.rcode, undefined, false);
    const p = parsed.partial;
    return bare(encodeBare(p.id, p.flags, parsed.rcode, p));
  }
  const q = parsed.query;
  const refuse = guard(q);
  if (refuse !== undefined) {
    ctx.observe?.answered(q.qtype, refuse.rcode, zoneOf(ctx, q), q.edns?.dnssecOk === true);
    return bare(encodeBare(q.id, q.flags, refuse.rcode, q, refuse.ede));
  }
  if (ctx.special?.(q, msg, responder)) return undefined;
  if (q.opcode !== Opcode.QUERY) {
    ctx.observe?.answered(q.qtype, Rcode.NOTIMP, zoneOf(ctx, q), q.edns?.dnssecOk === true);
    return bare(encodeBare(q.id, q.flags, Rcode.NOTIMP, q));
  }
  if (isTransferType(q.qtype)) {
    // Transfers are only for configured secondaries; with none allowed, refuse (RFC 5936 §4.2).
    ctx.observe?.answered(q.qtype, Rcode.REFUSED, zoneOf(ctx, q), q.edns?.dnssecOk === true);
    return bare(encodeBare(q.id, q.flags, Rcode.REFUSED, q, { code: EDE.PROHIBITED, text: 'zone transfer not allowed' }));
  }
  const maxSize = maxResponseSize(q.edns?.udpSize, responder.transport === 'tcp');
  const dnssecOk = q.edns?.dnssecOk === true;
  const answered = answer(ctx.zones, q.qname, q.qtype, dnssecOk);
  const signer = dnssecOk ? ctx.dnssec : undefined;
  if (signer) {
    addProofs(answered, signer, q.qtype, now);
    addSigners(answered, signer);
  }
  const response = answered.response;
  ctx.observe?.answered(q.qtype, response.rcode, answered.steps[0]?.zone.apex, dnssecOk);
  return { bytes: encodeResponse(q, response, maxSize, ctx.wire, now), answered };
}

/** The hosted zone a refused or unanswered question falls in, for metrics (these replies are rare: one lookup is cheap). */
const zoneOf = (ctx: QueryContext, q: Query) => (ctx.observe ? ctx.zones.find(q.qname)?.apex : undefined);

const bare = (bytes: Buffer): FullReply => ({ bytes, answered: undefined });

/** The RFC rules that decide before any lookup; undefined lets the query through. */
function guard(q: Query): { rcode: number; ede?: { code: number; text: string } } | undefined {
  // RFC 6891 §6.1.3: we speak EDNS version 0 only.
  if (q.edns && q.edns.version !== 0) return { rcode: Rcode.BADVERS };
  // QUERY, and NOTIFY and UPDATE, which later stages take; anything else is not implemented (RFC 1035 §4.1.1).
  if (q.opcode !== Opcode.QUERY && q.opcode !== Opcode.NOTIFY && q.opcode !== Opcode.UPDATE) return { rcode: Rcode.NOTIMP };
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
