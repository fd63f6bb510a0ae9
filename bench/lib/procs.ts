// Child processes and tmp dirs of one bench run: start, wait until ready, and always clean up (exit, SIGINT, SIGTERM).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => { process.stderr.write(`\nbench: ${sig}, cleaning up\n`); cleanup(); process.exit(130); });
}

export function tmpDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

/** A command line as it would be typed, for the RESULTS "exact command lines" section. */
export const shellLine = (cmd: string, args: string[]): string =>
  [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

/** Runs a setup command to completion; throws with its output when it fails. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, env: opts.env, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${shellLine(cmd, args)}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${shellLine(cmd, args)} exited ${r.status}:\n${(r.stderr + r.stdout).trim().slice(-2000)}`);
  return r.stdout + r.stderr;
}

export interface Daemon {
  proc: ChildProcess;
  /** Everything it printed so far (stdout and stderr), for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a long-running child whose output is kept (bounded) and that is killed on bench exit. */
export function startDaemon(cmd: string, args: string[]): Daemon {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  const keep = (d: Buffer) => { out = (out + d.toString('utf8')).slice(-20_000); };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.on('error', (e) => { out += `\nspawn error: ${e.message}`; });
  const exited = new Promise<void>((r) => proc.once('close', () => { children.delete(proc); r(); }));
  return {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `ready` until true; throws (with the daemon's output) on timeout or early exit. */
export async function waitReady(d: Daemon, what: string, ready: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error(`${what} exited (${d.proc.exitCode ?? d.proc.signalCode}):\n${d.output().slice(-2000)}`);
    if (await ready()) return;
    await sleep(100);
  }
  await d.stop();
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${d.output().slice(-2000)}`);
}

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds (user + system) used so far by `pid` and every process below it (the workers
 * of `serve --workers N`). Read around a dnsperf run, it gives the server's CPU per answered
 * query: a figure that holds when the load generator, not the server, sets the rate.
 */
export function cpuSeconds(pid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let text: string;
    try { text = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; } // gone meanwhile
    // Fields after the command name (which may hold spaces): state ppid ... utime(12th) stime(13th).
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
  }
  const inTree = (p: number): boolean => {
    for (let q = p, hops = 0; q > 1 && hops < 64; q = stats.get(q)?.ppid ?? 0, hops++) if (q === pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [p, s] of stats) if (inTree(p)) ticks += s.ticks;
  return ticks / TICKS;
}
