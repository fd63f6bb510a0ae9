// Send a long reply over TCP as a sequence of bounded messages, TSIG-signed, with backpressure (RFC 5936 §2.2).
import { MessageBuilder, type MessageHead } from '../wire/message-builder.js';
import type { RREntry } from '../wire/response.js';
import type { Query } from '../wire/parse.js';
import type { ReplyStream } from '../query/responder.js';
import type { TsigSigner } from '../wire/tsig.js';

/** Aim for ~16 KB messages: few enough per zone, small enough that memory per transfer stays tiny. */
export const MESSAGE_TARGET = 16 * 1024;
/** Room kept for the TSIG RR (owner ≤ 255, algorithm name, a 64-byte MAC, fixed fields). */
const TSIG_RESERVE = 400;
/** Let other work (queries on other sockets) run every few messages of a large transfer. */
const YIELD_EVERY = 8;

export interface StreamResult { messages: number; records: number; bytes: number }

export interface StreamOptions {
  q: Query;
  sink: ReplyStream;
  tsig?: TsigSigner;
}

/**
 * Pack entries into messages and write them. An entry larger than the target gets a message
 * of its own, up to the 64 KB limit. Only one message is built at a time, and we wait for the
 * socket to drain when the client reads slowly, so memory stays bounded for any zone size.
 */
export async function streamEntries(entries: Iterable<RREntry>, o: StreamOptions): Promise<StreamResult> {
  const head: MessageHead = { id: o.q.id, flags: o.q.flags, questionWire: o.q.questionWire, qname: o.q.qname };
  const res: StreamResult = { messages: 0, records: 0, bytes: 0 };
  // The OPT goes in the first message only (RFC 6891 §7): only that one keeps room for it.
  const fresh = (limit: number) => new MessageBuilder(head, limit - TSIG_RESERVE, res.messages === 0 && o.q.edns !== undefined);
  let b = fresh(MESSAGE_TARGET);
  const send = async (): Promise<void> => {
    // RFC 6891 §7: the OPT goes in the first message only.
    let msg = b.finish({ aa: true, edns: res.messages === 0 ? o.q : undefined });
    if (o.tsig) msg = o.tsig.sign(msg);
    res.messages++;
    res.records += b.records;
    res.bytes += msg.length;
    if (!o.sink.write(msg)) await o.sink.drained();
    if (res.messages % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
  };
  for (const e of entries) {
    if (b.add(e)) continue;
    if (b.records > 0) {
      await send();
      b = fresh(MESSAGE_TARGET);
      if (b.add(e)) continue;
    }
    b = fresh(65535);
    if (!b.add(e)) throw new Error(`RRset ${e.owner} type ${e.rrset.type} does not fit in one message`);
  }
  if (b.records > 0) await send();
  return res;
}
