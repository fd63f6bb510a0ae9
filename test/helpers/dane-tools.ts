// Independent DANE checkers for the live-check tests: unbound validating our signed zone on a loopback address at port 53, and tools run with a private /etc/resolv.conf in a mount namespace.
import { writeUnboundConf } from './unbound-conf.js';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Child } from './procs.js';
import { waitFor, track } from './procs.js';

export interface Unbound extends Child { address: string; resolvConf: string }

/**
 * unbound on `address`:53 (ldns-dane and posttls-finger take no resolver port), resolving
 * `zone` from our server at 127.0.0.1:`authPort` and validating it with the DS given as trust
 * anchor. The resolv.conf written next to it (with `options trust-ad`, so glibc keeps the AD
 * bit) is for a mount namespace, never the machine's own. Answers are not cached unless `cache`
 * (then they are kept for their TTLs, as a resolver in the field keeps them).
 */
export async function startUnbound53(dir: string, o: { address: string; authPort: number; zone: string; ds: string[]; cache?: boolean }): Promise<Unbound> {
  const logFile = join(dir, 'unbound.log');
  const conf = writeUnboundConf({ dir, address: o.address, port: 53, logFile, anchors: o.ds, stubs: [{ zone: o.zone, port: o.authPort }], cache: o.cache ?? false });
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(resolvConf, `nameserver ${o.address}\noptions trust-ad\n`);
  const proc = spawn('unbound', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const tracked = track(proc);
  const child: Unbound = {
    ...tracked, address: o.address, resolvConf,
    log: () => tracked.log() + (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
  await waitFor('unbound to answer with AD', 10_000, () => {
    if (proc.exitCode !== null) throw new Error(`unbound exited: ${child.log()}`);
    const r = spawnSync('kdig', [`@${o.address}`, '+time=1', '+retry=0', o.zone, 'SOA'], { encoding: 'utf8', timeout: 3000 });
    return /status: NOERROR/.test(r.stdout ?? '') && /Flags:[^;]* ad;/i.test(r.stdout ?? '');
  });
  return child;
}

/** The unshare(1) arguments that run `cmd` where /etc/resolv.conf is `resolvConf` (a bind mount only that new mount namespace sees). */
function inNamespace(resolvConf: string, cmd: string, args: string[]): string[] {
  return ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolvConf, cmd, ...args];
}

/** Run a tool in a new mount namespace where /etc/resolv.conf is `resolvConf`. */
export function withResolvConf(resolvConf: string, cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync('unshare', inNamespace(resolvConf, cmd, args), {
    encoding: 'utf8', timeout: o.timeoutMs ?? 30_000, env: { ...process.env, ...o.env }, input: o.input,
  });
}

/** The same without blocking the event loop (for checks that run beside other work). */
export function withResolvConfAsync(resolvConf: string, cmd: string, args: string[], o: { timeoutMs?: number } = {}): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn('unshare', inNamespace(resolvConf, cmd, args), { stdio: ['ignore', 'pipe', 'pipe'], timeout: o.timeoutMs ?? 30_000 });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    proc.on('error', (err) => resolve({ status: null, out: out + err.message }));
    proc.on('close', (status) => resolve({ status, out }));
  });
}

/** An OpenSSL configuration for clients that must still speak TLS 1.0/1.1 (OpenSSL 3 allows them only at security level 0). */
export function legacyOpensslConf(dir: string): string {
  const file = join(dir, 'openssl-legacy.cnf');
  writeFileSync(file, `openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = ALL:@SECLEVEL=0
`);
  return file;
}

/** `openssl s_server` on 127.0.0.1:`port` with `cert`/`key` (and `chain`, sent after the leaf); resolves once it accepts. */
export async function startSServer(o: { port: number; cert: string; key: string; chain?: string; args?: string[] }): Promise<Child> {
  const args = ['s_server', '-accept', `127.0.0.1:${o.port}`, '-cert', o.cert, '-key', o.key, '-quiet', '-naccept', '1000', ...(o.chain ? ['-cert_chain', o.chain] : []), ...(o.args ?? [])];
  const proc = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const child = track(proc);
  const net = await import('node:net');
  await waitFor('openssl s_server to accept', 5000, () => new Promise<boolean>((resolve) => {
    if (proc.exitCode !== null) { resolve(false); return; }
    const s = net.connect(o.port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  }));
  if (proc.exitCode !== null) throw new Error(`openssl s_server exited: ${child.log()}`);
  return child;
}
