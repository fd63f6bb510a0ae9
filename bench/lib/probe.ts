// One DO=1 UDP question to a server under test, used to decide that it is up (and signing) before it is measured.
import dgram from 'node:dgram';
import * as packet from 'dns-packet';

export function doQuery(name: string, type: string, id = 4242): Buffer {
  return packet.encode({
    type: 'query', id, flags: 0, questions: [{ name, type: type as packet.RecordType, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
  });
}

/** The decoded reply, or undefined on timeout or an undecodable reply. */
export function probe(port: number, name: string, type: string, timeoutMs = 500): Promise<packet.Packet | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const done = (v: packet.Packet | undefined) => { clearTimeout(timer); s.close(); resolve(v); };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    s.on('error', () => done(undefined));
    s.on('message', (m) => { try { done(packet.decode(m)); } catch { done(undefined); } });
    s.send(doQuery(name, type), port, '127.0.0.1');
  });
}

/** True once the server answers `name TYPE` with an RRSIG in the answer section (i.e. the zone is loaded and signed). */
export async function answersSigned(port: number, name: string, type: string): Promise<boolean> {
  const r = await probe(port, name, type);
  return !!r?.answers?.some((a) => a.type === 'RRSIG');
}
