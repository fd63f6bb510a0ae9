// Scale, served: `daneprime serve` on a zone of N generated names under a sustained random-label flood, then full signed AXFRs.
// Prints q/s and resident memory per flood window (does memory stay bounded? does speed recover once
// the NSEC3 chain is signed?) and the time and memory of two AXFRs (the first signs, the second should not).
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { generatedZone, writeZone } from './lib/zones.js';
import { tmpDir, startDaemon, waitReady, run } from './lib/procs.js';
import { answersSigned } from './lib/probe.js';
import { dnsperf } from './lib/dnsperf.js';
import { writeDatafile, MIXES } from './lib/mixes.js';
import { SERVER_CPU } from './lib/servers.js';

const N = Number(process.env.BENCH_NAMES ?? 1_000_000);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 6);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 10);
const PORT = 15353;
const cli = join(import.meta.dirname, '..', 'server', 'cli.js');

/** Resident memory of a process, from /proc (MB). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** A full AXFR through kdig: wall time and the record count kdig reports. */
function axfr(): Promise<{ seconds: number; records: string }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const k = spawn('taskset', ['-c', '1', 'kdig', '@127.0.0.1', '-p', String(PORT), 'AXFR', 'example.com.', '+noall', '+stats'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    k.stdout.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-4000); });
    k.stderr.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-4000); });
    k.on('close', (code) => {
      if (code !== 0) return reject(new Error(`kdig AXFR exited ${code}: ${out.slice(-500)}`));
      const m = /Received \d+ B \((\d+) messages, (\d+) records\)/.exec(out);
      resolve({ seconds: (performance.now() - t) / 1000, records: m ? `${Number(m[2]).toLocaleString('en-US')} records in ${m[1]} messages` : out.trim().slice(-200) });
    });
  });
}

async function main(): Promise<void> {
  const dir = tmpDir('daneprime-scale-serve-');
  // BENCH_DB reuses an imported database (import takes ~20 s for 1 M names and is measured by scale.js).
  let db = process.env.BENCH_DB ?? '';
  if (!db || !existsSync(db)) {
    db = join(dir, 'zone.db');
    const zoneFile = join(dir, 'zone.txt');
    writeZone(zoneFile, generatedZone(N));
    run('node', [cli, 'zone', 'import', zoneFile, '--origin', 'example.com.', '--db', db]);
    run('node', [cli, 'zone', 'secondary', 'add', 'example.com.', '127.0.0.1', '--db', db]);
  }
  const t0 = performance.now();
  const d = startDaemon('taskset', ['-c', SERVER_CPU, 'node', ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    cli, 'serve', '--db', db, '--dns', `127.0.0.1:${PORT}`, '--api', 'off', '--workers', '1']);
  await waitReady(d, 'daneprime', () => answersSigned(PORT, 'www.example.com.', 'A'), 300_000);
  const pid = d.proc.pid!;
  console.log(`names ${N.toLocaleString('en-US')}: first signed answer ${((performance.now() - t0) / 1000).toFixed(1)} s after start, RSS ${rssMb(pid)} MB`);

  // BENCH_PRESIGN_WAIT=1: let background signing finish first (so the flood and AXFRs meet a fully signed zone).
  if (process.env.BENCH_PRESIGN_WAIT === '1') {
    const t1 = performance.now();
    while (!/background signing done/.test(d.output())) await new Promise((r) => setTimeout(r, 500));
    console.log(`background signing finished ${((performance.now() - t1) / 1000).toFixed(0)} s after the first answer (${/background signing done: .*/.exec(d.output())![0]}), RSS ${rssMb(pid)} MB`);
  }
  // Half NXDOMAIN, half wildcard, every label new: every query needs an NSEC3 proof of its own.
  const [nx, wild] = ['b', 'c'].map((k) => MIXES.find((m) => m.key === k)!);
  const flood = { ...nx, key: 'flood', lines: (c: number) => {
    const w = wild.lines(c >> 1, N);
    return nx.lines(c >> 1, N).flatMap((l, i) => [l, w[i]]);
  } };
  for (let w = 0; w < WINDOWS; w++) {
    const file = writeDatafile(dir, flood, 120_000 * WINDOW_S, N, w);
    const r = await dnsperf({ port: PORT, datafile: file, seconds: WINDOW_S, once: true });
    const presigned = /background signing done: .*/.exec(d.output());
    console.log(`flood window ${w + 1} (${WINDOW_S} s, unique NXDOMAIN + wildcard labels): ${(r.qps / 1000).toFixed(1)} k q/s, lost ${r.lost}, SERVFAIL ${r.servfail}, RSS ${rssMb(pid)} MB${presigned ? `; server: ${presigned[0]}` : ''}`);
  }
  for (const pass of [1, 2]) {
    const a = await axfr();
    console.log(`signed AXFR ${pass}: ${a.seconds.toFixed(1)} s, ${a.records}, RSS ${rssMb(pid)} MB`);
  }
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  console.log(`peak RSS of the server (VmHWM): ${Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024)} MB`);
  await d.stop();
}

main().catch((err) => { console.error(err); process.exit(1); });
