// The declared fast path: plain queries answered from ready parts before any parsing — repeated questions from the reply cache, missing names from ready blocks.
import type { FastPath as FastPathContract, FullPath, QueryContext } from '../context.js';
import { EdnsMode, type ReplyKey } from '../classify.js';
import type { Responder } from '../responder.js';
import { ReplyCache, type ReplyCacheBounds } from './reply-cache.js';
import { MissingNameReplies } from './missing-name-reply.js';
import { freshnessToken } from './freshness.js';

/**
 * One entry point (`reply`), one key type (ReplyKey, classify.ts), one freshness rule
 * (freshness.ts), one switch (QueryContext.fastPath; `daneprime serve --fast-path off`), and
 * a differential test against the full path and against Knot (test/differential-*.test.ts).
 *
 * For a plain query, in order:
 * 1. the reply cache: the reply the full path made for the same key, fresh, with the ID,
 *    question spelling and RD/CD of this query (reply-cache.ts);
 * 2. a signed NXDOMAIN or wildcard answer for a name the zone does not hold, made from ready
 *    blocks (missing-name-reply.ts) — what a random-label flood asks, which no cache helps;
 * 3. else the full path, whose reply is kept under the key when the question will repeat
 *    (ReplyCache.cacheable).
 */
export class FastPath implements FastPathContract {
  readonly cache: ReplyCache;
  readonly missing = new MissingNameReplies();

  constructor(bounds: ReplyCacheBounds = {}) {
    this.cache = new ReplyCache(bounds);
  }

  reply(key: ReplyKey, msg: Buffer, ctx: QueryContext, responder: Responder, now: number, full: FullPath): Buffer | undefined {
    const token = freshnessToken(ctx.zones);
    let made = this.cache.get(key, msg, token, now);
    let zone = this.cache.lastZone;
    if (made === undefined && ctx.dnssec !== undefined) {
      made = this.missing.reply(msg, key, ctx.zones, token, ctx.dnssec, ctx.wire, now);
      zone = this.missing.lastZone;
    }
    if (made !== undefined) {
      ctx.observe?.answered(key.qtype, made[3] & 0xf, zone, key.edns === EdnsMode.DO);
      return made;
    }
    const r = full(ctx, msg, responder, now);
    if (r === undefined) return undefined;
    if (r.answered !== undefined && ReplyCache.cacheable(r.answered)) this.cache.set(key, msg, r.bytes, token, now, r.answered.steps[0].zone.apex);
    return r.bytes;
  }
}
