// Child processes for end-to-end tests: our server (`daneprime serve`) and Knot DNS as its secondary.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../server/cli.js', import.meta.url));

/** Run the CLI to completion; throws with its stderr on failure. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`daneprime ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export interface Child { proc: ChildProcess; log: () => string; stop(): Promise<void> }

/** A spawned process whose output is kept (for failure messages), stopped by SIGTERM, then SIGKILL after 3 s. */
export function track(proc: ChildProcess): Child {
  let out = '';
  proc.stdout?.on('data', (d) => { out += d; });
  proc.stderr?.on('data', (d) => { out += d; });
  return {
    proc,
    log: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { resolve(); return; }
      const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
      proc.once('exit', () => { clearTimeout(kill); resolve(); });
      proc.kill('SIGTERM');
    }),
  };
}

/** Resolve once `check` is true, polling every 50 ms; fail after `ms`. */
export async function waitFor(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Start `daneprime serve` (with `workers` worker processes) on a free loopback port; resolves
 * with the port once every worker serves. The API is off unless env DANEPRIME_API says where.
 */
export async function startServer(db: string, env: NodeJS.ProcessEnv = {}, port0 = 0, workers = 1, args: string[] = []): Promise<Child & { port: number }> {
  const c = track(spawn(process.execPath, [CLI, 'serve', '--db', db, '--dns', `127.0.0.1:${port0}`, '--workers', String(workers), '--api', env.DANEPRIME_API ?? 'off', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let port = 0;
  await waitFor('daneprime to listen', 15_000, () => {
    if (c.proc.exitCode !== null) throw new Error(`daneprime exited: ${c.log()}`);
    const m = /dns: listening on 127\.0\.0\.1:(\d+)/.exec(c.log());
    if (m) port = Number(m[1]);
    return port > 0 && (c.log().match(/serving \d+ zone\(s\)/g) ?? []).length >= workers;
  });
  return Object.assign(c, { port });
}

/** A port that was free a moment ago (Knot needs one in its config before it starts). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `n` distinct free ports: each is held until all are found, since the kernel may hand out
 * a port just released again (two programs told the same port, one fails to bind).
 */
export async function freePorts(n: number): Promise<number[]> {
  const held = await Promise.all(Array.from({ length: n }, async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    return srv;
  }));
  const ports = held.map((srv) => (srv.address() as net.AddressInfo).port);
  await Promise.all(held.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  return ports;
}

/** Start knotd as a secondary of `example.com` pulling from our server with TSIG key `xfr`; it lets 127.0.0.1 transfer its copy. */
export async function startKnot(dir: string, opts: { port: number; primaryPort: number; secret: string; zone: string }): Promise<Child> {
  const conf = join(dir, 'knot.conf');
  // Knot does not create its database directory: without it the journal cannot store IXFR changes.
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(conf, `server:
    listen: 127.0.0.1@${opts.port}
    rundir: ${dir}
database:
    storage: ${dir}/db
key:
  - id: xfr
    algorithm: hmac-sha256
    secret: ${opts.secret}
remote:
  - id: primary
    address: 127.0.0.1@${opts.primaryPort}
    key: xfr
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    key: xfr
    action: notify
  - id: transfer_out
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: ${dir}
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
zone:
  - domain: ${opts.zone}
    master: primary
    acl: [notify_from_primary, transfer_out]
log:
  - target: stderr
    any: info
`);
  return track(spawn('knotd', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** kdig, returning stdout (kdig reports DNS errors in its output, not its exit status). */
export function kdig(args: string[]): string {
  const r = spawnSync('kdig', args, { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '') + (r.stderr ?? '');
}
