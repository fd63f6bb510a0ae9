// A private Postfix instance for tests: `master` in the foreground with its own configuration and queue in a temporary directory, smtpd on loopback ports.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import type { Child } from './procs.js';
import { waitFor } from './procs.js';

/** Where Debian installs Postfix's daemons. */
export const POSTFIX_DAEMONS = '/usr/lib/postfix/sbin';

/** The configuration directory of the instance in `dir` (MAIL_CONFIG for posttls-finger too: the machine may have none). */
export const postfixConfig = (dir: string): string => join(dir, 'etc');

export interface PostfixService { port: number; starttls: boolean }

/**
 * Start `master` (in the foreground, its own process group, log on stdout) with a configuration in `dir`: one smtpd per service on 127.0.0.1, with
 * STARTTLS (the given key and certificate) or without it. The machine's own Postfix
 * configuration is never read or changed (MAIL_CONFIG points at ours).
 */
export async function startPostfix(dir: string, o: { cert: string; key: string; services: PostfixService[]; hostname: string }): Promise<Child> {
  const etc = join(dir, 'etc');
  const queue = join(dir, 'queue');
  for (const d of [etc, queue, join(queue, 'pid'), join(queue, 'private'), join(queue, 'public'), join(dir, 'data')]) mkdirSync(d, { recursive: true });
  spawnSync('chown', ['postfix', join(queue, 'private'), join(queue, 'public'), join(dir, 'data')]);
  // The daemons that run as \`postfix\` must reach their directories through the test's own.
  chmodSync(join(dir, '..'), 0o711);
  chmodSync(dir, 0o711);
  chmodSync(o.key, 0o600);
  writeFileSync(join(etc, 'main.cf'), `compatibility_level = 3.6
queue_directory = ${queue}
data_directory = ${join(dir, 'data')}
daemon_directory = ${POSTFIX_DAEMONS}
mail_owner = postfix
setgid_group = postdrop
myhostname = ${o.hostname}
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_client_connection_count_limit = 0
smtpd_peername_lookup = no
local_recipient_maps =
relay_recipient_maps =
smtpd_client_connection_rate_limit = 0
smtpd_tls_cert_file = ${o.cert}
smtpd_tls_key_file = ${o.key}
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
maillog_file = ${join(dir, 'maillog')}
maillog_file_prefixes = ${dir}
`);
  writeFileSync(join(etc, 'master.cf'), [
    ...o.services.map((s) => `127.0.0.1:${s.port} inet n - n - - smtpd${s.starttls ? '' : ' -o smtpd_tls_security_level=none'}`),
    'tlsmgr unix - - n 1000? 1 tlsmgr',
    'proxymap unix - - n - - proxymap',
    'anvil unix - - n - 1 anvil',
    'postlog unix-dgram n - n - 1 postlogd',
    '',
  ].join('\n'));
  const proc = spawn(join(POSTFIX_DAEMONS, 'master'), ['-s', '-c', etc], { env: { ...process.env, MAIL_CONFIG: etc }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const child: Child = {
    proc, log: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { resolve(); return; }
      // master stops its children on SIGTERM; give it a moment, then make sure.
      const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
      proc.once('exit', () => {
        clearTimeout(kill);
        // A lock left by a killed master would stop the next one.
        waitFor('smtpd processes to go', 3000, () => o.services.every((s) => !listening(s.port))).then(() => resolve(), () => resolve());
      });
      proc.kill('SIGTERM');
    }),
  };
  await waitFor('Postfix to greet', 10_000, async () => {
    if (proc.exitCode !== null) throw new Error(`postfix master exited ${proc.exitCode}: ${out}`);
    return greets(o.services[0].port);
  });
  return child;
}

const listening = (port: number) => spawnSync('sh', ['-c', `ss -ltn 'sport = :${port}' | grep -q LISTEN`]).status === 0;

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(2000, () => done(false));
    s.once('data', (d) => done(d.toString().startsWith('220')));
    s.once('error', () => done(false));
  });
}
