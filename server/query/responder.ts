// How the query path answers: the listener hands it a responder per message, and it replies through that — one message, or a stream of them over TCP.

/** The transport a message came in on: it sets the reply's size limit (RFC 1035 §4.2.1) and what may be asked over it (RFC 5936 §4.2). */
export type Transport = 'udp' | 'tcp';

/**
 * Who sent a message: its address as text, or a function that spells it out when asked. The
 * batched UDP path passes the function: nearly every query is answered without anyone asking,
 * and spelling out a source address per datagram (a call into the addon, a new string) was a
 * cost every answer paid.
 */
export type Remote = string | (() => string);

export function remoteText(r: Remote): string {
  return typeof r === 'string' ? r : r();
}

/** The messages of one long reply (a zone transfer), written in order on one connection. */
export interface ReplyStream {
  /** Queue one message; false when the client is not reading (wait for `drained`). */
  write(msg: Buffer): boolean;
  /** Resolves once the queued messages drained (backpressure for long transfers). */
  drained(): Promise<void>;
  /** End the connection: a stream that cannot go on (the zone changed, an error). */
  close(): void;
}

/**
 * What a listener hands the query path with each message (as hickory-dns's ResponseHandler):
 * the query code answers through it and never sees sockets, framing or batches.
 */
export interface Responder {
  readonly transport: Transport;
  readonly remote: Remote;
  /** The client's address family, where the listener knows it without spelling out `remote` (metrics). */
  readonly family?: 4 | 6;
  /** Send the one reply to this message. Not called for a message that is dropped. */
  reply(msg: Buffer): void;
  /** The connection, for a reply of many messages (AXFR, IXFR over TCP); undefined over UDP. */
  readonly stream: ReplyStream | undefined;
}
