// THE query path: packet in → classify → the fast path for a plain query, or the full path → packet out through the responder.
import type { QueryContext } from './context.js';
import type { Responder } from './responder.js';
import { classifyQuery } from './classify.js';
import { fullPath } from './full-path.js';

export type { QueryContext } from './context.js';

/**
 * Answer one DNS message through `responder`. With a fast path (QueryContext.fastPath), one
 * classification of the raw message decides: a plain query goes to the fast path with its
 * reply key, and the fast path hands the full path whatever it cannot answer itself; any
 * other message takes the full path (parse, guard rules, answer, DNSSEC, encode), as every
 * message does without a fast path. A message that must be dropped (RFC 1035 §4.1.1:
 * responses are never answered) gets no reply.
 */
export function handleMessage(ctx: QueryContext, msg: Buffer, responder: Responder): void {
  ctx.observe?.received(responder);
  const now = ctx.now ? ctx.now() : Math.floor(Date.now() / 1000);
  const fast = ctx.fastPath;
  const key = fast !== undefined ? classifyQuery(msg, responder.transport) : undefined;
  const reply = key !== undefined ? fast!.reply(key, msg, ctx, responder, now, fullPath) : fullPath(ctx, msg, responder, now)?.bytes;
  if (reply !== undefined) responder.reply(reply);
}

/**
 * The one reply `msg` gets, for a caller that wraps it (a TSIG-signed query is answered as
 * its unsigned form, then signed): answered as from `via`'s client, with no stream, so a
 * message that would take several replies gets none here.
 */
export function answerOnce(ctx: QueryContext, msg: Buffer, via: Responder): Buffer | undefined {
  let out: Buffer | undefined;
  handleMessage(ctx, msg, { transport: via.transport, remote: via.remote, stream: undefined, reply: (m) => { out = m; } });
  return out;
}
