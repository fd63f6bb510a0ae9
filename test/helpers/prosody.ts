// A private Prosody for tests: its own configuration, data and certificate in a temporary directory, run as the `prosody` user (it refuses root).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import type { Child } from './procs.js';
import { waitFor, track } from './procs.js';

/** Prosody with one VirtualHost `domain`, STARTTLS on c2s and s2s with `cert`/`key`, listening on 127.0.0.1. */
export async function startProsody(dir: string, o: { domain: string; cert: string; key: string; c2s: number; s2s: number }): Promise<Child> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  // Its own copies, which the prosody user can read.
  copyFileSync(o.cert, join(dir, 'cert.pem'));
  copyFileSync(o.key, join(dir, 'key.pem'));
  const conf = join(dir, 'prosody.cfg.lua');
  writeFileSync(conf, `pidfile = "${join(dir, 'prosody.pid')}"
data_path = "${join(dir, 'data')}"
daemonize = false
log = { { levels = { min = "info" }, to = "console" } }
interfaces = { "127.0.0.1" }
c2s_ports = { ${o.c2s} }
s2s_ports = { ${o.s2s} }
c2s_direct_tls_ports = { }
s2s_direct_tls_ports = { }
http_ports = { }
https_ports = { }
modules_enabled = { "tls", "dialback", "disco", "saslauth" }
modules_disabled = { "posix" }
c2s_require_encryption = true
s2s_require_encryption = true
s2s_secure_auth = false
authentication = "internal_hashed"
VirtualHost "${o.domain}"
  ssl = { certificate = "${join(dir, 'cert.pem')}"; key = "${join(dir, 'key.pem')}"; }
`);
  // Prosody drops nothing itself: it must start as its own user, who must read all of this.
  spawnSync('chown', ['-R', 'prosody:prosody', dir]);
  spawnSync('chmod', ['o+x', join(dir, '..')]);
  const proc = spawn('setpriv', ['--reuid=prosody', '--regid=prosody', '--init-groups', 'prosody', '--config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const child = track(proc);
  await waitFor('Prosody to listen', 15_000, () => {
    if (proc.exitCode !== null) throw new Error(`prosody exited ${proc.exitCode}: ${child.log()}`);
    return new Promise<boolean>((resolve) => {
      const s = net.connect(o.c2s, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
  });
  return child;
}
