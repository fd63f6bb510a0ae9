// TLSA certificate association data (RFC 6698 §2.1) from a certificate, and TLSA owner names (RFC 6698 §3): shared by the API and the live checks.
import { createHash, type X509Certificate } from 'node:crypto';
import { labels, type Name } from '../../zones/model/name.js';

/** The bytes a selector picks (RFC 6698 §2.1.2): the whole certificate (0) or its SubjectPublicKeyInfo (1); undefined for others. */
export function selectedBytes(cert: X509Certificate, selector: number): Buffer | undefined {
  if (selector === 0) return cert.raw;
  if (selector === 1) {
    // Exporting the key costs more than the rest of a match: once per certificate object.
    let spki = spkiOf.get(cert);
    if (!spki) spkiOf.set(cert, (spki = cert.publicKey.export({ type: 'spki', format: 'der' })));
    return spki;
  }
  return undefined;
}

const spkiOf = new WeakMap<X509Certificate, Buffer>();

/** The matching type applied (RFC 6698 §2.1.3): exact (0), SHA-256 (1), SHA-512 (2); undefined for others. */
export function matchingDigest(bytes: Buffer, matching: number): Buffer | undefined {
  if (matching === 0) return bytes;
  if (matching === 1) return createHash('sha256').update(bytes).digest();
  if (matching === 2) return createHash('sha512').update(bytes).digest();
  return undefined;
}

/** Port, protocol and host of a TLSA owner; port undefined for a wildcard (`*._tcp.host`). */
export function parseTlsaOwner(owner: Name): { port?: number; protocol: string; host: Name } | undefined {
  const ls = labels(owner);
  if (ls.length < 2) return undefined;
  const port = /^_(0|[1-9][0-9]{0,4})$/.exec(ls[0]);
  const proto = /^_(tcp|udp|sctp)$/.exec(ls[1]);
  if ((!port && ls[0] !== '*') || !proto || (port && Number(port[1]) > 65535)) return undefined;
  const host = ls.length === 2 ? '.' : ls.slice(2).join('.') + '.';
  return { port: port ? Number(port[1]) : undefined, protocol: proto[1], host };
}
