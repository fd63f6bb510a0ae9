// pebble, a local ACME CA (Debian package), on loopback with a certificate of its own: its validation asks our DNS server.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, waitFor, type Child } from './procs.js';

export interface Pebble extends Child {
  /** The ACME directory URL. */
  directory: string;
  /** The CA certificate of pebble's HTTPS listener (for REQUESTS_CA_BUNDLE / LEGO_CA_CERTIFICATES). */
  caCert: string;
}

/** Start pebble in `dir`, resolving DNS-01 challenges through the DNS server at 127.0.0.1:`dnsPort`. */
export async function startPebble(dir: string, dnsPort: number): Promise<Pebble> {
  const cert = join(dir, 'pebble-cert.pem'), key = join(dir, 'pebble-key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const [port, mgmt] = await freePorts(2);
  const config = join(dir, 'pebble.json');
  writeFileSync(config, JSON.stringify({ pebble: {
    listenAddress: `127.0.0.1:${port}`, managementListenAddress: `127.0.0.1:${mgmt}`, certificate: cert, privateKey: key,
    httpPort: 5002, tlsPort: 5001, ocspResponderURL: '', externalAccountBindingRequired: false,
  } }));
  // No random nonce rejections or validation delays: tests want one deterministic run.
  const proc = spawn('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  await waitFor('pebble to listen', 10_000, () => {
    if (proc.exitCode !== null) throw new Error(`pebble exited: ${out}`);
    return /Listening on: 127\.0\.0\.1/.test(out);
  });
  return {
    proc, directory: `https://127.0.0.1:${port}/dir`, caCert: cert, log: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { resolve(); return; }
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}
