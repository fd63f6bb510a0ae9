// NOTIFY from several workers: when a secondary hears of a new version, every worker already serves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { cli, startServer, freePort, type Child } from './helpers/procs.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url));
const ROUNDS = 5;
/** SOA queries right after each NOTIFY, each from a socket of its own: the kernel spreads their flows over the workers. */
const PROBES = 24;

/** The SOA serial one query from a fresh socket gets. */
async function soaSerial(port: number): Promise<number> {
  const s = dgram.createSocket('udp4');
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SOA reply in 2 s')), 2000);
      s.once('message', (m) => { clearTimeout(timer); resolve(m); });
      s.send(packet.encode({ type: 'query', id: 7, questions: [{ type: 'SOA', name: 'example.com' }] }), port, '127.0.0.1');
    });
    const soa = packet.decode(reply).answers!.find((a) => a.type === 'SOA') as packet.Answer & { data: { serial: number } };
    return soa.data.serial;
  } finally {
    s.close();
  }
}

test('a CLI commit seen by 2 workers: the NOTIFY goes out once both serve the new serial (a secondary\'s SOA query may reach either)', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-notify-'));
  const db = join(dir, 'dp.db');
  const children: Child[] = [];
  const secondary = dgram.createSocket('udp4');
  try {
    const text = readFileSync(FIXTURE, 'utf8');
    cli(['zone', 'import', FIXTURE, '--db', db]);
    const notifyPort = await freePort();
    await new Promise<void>((r) => secondary.bind(notifyPort, '127.0.0.1', () => r()));
    cli(['zone', 'secondary', 'add', 'example.com', `127.0.0.1:${notifyPort}`, '--db', db]);
    const ours = await startServer(db, {}, 0, 2);
    children.push(ours);
    // Each NOTIFY is answered (so it is not resent) and handed to the waiting round.
    let heard: ((serial: number) => void) | undefined;
    secondary.on('message', (m, from) => {
      const n = packet.decode(m) as unknown as packet.Packet & { opcode: string };
      if (n.opcode !== 'NOTIFY') return;
      secondary.send(packet.encode({ type: 'response', id: n.id, opcode: 'NOTIFY', flags: packet.AUTHORITATIVE_ANSWER, questions: n.questions } as packet.Packet), from.port, from.address);
      const soa = n.answers?.find((a) => a.type === 'SOA') as (packet.Answer & { data: { serial: number } }) | undefined;
      heard?.(soa?.data.serial ?? -1);
    });
    for (let round = 1; round <= ROUNDS; round++) {
      const serial = 2024010101 + round * 10;
      const file = join(dir, `r${round}.zone`);
      writeFileSync(file, text.replace(/2024010101/, String(serial)).replace('192.0.2.80', `192.0.2.${80 + round}`));
      const notified = new Promise<number>((resolve) => { heard = (s) => { if (s === serial) resolve(s); }; });
      cli(['zone', 'import', file, '--replace', '--db', db]);
      await Promise.race([notified, new Promise((_, reject) => setTimeout(() => reject(new Error(`no NOTIFY for ${serial} in 5 s`)), 5000))]);
      const seen = await Promise.all(Array.from({ length: PROBES }, () => soaSerial(ours.port)));
      assert.deepEqual(seen.filter((s) => s !== serial), [], `round ${round}: SOA serials answered right after the NOTIFY for ${serial}`);
    }
  } finally {
    secondary.close();
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
