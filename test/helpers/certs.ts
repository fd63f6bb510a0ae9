// Test helper: a throwaway CA + server certificate made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  /** PEM paths. */
  caCert: string;
  leafCert: string;
  leafKey: string;
  leafPem: string;
  caPem: string;
}

/** A P-256 CA and a leaf for `cn` (also its DNS subjectAltName) signed by it, in a fresh temporary directory. */
export function makeCerts(cn: string): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'daneprime-certs-'));
  const p = (f: string) => join(dir, f);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=daneprime test CA'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const leaf = newLeaf(dir, cn, 'leaf');
  return { dir, caCert: p('ca.pem'), leafCert: leaf.cert, leafKey: leaf.key, leafPem: readFileSync(leaf.cert, 'utf8'), caPem: readFileSync(p('ca.pem'), 'utf8') };
}

/** Another leaf (a new key) for `cn` from the CA in `dir`: `<prefix>.pem` and `<prefix>.key`. */
export function newLeaf(dir: string, cn: string, prefix: string): { cert: string; key: string } {
  const p = (f: string) => join(dir, f);
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(p(`${prefix}.ext`), `subjectAltName = DNS:${cn}\nbasicConstraints = CA:FALSE\n`);
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p(`${prefix}.key`), '-out', p(`${prefix}.csr`), '-subj', `/CN=${cn}`);
  run('x509', '-req', '-in', p(`${prefix}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${prefix}.pem`), '-days', '2', '-extfile', p(`${prefix}.ext`));
  return { cert: p(`${prefix}.pem`), key: p(`${prefix}.key`) };
}

/** SHA-256 (or -512) of a certificate's SubjectPublicKeyInfo, as `openssl x509 -pubkey | openssl pkey -pubin -outform DER | openssl dgst` computes it. */
export function opensslSpkiDigest(certPath: string, alg: 'sha256' | 'sha512' = 'sha256'): string {
  const out = execFileSync('sh', ['-c', `openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -${alg} -r`, 'sh', certPath], { encoding: 'utf8' });
  return out.split(' ')[0].trim();
}

export function opensslCertDigest(certPath: string): string {
  const out = execFileSync('sh', ['-c', `openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -r`, 'sh', certPath], { encoding: 'utf8' });
  return out.split(' ')[0].trim();
}
