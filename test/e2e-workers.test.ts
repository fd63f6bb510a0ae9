// `serve --workers 2`: both workers answer on the shared sockets, and a change reaches every worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import dgram from 'node:dgram';
import { startServer, runCli, tmpDir, pollUntil } from './helpers/server.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/example.com.zone', import.meta.url));

function udpAsk(port: number, name: string, type: string, id: number): Promise<packet.Packet & { answers: packet.Answer[] }> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('timeout')); }, 2000);
    s.once('message', (m) => { clearTimeout(timer); s.close(); resolve(packet.decode(m) as packet.Packet & { answers: packet.Answer[] }); });
    s.send(packet.encode({ type: 'query', id, questions: [{ name, type: type as packet.RecordType, class: 'IN' }] }), port, '127.0.0.1');
  });
}

test('two workers serve the zone and both pick up a replaced zone', async () => {
  const dir = tmpDir();
  const db = join(dir.dir, 'db');
  try {
    assert.equal(runCli(['zone', 'import', FIXTURE, '--db', db]).status, 0);
    const srv = await startServer(db, { env: { DANEPRIME_WORKERS: '2' } });
    try {
      // Fresh sockets spread over both workers; every answer must be right.
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => udpAsk(srv.port, 'www.example.com', 'A', i + 1)));
      for (const r of replies) assert.equal((r.answers[0] as packet.StringAnswer).data, '192.0.2.80');
      const changed = readFileSync(FIXTURE, 'utf8').replace('www         A     192.0.2.80', 'www         A     192.0.2.81');
      const file = join(dir.dir, 'changed.zone');
      writeFileSync(file, changed);
      assert.equal(runCli(['zone', 'import', file, '--replace', '--db', db]).status, 0);
      const { value } = await pollUntil(async () => {
        const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => udpAsk(srv.port, 'www.example.com', 'A', 100 + i)));
        return rs.every((r) => (r.answers[0] as packet.StringAnswer)?.data === '192.0.2.81');
      }, 2000);
      assert.ok(value, 'every worker serves the replaced zone within 2 s');
      assert.equal(srv.stderr().match(/dns: listening/g)!.length, 2, 'two workers started');
      // Each serving process sizes its own heap (server/heap-policy.ts); a small zone gets the room.
      assert.equal(srv.stderr().match(/heap: live heap under 256 MB/g)?.length, 2, 'each worker applied the heap policy');
    } finally {
      await srv.stop();
    }
  } finally {
    dir.cleanup();
  }
});

test('with two workers, an API edit is served by every worker on the next queries', async () => {
  const dir = tmpDir();
  const db = join(dir.dir, 'db');
  try {
    assert.equal(runCli(['zone', 'import', FIXTURE, '--db', db]).status, 0);
    const token = runCli(['token', 'create', '--admin', '--db', db]).stdout.trim();
    const srv = await startServer(db, { env: { DANEPRIME_WORKERS: '2', DANEPRIME_API: '127.0.0.1:0' } });
    try {
      const { value: ready } = await pollUntil(() => (srv.stderr().match(/serving 1 zone/g) ?? []).length === 2, 5000);
      assert.ok(ready, 'both workers up');
      const api = /api: listening on (http:\/\/\S+)/.exec(srv.stderr())![1];
      const res = await fetch(`${api}/api/v1/zones/example.com/rrsets/www/A`, {
        method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ttl: 300, records: ['192.0.2.82'] }),
      });
      assert.equal(res.status, 200, await res.text());
      // Right after the API answered: fresh sockets land on both workers; none may serve the old data.
      const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => udpAsk(srv.port, 'www.example.com', 'A', 200 + i)));
      assert.deepEqual(new Set(rs.map((r) => (r.answers[0] as packet.StringAnswer).data)), new Set(['192.0.2.82']));
    } finally {
      await srv.stop();
    }
  } finally {
    dir.cleanup();
  }
});
