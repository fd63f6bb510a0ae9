// What the query path answers with: the zones, the signer, the encoder's wire pieces, the clock, the hooks — and the contract of the declared fast path.
import type { Registry } from '../../zones/registry.js';
import type { Name } from '../../zones/model/name.js';
import type { DnssecService } from '../../signer/service.js';
import type { Query } from '../wire/parse.js';
import type { RRsetWireCache } from '../wire/rr-wire.js';
import type { Answered } from './answer.js';
import type { ReplyKey } from './classify.js';
import type { Responder } from './responder.js';

/** What a listener needs to answer. */
export interface QueryContext {
  zones: Registry;
  /** Signs answers from signed zones when the client sets DO. */
  dnssec?: DnssecService;
  /** RRsets' wire pieces, so an answer copies bytes instead of re-encoding each record (both paths write through them). */
  wire?: RRsetWireCache;
  /**
   * The declared fast path (server/query/fast/), offered every plain query (classify.ts);
   * undefined: every message takes the full path (`daneprime serve --fast-path off`).
   */
  fastPath?: FastPath;
  /** The clock, unix seconds (injected so tests can move time). */
  now?: () => number;
  /** Told of each message received and each query answered (metrics); must be cheap. */
  observe?: QueryObserver;
  /**
   * Opcodes and qtypes that a later stage handles (NOTIFY, AXFR/IXFR): true when it took the
   * message (and replies through `responder`, now or later), false to fall through. `msg` is
   * the raw request (TSIG covers its bytes).
   */
  special?: (q: Query, msg: Buffer, responder: Responder) => boolean;
}

/**
 * The query path's report to metrics: `received` when a message comes in, then `answered`
 * once if it gets an answer here (not for a message dropped or taken by a later stage, which
 * counts its own). Both run on every query, so neither may allocate.
 */
export interface QueryObserver {
  received(responder: Responder): void;
  /** `zone`: the hosted zone whose data answered (or that the question falls in); undefined for none. */
  answered(qtype: number | undefined, rcode: number, zone: Name | undefined, dnssecOk: boolean): void;
}

/** The full path's reply to a message, and the answer it was made from (undefined for replies made before any lookup: errors, refusals). */
export interface FullReply {
  bytes: Buffer;
  answered: Answered | undefined;
}

/** The full path (full-path.ts): undefined when the message gets no reply here (dropped, or taken by `special`). */
export type FullPath = (ctx: QueryContext, msg: Buffer, responder: Responder, now: number) => FullReply | undefined;

/**
 * A fast path: it answers plain queries from ready parts, before any parsing. It has one
 * entry point, `reply`, which the query path calls for every plain query with the query's
 * reply key (classify.ts): every input that can change a reply is in the key or under the
 * fast path's freshness rule, and whatever the fast path cannot answer itself it hands to
 * `full`, the full path, whose reply it returns (and may keep for the next query with the
 * same key). So with a fast path or without one, every query gets the same bytes — what
 * test/differential-fast-path.test.ts checks.
 */
export interface FastPath {
  reply(key: ReplyKey, msg: Buffer, ctx: QueryContext, responder: Responder, now: number, full: FullPath): Buffer | undefined;
}
