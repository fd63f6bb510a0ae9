// Test helper for the DNSSEC interop tests: run the real CLI (`zone …`, `serve`) in a temp dir,
// start the server on port 0 and learn the port from its log line, stop it with SIGTERM, and
// send plain UDP queries (dns-packet) for setup and polling without depending on external tools.
// (Named dnssec-server.ts so it does not clash with the general test/helpers/server.ts.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';

/** dist/server/cli.js, seen from dist/test/helpers/. */
export const CLI = fileURLToPath(new URL('../../server/cli.js', import.meta.url));
/** The repository's test/fixtures directory (fixtures are not copied to dist). */
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

export function makeTmpDir(prefix = 'daneprime-dnssec-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run `daneprime ARGS…` synchronously; throws with stderr when it exits non-zero. Returns stdout. */
export function cli(args: string[], opts: { timeoutMs?: number } = {}): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: opts.timeoutMs ?? 20_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`daneprime ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export interface DnssecServer {
  port: number;
  proc: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Start `daneprime serve --db DB --dns 127.0.0.1:0`; resolves once "dns: listening on …" is logged. */
export async function startServer(db: string, timeoutMs = 10_000): Promise<DnssecServer> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--db', db, '--dns', '127.0.0.1:0', '--workers', '1', '--api', 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  const exitP = new Promise<void>((resolve) => proc.once('exit', () => { exited = true; resolve(); }));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start within ${timeoutMs} ms:\n${stderr}`)); }, timeoutMs);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      const m = /dns: listening on 127\.0\.0\.1:(\d+) \(udp, tcp\)/.exec(stderr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.once('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`server exited (${code ?? sig}) before listening:\n${stderr}`)); });
  });
  return {
    port, proc,
    log: () => stderr,
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => { if (!exited) proc.kill('SIGKILL'); }, 3000);
      await exitP;
      clearTimeout(t);
    },
  };
}

export type DecodedReply = packet.Packet & { rcode: string; answers?: packet.Answer[]; authorities?: packet.Answer[] };

/** One UDP query with DO=1 (EDNS 1232) to 127.0.0.1:port; rejects after timeoutMs. */
export function udpQuery(port: number, name: string, type: string, timeoutMs = 1000): Promise<DecodedReply> {
  const id = Math.floor(Math.random() * 65536);
  const msg = packet.encode({
    type: 'query', id, flags: 0,
    questions: [{ name, type: type as packet.RecordType, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: packet.DNSSEC_OK, options: [] } as unknown as packet.Answer],
  });
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => { sock.close(); reject(new Error(`no reply to ${name} ${type} within ${timeoutMs} ms`)); }, timeoutMs);
    sock.on('message', (buf) => {
      const p = packet.decode(buf) as unknown as DecodedReply;
      if (p.id !== id) return;
      clearTimeout(timer);
      sock.close();
      resolve(p);
    });
    sock.on('error', (e) => { clearTimeout(timer); sock.close(); reject(e); });
    sock.send(msg, port, '127.0.0.1');
  });
}

/** Presentation form of the zone's KSK(s) ("257 3 13 <base64>"), fetched from the running server. */
export async function fetchKsks(port: number, zone: string): Promise<string[]> {
  const r = await udpQuery(port, zone, 'DNSKEY');
  const out: string[] = [];
  for (const a of r.answers ?? []) {
    if (a.type !== 'DNSKEY') continue;
    const d = a.data as { flags: number; algorithm: number; key: Buffer };
    if (d.flags === 257) out.push(`257 3 ${d.algorithm} ${d.key.toString('base64')}`);
  }
  if (!out.length) throw new Error(`no KSK in ${zone} DNSKEY reply`);
  return out;
}

/** BIND trust-anchors clause (delv -a) for the given KSKs. */
export function delvTrustAnchors(zone: string, ksks: string[]): string {
  const z = zone.endsWith('.') ? zone : zone + '.';
  const lines = ksks.map((k) => {
    const [flags, proto, alg, key] = k.split(' ');
    return `  ${z} static-key ${flags} ${proto} ${alg} "${key}";`;
  });
  return `trust-anchors {\n${lines.join('\n')}\n};\n`;
}

/** Poll `check` every intervalMs until it returns true or timeoutMs passes; returns whether it succeeded. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { if (await check()) return true; } catch { /* keep polling */ }
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A free TCP+UDP port on 127.0.0.1 (best effort: bind TCP on 0, release it). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}
