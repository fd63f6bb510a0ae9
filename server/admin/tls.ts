// TLS for the admin API: the certificate and key files checked and loaded, the protocol and cipher policy, reloading on SIGHUP or a change to the files.
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import type tls from 'node:tls';
import type { Logger } from '../log.js';

/** The files given by --api-tls-cert (the certificate, then any intermediates, PEM) and --api-tls-key (PEM). */
export interface TlsFiles {
  cert: string;
  key: string;
}

/**
 * The policy of the XMPP TLS profile (draft-saintandre-xmpp-tls: no SSL, TLS 1.2 preferred,
 * authenticated encryption, forward secrecy, 256-bit algorithms preferred) applied to our own
 * service, and tightened: TLS 1.0 and 1.1 are refused outright, and for TLS 1.2 only ECDHE key
 * exchange with an AEAD cipher is offered, so no CBC suite and no RSA key exchange. TLS 1.3's
 * suites are all AEAD with (EC)DHE; they are named so the list says the whole policy.
 */
export const API_TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

/** A certificate or key file that cannot serve: named, with the reason, for one line at start-up or in the reload log. */
export class TlsFileError extends Error {}

/** What a loaded pair is, for the log: whom it names, until when, and its fingerprint (what `openssl x509 -fingerprint -sha256` prints). */
export interface LoadedTls {
  options: SecureContextOptions;
  subject: string;
  validTo: string;
  fingerprint256: string;
}

/**
 * Read and check the pair: the certificate parses, the key parses, and the key is the
 * certificate's. Throws TlsFileError naming the flag and the file; a server must not start
 * (or switch to) a pair that no client could complete a handshake with.
 */
export function loadTls(files: TlsFiles): LoadedTls {
  const read = (flag: string, file: string): Buffer => {
    try { return readFileSync(file); } catch (err) {
      throw new TlsFileError(`${flag} ${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const cert = read('--api-tls-cert', files.cert);
  const key = read('--api-tls-key', files.key);
  let x509: X509Certificate;
  try { x509 = new X509Certificate(cert); } catch {
    throw new TlsFileError(`--api-tls-cert ${files.cert}: not a PEM certificate`);
  }
  let privateKey;
  try { privateKey = createPrivateKey(key); } catch {
    throw new TlsFileError(`--api-tls-key ${files.key}: not a PEM private key (an encrypted key is not supported)`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsFileError(`--api-tls-key ${files.key} is not the key of the certificate in ${files.cert}`);
  }
  return {
    options: {
      cert, key,
      minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3',
      ciphers: API_TLS_CIPHERS,
      // The server's order wins: the strongest suite both sides have, not the client's first.
      honorCipherOrder: true,
    },
    subject: x509.subject.replace(/\n/g, ', '),
    validTo: x509.validTo,
    fingerprint256: x509.fingerprint256,
  };
}

/** The log line for a pair now served. */
export const tlsDescription = (t: LoadedTls): string =>
  `certificate ${t.subject}, valid until ${t.validTo}, SHA-256 ${t.fingerprint256}`;

/** A key file others may read is a secret on display: said at every load, not refused (the operator may mean it). */
export function keyReadableWarning(file: string): string | undefined {
  try {
    return (statSync(file).mode & 0o004) !== 0 ? `api: TLS key ${file} is readable by every user; chmod o-r it` : undefined;
  } catch { return undefined; }
}

/**
 * Keep `server` serving the pair in `files`: reloaded on `reload()` (the SIGHUP handler) and
 * when either file, or the directory entry naming it, changes (certbot and the like replace
 * the file or re-point a symlink, so the directories are watched, not the files' inodes).
 * Changes are taken after a quiet 500 ms, so a cert written before its key is read once both
 * are there. A pair that fails the checks is logged and the one served stays.
 */
export function keepTlsFresh(server: tls.Server, files: TlsFiles, log: Logger): { reload(why: string): void; close(): void } {
  let timer: NodeJS.Timeout | undefined;
  const reload = (why: string) => {
    try {
      const loaded = loadTls(files);
      server.setSecureContext(loaded.options);
      log(`api: TLS reloaded (${why}): ${tlsDescription(loaded)}`);
      const warning = keyReadableWarning(files.key);
      if (warning) log(warning);
    } catch (err) {
      log(`api: TLS reload (${why}) failed, still serving the previous certificate: ${(err as Error).message}`);
    }
  };
  const names = new Set([basename(files.cert), basename(files.key)]);
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(resolve(files.cert)), dirname(resolve(files.key))])) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name !== null && !names.has(name.toString())) return;
        clearTimeout(timer);
        timer = setTimeout(() => reload('files changed'), 500);
        timer.unref();
      });
      w.on('error', (err) => log(`api: watching ${dir} for TLS file changes stopped: ${err.message}; SIGHUP still reloads`));
      watchers.push(w);
    } catch (err) {
      log(`api: cannot watch ${dir} for TLS file changes (${(err as Error).message}); SIGHUP reloads`);
    }
  }
  return {
    reload,
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
