// E2E helpers: run the built CLI (dist/server/cli.js) as a child process, start/stop `serve`, tmp dirs, free ports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

/** Repository root (this file runs from dist/test/helpers/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist/server/cli.js');
export const fixturePath = (f: string): string => join(ROOT, 'test/fixtures', f);

/** A fresh tmp dir; removed by the returned cleanup (register it with t.after). */
export function tmpDir(prefix = 'daneprime-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult { status: number | null; stdout: string; stderr: string; signal: NodeJS.Signals | null }

/** The environment for a CLI child: ours without DANEPRIME_* (so the test runner's settings never leak in), then `set`. */
export function cliEnv(set: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DANEPRIME_')) env[k] = v;
  return Object.assign(env, set);
}

/** Run `node dist/server/cli.js ...args` to completion (bounded by timeoutMs). DANEPRIME_* env is cleared unless given. */
export function runCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', env: cliEnv(opts.env), cwd: opts.cwd ?? ROOT, timeout: opts.timeoutMs ?? 10_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** runCli that must succeed; returns stdout. */
export function cli(args: string[], opts: Parameters<typeof runCli>[1] = {}): string {
  const r = runCli(args, opts);
  if (r.status !== 0) throw new Error(`daneprime ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export interface Listener { host: string; port: number }

export interface RunningServer {
  proc: ChildProcess;
  /** One entry per `dns: listening on` line, in order. */
  listeners: Listener[];
  /** The first listener's port (UDP and TCP share it). */
  port: number;
  host: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then wait for exit (SIGKILL after timeoutMs). Resolves with exit code/signal and elapsed ms. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

const LISTEN_RE = /dns: listening on (?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+) \(udp, tcp\)/g;

/**
 * Spawn `daneprime serve --db DB --dns ADDR...` and wait until it logged one listening line per address
 * and its "serving N zone(s)" line. Rejects (after killing the child) on early exit or timeout.
 */
export async function startServer(db: string, opts: { dns?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunningServer> {
  const dns = opts.dns ?? ['127.0.0.1:0'];
  // One process unless a test asks for workers: per-process limits (TCP caps) stay exact.
  const env = cliEnv({ DANEPRIME_WORKERS: '1', DANEPRIME_API: 'off', ...opts.env });
  const proc = spawn(process.execPath, [CLI, 'serve', '--db', db, ...dns.flatMap((d) => ['--dns', d])], {
    env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  exited.then(() => { done = true; });

  const stop = async (timeoutMs = 5000) => {
    const t0 = Date.now();
    if (!done) proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const res = await Promise.race([exited, new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); })]);
    clearTimeout(timer);
    if (res === 'timeout') {
      proc.kill('SIGKILL');
      const r = await exited;
      return { ...r, ms: Date.now() - t0, code: r.code ?? -1 };
    }
    return { ...res, ms: Date.now() - t0 };
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (true) {
    const listeners = [...err.matchAll(LISTEN_RE)].map((m) => ({ host: m[1] ?? m[2], port: Number(m[3]) }));
    if (listeners.length >= dns.length && /serving \d+ zone\(s\)/.test(err)) {
      return { proc, listeners, port: listeners[0].port, host: listeners[0].host, stderr: () => err, stop };
    }
    if (done || Date.now() > deadline) {
      await stop(1000);
      throw new Error(`daneprime serve did not start (${done ? 'exited' : 'timeout'}); stderr:\n${err}`);
    }
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a truthy value or the deadline passes; returns the last value. */
export async function pollUntil<T>(fn: () => Promise<T> | T, timeoutMs: number, everyMs = 25): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  while (true) {
    const value = await fn();
    if (value || Date.now() - t0 >= timeoutMs) return { value, ms: Date.now() - t0 };
    await sleep(everyMs);
  }
}

/** A port that was free a moment ago on `host` (TCP and UDP are probed). For servers that cannot take port 0. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const dgram = await import('node:dgram');
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, host, () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      u.once('error', () => resolve(false));
      u.bind(port, host, () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port found');
}

/**
 * The common e2e setup: a tmp dir, `zones` (fixture names) imported into a fresh db, the server
 * started on it; everything is stopped and removed when the test `t` ends.
 */
export async function startFixtureServer(t: { after(fn: () => unknown): void }, opts: Parameters<typeof startServer>[1] & { zones?: string[] } = {}):
  Promise<{ srv: RunningServer; dir: string; db: string }> {
  const { dir, cleanup } = tmpDir();
  t.after(cleanup);
  const db = join(dir, 'x.db');
  for (const z of opts.zones ?? ['example.com']) cli(['zone', 'import', fixturePath(`${z}.zone`), '--db', db]);
  const srv = await startServer(db, opts);
  t.after(async () => { await srv.stop(); });
  return { srv, dir, db };
}
