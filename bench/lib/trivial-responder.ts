// The ceiling line: a Node UDP server that answers every datagram with one precomputed reply (query ID copied in).
// Run as `node dist/bench/lib/trivial-responder.js PORT [dgram|batch]`; it prints "listening" when bound.
// `dgram` (the default) is stock Node; `batch` answers through our recvmmsg/sendmmsg listener, the
// ceiling of our own UDP path.
import dgram from 'node:dgram';
import * as packet from 'dns-packet';
import { listenBatched } from '../../server/net/udp-batch.js';

// A reply about the size of a real signed positive answer (A + RRSIG + OPT), so that the
// ceiling pays the same per-byte costs; the signature bytes are filler, nobody validates them.
const REPLY = packet.encode({
  type: 'response', id: 0, flags: packet.AUTHORITATIVE_ANSWER,
  questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
  answers: [
    { name: 'www.example.com', type: 'A', ttl: 3600, data: '192.0.2.80' },
    { name: 'www.example.com', type: 'RRSIG', ttl: 3600, data: {
      typeCovered: 'A', algorithm: 13, labels: 3, originalTTL: 3600, expiration: 2000000000, inception: 1700000000,
      keyTag: 12345, signersName: 'example.com', signature: Buffer.alloc(64, 0xab) } },
  ],
  additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
});

const port = Number(process.argv[2]);
const io = process.argv[3] ?? 'dgram';
const listening = () => console.log(`trivial responder (${io}): listening on 127.0.0.1:${port} (${REPLY.length}-octet reply)`);

/** A fresh copy per reply: dgram sends asynchronously, and one batch sends up to 64 replies at once. */
function replyTo(msg: Buffer): Buffer | undefined {
  if (msg.length < 12) return undefined;
  const reply = Buffer.from(REPLY);
  reply[0] = msg[0];
  reply[1] = msg[1];
  return reply;
}

if (io === 'batch') {
  void listenBatched({ host: '127.0.0.1', port }, (msg, responder) => {
    const reply = replyTo(msg);
    if (reply) responder.reply(reply);
  }, console.error, false).then(listening);
} else {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const reply = replyTo(msg);
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.bind(port, '127.0.0.1', listening);
}
