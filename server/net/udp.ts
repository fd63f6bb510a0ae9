// The UDP listener: one datagram in, at most one datagram out, through the batched addon where it
// is built (udp-batch.ts), else node:dgram (udp-dgram.ts). Both call the same handler.
import cluster from 'node:cluster';
import type { ListenAddress, Remote } from './address.js';
import { batchedUdp, listenBatched } from './udp-batch.js';
import { listenDgram } from './udp-dgram.js';

export type UdpHandler = (msg: Buffer, remote: Remote) => Buffer | undefined;

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

/** `batch`: recvmmsg/sendmmsg addon; `dgram`: node:dgram; `auto`: batch when it loaded. */
export type UdpIo = 'batch' | 'dgram';
export type UdpIoChoice = UdpIo | 'auto';

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

export function parseUdpIo(text: string): UdpIoChoice {
  if (text === 'auto' || text === 'batch' || text === 'dgram') return text;
  throw new Error(`bad udp io ${JSON.stringify(text)}: expected auto, batch or dgram`);
}

/** Which path `choice` means on this machine; throws when `batch` is asked for and not built. */
export function resolveUdpIo(choice: UdpIoChoice): UdpIo {
  if (choice === 'dgram') return 'dgram';
  if (batchedUdp.available) return 'batch';
  if (choice === 'batch') throw new Error(`batched UDP unavailable: ${batchedUdp.reason}`);
  return 'dgram';
}

/** Whether the kernel granted less than UDP_RECEIVE_BUFFER (it reports twice the size it grants). */
export const receiveBufferShort = (l: UdpListener): boolean => l.receiveBuffer < 2 * UDP_RECEIVE_BUFFER;

/** The start-up warning for a short receive buffer, naming the fix. */
export const receiveBufferWarning = (l: UdpListener): string =>
  `udp: receive buffer ${l.receiveBuffer >> 10} KiB, not the ${(2 * UDP_RECEIVE_BUFFER) >> 10} KiB asked for: queries arriving during a pause may be dropped; raise net.core.rmem_max or grant CAP_NET_ADMIN`;

export async function listenUdp(addr: ListenAddress, handler: UdpHandler, log: (m: string) => void, io: UdpIo): Promise<UdpListener> {
  return io === 'batch' ? listenBatched(addr, handler, log, cluster.isWorker) : listenDgram(addr, handler, log);
}
