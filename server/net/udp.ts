// UDP listener: one datagram in, at most one datagram out.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ListenAddress } from './address.js';

export type UdpHandler = (msg: Buffer, remote: string) => Buffer | undefined;

export async function listenUdp(addr: ListenAddress, handler: UdpHandler, log: (m: string) => void): Promise<dgram.Socket> {
  const sock = dgram.createSocket({ type: isIPv6(addr.host) ? 'udp6' : 'udp4', reuseAddr: false });
  sock.on('message', (msg, rinfo) => {
    let reply: Buffer | undefined;
    try {
      reply = handler(msg, rinfo.address);
    } catch (err) {
      // A bug must cost one answer, never the server.
      log(`udp: internal error answering ${rinfo.address}: ${(err as Error).stack ?? err}`);
      return;
    }
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.on('error', (err) => log(`udp ${addr.host}:${addr.port}: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(addr.port, addr.host, () => { sock.off('error', reject); resolve(); });
  });
  return sock;
}
