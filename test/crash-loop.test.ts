// Crash safety: rounds of (2-worker server ← concurrent API edits, nsupdate UPDATEs, AXFR/IXFR pulls, background
// signing) ended by kill -9 of the whole process group at a seeded random moment, then a restart. After each: every
// acknowledged edit is served (kdig AXFR), the serial never went backwards, ldns-verify-zone accepts the AXFR, and
// the database and its -wal/-shm files are mode 0600.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './helpers/tools.js';
import { cli, fixturePath, freePort, tmpDir } from './helpers/server.js';
import { CLI, track, waitFor, type Child } from './helpers/procs.js';
import { Rng } from './fuzz/rng.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 8);

/** Run a command to completion without blocking the event loop (the load runs while we wait). */
function run(cmd: string, args: string[], input?: string, timeoutMs = 20_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
    // The tool may exit before reading its input (a refused connection): that is its answer, not an error here.
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
  });
}

const soaSerialOf = (axfr: string): number => Number(/^example\.com\.\s+\d+\s+IN\s+SOA\s+\S+\s+\S+\s+(\d+)/m.exec(axfr)?.[1] ?? NaN);

test(`crash safety: ${ROUNDS} rounds of kill -9 during edits, UPDATEs, transfers and signing lose no acknowledged edit`, { timeout: 300_000 }, async (t) => {
  for (const tool of ['nsupdate', 'kdig', 'ldns-verify-zone']) if (!requireTool(tool, t)) return;
  const seed = process.env.CRASH_SEED !== undefined ? Number(process.env.CRASH_SEED) : Math.floor(Math.random() * 2 ** 31);
  t.diagnostic(`seed ${seed} (CRASH_SEED=${seed} repeats the kill moments)`);
  const rng = new Rng(seed);
  const { dir, cleanup } = tmpDir('daneprime-crash-');
  t.after(cleanup);
  const db = join(dir, 'x.db');
  cli(['zone', 'import', fixturePath('example.com.zone'), '--db', db]);
  // More signed zones: background signing after each start has work to be killed in the middle of.
  for (let i = 0; i < 12; i++) {
    const z = join(dir, `z${i}.zone`);
    writeFileSync(z, `$ORIGIN z${i}.test.\n$TTL 300\n@ SOA ns h 1 7200 3600 1209600 300\n@ NS ns\nns A 192.0.2.1\n${Array.from({ length: 200 }, (_, j) => `h${j} A 192.0.2.${j % 250}\nh${j} TXT "${j}"`).join('\n')}\n`);
    cli(['zone', 'import', z, '--db', db]);
  }
  const upd = cli(['tsig', 'add', 'up', '--db', db]).trim().split('\n').pop()!;
  const xfr = cli(['tsig', 'add', 'xfr', '--db', db]).trim().split('\n').pop()!;
  cli(['update-policy', 'add', 'example.com', '--key', 'up', '--db', db]);
  cli(['zone', 'secondary', 'add', 'example.com', '127.0.0.1/32', '--tsig', 'xfr', '--db', db]);
  const token = cli(['token', 'create', '--admin', '--label', 'crash', '--db', db]).trim();
  const dnsPort = await freePort(), apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;

  let server: Child | undefined;
  t.after(() => { try { process.kill(-server!.proc.pid!, 'SIGKILL'); } catch { /* gone already */ } });
  const start = async (): Promise<Child> => {
    // Its own process group, so kill -9 takes the primary and both workers at once, as a crash of the host would.
    const c = track(spawn(process.execPath, [CLI, 'serve', '--db', db, '--dns', `127.0.0.1:${dnsPort}`, '--workers', '2', '--api', `127.0.0.1:${apiPort}`, '--check-interval', 'off'],
      { env: { ...process.env, DANEPRIME_PRESIGN: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    await waitFor('daneprime to serve', 60_000, () => {
      if (c.proc.exitCode !== null) throw new Error(`daneprime exited: ${c.log()}`);
      return (c.log().match(/serving \d+ zone\(s\)/g) ?? []).length >= 2 && /api: listening/.test(c.log());
    });
    return c;
  };
  const axfr = () => run('kdig', ['@127.0.0.1', '-p', String(dnsPort), '-y', `hmac-sha256:xfr:${xfr}`, 'example.com', 'AXFR', '+nocomments', '+nostats', '+noheader'], undefined, 30_000);

  const acked: { name: string; type: string; value: string; serial?: number }[] = [];
  let maxSerial = 0;
  for (let round = 0; round < ROUNDS; round++) {
    server = await start();
    let stop = false;
    const load: Promise<void>[] = [];
    // REST edits: acknowledged by a 200 and the serial it names.
    for (let w = 0; w < 2; w++) {
      load.push((async () => {
        for (let n = 0; !stop; n++) {
          const name = `api-${round}-${w}-${n}.example.com.`, value = `"r${round} w${w} n${n}"`;
          try {
            const r = await fetch(`${api}/api/v1/zones/example.com/rrsets/${name}/TXT`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ttl: 300, records: [value] }) });
            if (r.status === 200) { const serial = (await r.json() as { serial: number }).serial; acked.push({ name, type: 'TXT', value, serial }); }
          } catch { await new Promise((r) => setTimeout(r, 20)); }
        }
      })());
    }
    // DNS UPDATE through nsupdate: acknowledged by its exit status 0 (a NOERROR reply).
    load.push((async () => {
      for (let n = 0; !stop; n++) {
        const name = `upd-${round}-${n}.example.com.`, value = `192.0.2.${n % 250}`;
        const r = await run('nsupdate', ['-y', `hmac-sha256:up:${upd}`], `server 127.0.0.1 ${dnsPort}\nzone example.com\nupdate add ${name} 300 A ${value}\nsend\n`);
        if (r.code === 0 && !/failed|timed out|refused/i.test(r.out)) acked.push({ name, type: 'A', value });
      }
    })());
    // Transfers: AXFR and IXFR pulls throughout.
    load.push((async () => {
      while (!stop) {
        const s = soaSerialOf((await axfr()).out);
        if (Number.isFinite(s)) maxSerial = Math.max(maxSerial, s);
        await run('kdig', ['@127.0.0.1', '-p', String(dnsPort), '-y', `hmac-sha256:xfr:${xfr}`, 'example.com', `IXFR=${Math.max(1, maxSerial - 3)}`, '+short'], undefined, 10_000);
      }
    })());
    await new Promise((r) => setTimeout(r, 400 + rng.int(2500)));
    process.kill(-server.proc.pid!, 'SIGKILL');
    await new Promise<void>((r) => { if (server!.proc.exitCode !== null || server!.proc.signalCode !== null) r(); else server!.proc.once('exit', () => r()); });
    stop = true;
    await Promise.all(load);
    const ackedSerial = Math.max(0, ...acked.map((a) => a.serial ?? 0));
    maxSerial = Math.max(maxSerial, ackedSerial);

    server = await start();
    // kdig prints each message's TSIG among the records: not zone data.
    const zone = { out: (await axfr()).out.split('\n').filter((l) => !/\sTSIG\s/.test(l)).join('\n') };
    const serial = soaSerialOf(zone.out);
    assert.ok(serial >= maxSerial, `round ${round}: serial ${serial} after restart, ${maxSerial} seen or acknowledged before the kill`);
    maxSerial = serial;
    for (const a of acked) {
      const line = new RegExp(`^${a.name.replace(/\./g, '\\.')}\\s+\\d+\\s+IN\\s+${a.type}\\s+${a.value.replace(/[."]/g, (c) => `\\${c}`)}$`, 'm');
      assert.match(zone.out, line, `round ${round}: acknowledged ${a.name} ${a.type} ${a.value} is served after the restart`);
    }
    const file = join(dir, `axfr-${round}.zone`);
    writeFileSync(file, zone.out);
    const v = await run('ldns-verify-zone', [file], undefined, 60_000);
    const at = Number(/line (\d+)/.exec(v.out)?.[1] ?? 0);
    assert.equal(v.code, 0, `round ${round}: ldns-verify-zone: ${v.out}${at ? `\n${zone.out.split('\n').slice(Math.max(0, at - 2), at + 1).join('\n')}` : ''}`);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) assert.equal(statSync(f).mode & 0o777, 0o600, `${f}: owner only`);
    t.diagnostic(`round ${round}: ${acked.length} acknowledged edits so far, serial ${serial}`);
    process.kill(-server.proc.pid!, 'SIGKILL');
    await new Promise<void>((r) => { if (server!.proc.exitCode !== null || server!.proc.signalCode !== null) r(); else server!.proc.once('exit', () => r()); });
  }
});
