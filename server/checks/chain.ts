// The certificate chain a TLS server sent, and how each certificate is reported (subject, issuer, SANs, validity, hashes).
import { X509Certificate, createHash } from 'node:crypto';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import type { CertJson } from './types.js';

/**
 * The chain the server sent, leaf first.
 *
 * Node exposes the peer's chain only through getPeerCertificate(true), which follows issuer
 * links among the certificates the server sent and then appends issuers it finds in the
 * connection's own trust store: a chain read that way can hold roots the server never sent,
 * and a DANE-TA(2) record would then "match" a certificate that is not on the wire (RFC 7671
 * §5.2.2 requires the server to send it). Probes therefore connect with an empty trust store
 * (`ca: []`, see probe.ts): nothing can be appended, so every certificate here came from the
 * server. Certificates the server sent that are not on the leaf's issuer chain are not
 * visible through this API; they could not complete a DANE-TA chain anyway.
 */
export function sentChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (c && c.raw && c.raw.length && out.length < 16) {
    const fp = c.fingerprint256;
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(new X509Certificate(c.raw));
    if (c.issuerCertificate === c) break;
    c = c.issuerCertificate;
  }
  return out;
}

export const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export function spkiDer(cert: X509Certificate): Buffer {
  return cert.publicKey.export({ type: 'spki', format: 'der' });
}

/** subjectAltName DNS names and IP addresses, as `DNS:…`/`IP Address:…` strings in Node's form. */
export function subjectAltNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(/,\s*/).filter(Boolean);
}

const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');

export function certJson(cert: X509Certificate): CertJson {
  return {
    subject: oneLine(cert.subject), issuer: oneLine(cert.issuer), sans: subjectAltNames(cert),
    notBefore: new Date(cert.validFrom).toISOString(), notAfter: new Date(cert.validTo).toISOString(),
    certSha256: sha256Hex(cert.raw), spkiSha256: sha256Hex(spkiDer(cert)),
  };
}
