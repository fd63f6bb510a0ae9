// The UDP listener: one datagram in, at most one datagram out, through the batched addon where it
// is built (udp-batch.ts), else node:dgram (udp-dgram.ts). Both call the same handler.
import cluster from 'node:cluster';
import type { ListenAddress } from './address.js';
import { batchedUdp, listenBatched } from './udp-batch.js';
import { listenDgram } from './udp-dgram.js';
import { UDP_RECEIVE_BUFFER, type UdpHandler, type UdpIo, type UdpListener } from './udp-listener.js';
import type { ResponseRateLimiter } from './rrl.js';

export { UDP_RECEIVE_BUFFER, type UdpHandler, type UdpIo, type UdpListener };

/** What --udp-io asks for: one of the two, or `auto` (batch when the addon loaded). */
export type UdpIoChoice = UdpIo | 'auto';

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

/** `rrl`: limit the replies (rrl.ts); TCP listeners never are, so a truncated reply's retry always gets through. */
export async function listenUdp(addr: ListenAddress, handler: UdpHandler, log: (m: string) => void, io: UdpIo, rrl?: ResponseRateLimiter): Promise<UdpListener> {
  return io === 'batch' ? listenBatched(addr, handler, log, cluster.isWorker, rrl) : listenDgram(addr, handler, log, rrl);
}
