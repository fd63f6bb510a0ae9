// UDP through node:dgram: one 'message' event per datagram, one send per reply. The portable path,
// and the fallback when the batched addon (udp-batch.ts) is not built or not on Linux.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ListenError, type ListenAddress } from './address.js';
import type { Responder } from '../query/responder.js';
import { UDP_RECEIVE_BUFFER, type UdpHandler, type UdpListener } from './udp-listener.js';
import { prefixKey, type ResponseRateLimiter } from './rrl.js';

/** Replies to one datagram's sender. */
class DatagramResponder implements Responder {
  readonly transport = 'udp';
  readonly stream = undefined;
  constructor(private readonly sock: dgram.Socket, readonly remote: string, private readonly port: number,
    private readonly rrl: ResponseRateLimiter | undefined) {}
  reply(msg: Buffer): void {
    const out = this.rrl === undefined ? msg : this.rrl.filter(msg, prefixKey(this.remote));
    if (out !== undefined) this.sock.send(out, this.port, this.remote);
  }
}

export async function listenDgram(addr: ListenAddress, handler: UdpHandler, log: (m: string) => void, rrl?: ResponseRateLimiter): Promise<UdpListener> {
  // SO_RCVBUF, capped by net.core.rmem_max (node:dgram cannot force past it as the addon does).
  // IPv6 only on an IPv6 address, so [::]:53 and 0.0.0.0:53 are two listeners side by side.
  const ipv6 = isIPv6(addr.host);
  const sock = dgram.createSocket({ type: ipv6 ? 'udp6' : 'udp4', ipv6Only: ipv6, reuseAddr: false, recvBufferSize: UDP_RECEIVE_BUFFER });
  sock.on('message', (msg, rinfo) => {
    try {
      handler(msg, new DatagramResponder(sock, rinfo.address, rinfo.port, rrl));
    } catch (err) {
      // A bug must cost one answer, never the server.
      log(`udp: internal error answering ${rinfo.address}: ${(err as Error).stack ?? err}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', (err) => reject(new ListenError('udp', addr, err)));
    sock.bind(addr.port, addr.host, () => {
      sock.removeAllListeners('error');
      sock.on('error', (err) => log(`udp ${addr.host}:${addr.port}: ${err.message}`));
      resolve();
    });
  });
  return { io: 'dgram', port: sock.address().port, receiveBuffer: sock.getRecvBufferSize(), close: () => new Promise<void>((r) => sock.close(() => r())) };
}
