// What every UDP listener is, whichever I/O it uses: the handler it calls, what it reports, the receive buffer it asks for.
import type { Responder } from '../query/responder.js';

/** Answers one datagram through its responder: at most one reply, sent as one datagram. */
export type UdpHandler = (msg: Buffer, responder: Responder) => void;

/**
 * Receive buffer asked for per UDP socket. Queries that arrive while the process is busy (a
 * garbage collection, a long batch, an API edit) wait there, and the kernel default (about
 * 208 KB, a few hundred small datagrams by the kernel's accounting) overflowed in the
 * benchmarks: every query dnsperf counted lost was a receive-buffer drop (/proc/net/snmp
 * RcvbufErrors). 4 MiB (the kernel reports and grants twice that) holds several thousand
 * queries, some 50 ms at 100k q/s. Without CAP_NET_ADMIN net.core.rmem_max caps it;
 * `UdpListener.receiveBuffer` says what was granted.
 */
export const UDP_RECEIVE_BUFFER = 4 << 20;

/** `batch`: the recvmmsg/sendmmsg addon; `dgram`: node:dgram. */
export type UdpIo = 'batch' | 'dgram';

export interface UdpListener {
  readonly io: UdpIo;
  /** The port bound (the one asked for, or the kernel's pick for port 0). */
  readonly port: number;
  /** The socket's receive buffer as the kernel reports it (SO_RCVBUF: twice the usable size). */
  readonly receiveBuffer: number;
  /** Datagrams in, replies out, replies lost to a full send buffer (batched path only). */
  stats?(): { received: number; sent: number; dropped: number };
  close(): Promise<void>;
}
