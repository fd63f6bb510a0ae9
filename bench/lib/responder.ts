// The responder in-process benches answer through: a UDP one that keeps only the last reply.
import type { Responder } from '../../server/query/responder.js';

class LastReply implements Responder {
  readonly transport = 'udp';
  readonly remote = '127.0.0.1';
  readonly stream = undefined;
  last: Buffer | undefined;
  reply(msg: Buffer): void {
    this.last = msg;
  }
}

/** One responder for every query of a bench: replies are made and dropped, as a socket would send them. */
export const benchResponder = new LastReply();
