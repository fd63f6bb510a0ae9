// TCP listener (RFC 7766): 2-byte framing, pipelined queries, idle timeout, bounded connections and buffers.
import net from 'node:net';
import { ListenError, type ListenAddress } from './address.js';
import type { Responder, ReplyStream } from '../query/responder.js';

/** Handles one framed message; replies through `responder` (its stream: the connection), synchronously or later. */
export type TcpHandler = (msg: Buffer, responder: Responder) => void;

export interface TcpLimits {
  /** RFC 7766 §6.2.3: idle connections are closed; seconds, not minutes. */
  idleTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = { idleTimeoutMs: 10_000, maxConnections: 512, maxConnectionsPerClient: 32 };

/** Pause reading when this much reply data waits for a slow reader: bounds memory per connection. */
const HIGH_WATER = 256 * 1024;

export async function listenTcp(addr: ListenAddress, handler: TcpHandler, log: (m: string) => void,
  limits: TcpLimits = DEFAULT_TCP_LIMITS): Promise<TcpListener> {
  const perClient = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  let open = 0;
  const server = net.createServer({ noDelay: true, pauseOnConnect: false }, (sock) => {
    const remote = sock.remoteAddress ?? '';
    const mine = perClient.get(remote) ?? 0;
    if (open >= limits.maxConnections || mine >= limits.maxConnectionsPerClient) {
      sock.destroy();
      return;
    }
    open++;
    perClient.set(remote, mine + 1);
    sockets.add(sock);
    sock.once('close', () => {
      open--;
      sockets.delete(sock);
      const n = (perClient.get(remote) ?? 1) - 1;
      if (n <= 0) perClient.delete(remote); else perClient.set(remote, n);
    });
    serveConnection(sock, remote, handler, log, limits);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new ListenError('tcp', addr, err)));
    // IPv6 only on an IPv6 address, so [::]:53 and 0.0.0.0:53 are two listeners side by side.
    server.listen({ port: addr.port, host: addr.host, ipv6Only: net.isIPv6(addr.host) }, () => { server.removeAllListeners('error'); server.on('error', (err) => log(`tcp ${addr.host}:${addr.port}: ${err.message}`)); resolve(); });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

export interface TcpListener {
  port: number;
  /** Stop accepting and drop open connections (shutdown must not wait for idle clients). */
  close(): Promise<void>;
}

function serveConnection(sock: net.Socket, remote: string, handler: TcpHandler, log: (m: string) => void, limits: TcpLimits): void {
  sock.setTimeout(limits.idleTimeoutMs, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  let pending: Buffer = Buffer.alloc(0);
  const stream: ReplyStream = {
    write(msg: Buffer): boolean {
      if (sock.destroyed) return false;
      const frame = Buffer.allocUnsafe(2 + msg.length);
      frame.writeUInt16BE(msg.length, 0);
      msg.copy(frame, 2);
      const ok = sock.write(frame);
      if (sock.writableLength > HIGH_WATER) sock.pause();
      return ok;
    },
    drained(): Promise<void> {
      if (sock.destroyed || sock.writableLength === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => { sock.off('drain', done); sock.off('close', done); resolve(); };
        sock.once('drain', done);
        sock.once('close', done);
      });
    },
    close(): void { sock.end(); },
  };
  // One responder per connection: every reply is one frame on it, a transfer's many frames too.
  const responder: Responder = { transport: 'tcp', remote, stream, reply: (msg) => { stream.write(msg); } };
  sock.on('drain', () => { if (sock.isPaused()) sock.resume(); });
  sock.on('data', (chunk: Buffer) => {
    // A frame is at most 2 + 65535 bytes, so `pending` never holds more than one frame plus one chunk.
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const len = pending.readUInt16BE(0);
      if (pending.length < 2 + len) break;
      const msg = pending.subarray(2, 2 + len);
      pending = pending.subarray(2 + len);
      try {
        handler(msg, responder);
      } catch (err) {
        log(`tcp: internal error answering ${remote}: ${(err as Error).stack ?? err}`);
        sock.destroy();
        return;
      }
    }
  });
}
