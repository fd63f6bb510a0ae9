// UDP through the batched addon (native/udp-batch.c): recvmmsg a batch of queries, answer them in
// one JavaScript call, sendmmsg the replies. Linux only; `batchedUdp` says whether it loaded.
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { ListenError, type ListenAddress } from './address.js';
import type { Responder } from '../query/responder.js';
import { loadAddon, availability, type Loaded } from '../../zones/util/native-addon.js';
import { UDP_RECEIVE_BUFFER, type UdpHandler, type UdpListener } from './udp-listener.js';
import type { ResponseRateLimiter } from './rrl.js';

interface Addon {
  readonly batch: number;
  readonly slot: number;
  open(host: string, port: number, ipv6: boolean, reusePort: boolean, onBatch: (n: number) => unknown[], receiveBuffer: number): { handle: object; port: number; receiveBuffer: number; arena: ArrayBuffer; lens: ArrayBuffer };
  remote(handle: object, i: number): string;
  /** The source's network, as rrl.ts prefixKey would make it from remote(handle, i). */
  prefix(handle: object, i: number): number;
  stats(handle: object): { received: number; sent: number; dropped: number };
  close(handle: object): void;
}

const loaded: Loaded<Addon> = process.platform === 'linux'
  ? loadAddon<Addon>('udp_batch.node')
  : { unavailable: `needs Linux (recvmmsg/sendmmsg), not ${process.platform}` };

/** Puts the reply to datagram `i` of a batch in its place, for sendmmsg once the batch is answered. */
class SlotResponder implements Responder {
  readonly transport = 'udp';
  readonly stream = undefined;
  constructor(private readonly replies: (Buffer | undefined)[], private readonly i: number, readonly remote: () => string, readonly family: 4 | 6,
    private readonly rrl: ResponseRateLimiter | undefined, private readonly prefix: () => number) {}
  reply(msg: Buffer): void {
    // Without rate limiting, this one test is all it costs.
    this.replies[this.i] = this.rrl === undefined ? msg : this.rrl.filter(msg, this.prefix());
  }
}

/** Whether the batched path can be used here, and if not, why. */
export const batchedUdp = availability(loaded);

/**
 * Listen with the addon. `reusePort` lets each cluster worker bind its own socket (SO_REUSEPORT),
 * the kernel spreading client flows across them, where node:dgram shares one socket through the
 * cluster primary.
 */
export async function listenBatched(addr: ListenAddress, handler: UdpHandler, log: (m: string) => void, reusePort: boolean,
  rrl?: ResponseRateLimiter): Promise<UdpListener> {
  if (!('addon' in loaded)) throw new Error(`batched UDP unavailable: ${loaded.unavailable}`);
  const addon = loaded.addon;
  const slot = addon.slot;
  // The addon binds numeric addresses only; a name (--dns localhost:5300) is resolved as node:dgram would.
  let ip: { address: string; family: number };
  try {
    ip = isIP(addr.host) ? { address: addr.host, family: isIP(addr.host) } : await lookup(addr.host);
  } catch (err) {
    throw new ListenError('udp', addr, err);
  }
  const family = ip.family === 6 ? 6 : 4;
  // One array reused for every batch: the addon reads elements 0..n-1 right after the call.
  const replies: (Buffer | undefined)[] = new Array(addon.batch).fill(undefined);
  // Set once open() returns; the addon calls onBatch only from the event loop, after that.
  let sock: { handle: object; arena: Buffer; lens: Int32Array } | undefined;
  // One responder per slot, made once: its reply goes to the slot's place in `replies`, and
  // datagram i's source is spelled out only when asked (transfers, error logs), and only during
  // the batch call, like the query bytes.
  const responders = Array.from({ length: addon.batch }, (_, i) => new SlotResponder(replies, i, () => addon.remote(sock!.handle, i), family, rrl, () => addon.prefix(sock!.handle, i)));
  const onBatch = (n: number): unknown[] => {
    const { arena, lens } = sock!;
    for (let i = 0; i < n; i++) {
      replies[i] = undefined;
      const len = lens[i];
      if (len < 0) continue; // did not fit a slot: no DNS query is that long
      // A view, not a copy: the path reads the query during this call and keeps none of it.
      const msg = arena.subarray(i * slot, i * slot + len);
      try {
        handler(msg, responders[i]);
      } catch (err) {
        // A bug must cost one answer, never the server.
        log(`udp: internal error answering ${responders[i].remote()}: ${(err as Error).stack ?? err}`);
      }
    }
    return replies;
  };
  let opened: ReturnType<Addon['open']>;
  try {
    opened = addon.open(ip.address, addr.port, ip.family === 6, reusePort, onBatch, UDP_RECEIVE_BUFFER);
  } catch (err) {
    throw new ListenError('udp', addr, err);
  }
  sock = { handle: opened.handle, arena: Buffer.from(opened.arena), lens: new Int32Array(opened.lens) };
  // The addon frees its socket after close: a second close must not reach it.
  let closed = false;
  return {
    io: 'batch',
    port: opened.port,
    receiveBuffer: opened.receiveBuffer,
    stats: () => addon.stats(opened.handle),
    close: async () => { if (!closed) { closed = true; addon.close(opened.handle); } },
  };
}
