// TLSA association data from certificates/keys (RFC 6698 §2.1), TLSA owner names, and RFC 7218 mnemonics.
import { X509Certificate, createPublicKey } from 'node:crypto';
import { parseName, type Name } from '../../zones/model/name.js';
import { matchingDigest, parseTlsaOwner, selectedBytes } from '../dane/association.js';
import { ApiError, E } from './errors.js';

export { parseTlsaOwner };

export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

// RFC 7218 §2.1-2.3 acronyms.
export const USAGE_NAMES: Record<number, string> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE', 255: 'PrivCert' };
export const SELECTOR_NAMES: Record<number, string> = { 0: 'Cert', 1: 'SPKI', 255: 'PrivSel' };
export const MATCHING_NAMES: Record<number, string> = { 0: 'Full', 1: 'SHA2-256', 2: 'SHA2-512', 255: 'PrivMatch' };

export interface TlsaSource {
  certificate?: string;
  spki?: string;
  data?: string;
}

/** Every certificate in a PEM bundle, in order (leaf first, as servers send chains). */
export function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new ApiError(400, E.INVALID, 'no PEM CERTIFICATE block found', 'certificate');
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new ApiError(400, E.INVALID, `certificate ${i} does not parse: ${(err as Error).message}`, 'certificate');
    }
  });
}

/**
 * The bytes the record's selector picks (RFC 6698 §2.1.2), before the matching type.
 * Usages 1/3 (PKIX-EE, DANE-EE) name the server's own certificate: the first in the chain;
 * usages 0/2 (PKIX-TA, DANE-TA) name a trust anchor: the last certificate given.
 */
function selected(usage: number, selector: number, src: TlsaSource): Buffer {
  if (src.certificate !== undefined) {
    const chain = pemCertificates(src.certificate);
    const cert = usage === 0 || usage === 2 ? chain[chain.length - 1] : chain[0];
    return selectedBytes(cert, selector === 0 ? 0 : 1)!;
  }
  if (selector !== 1) throw new ApiError(400, E.INVALID, 'an spki key can only make selector 1 (SubjectPublicKeyInfo) records', 'spki');
  try {
    return createPublicKey(src.spki!).export({ type: 'spki', format: 'der' });
  } catch (err) {
    throw new ApiError(400, E.INVALID, `spki is not a PEM public key: ${(err as Error).message}`, 'spki');
  }
}

/** Certificate association data (RFC 6698 §2.1.3): the selected bytes, exact (0), SHA-256 (1) or SHA-512 (2). */
export function associationData(usage: number, selector: number, matching: number, src: TlsaSource): Buffer {
  const given = [src.certificate, src.spki, src.data].filter((v) => v !== undefined).length;
  if (given !== 1) throw new ApiError(400, E.INVALID, 'give exactly one of certificate, spki or data', 'certificate');
  if (src.data !== undefined) {
    if (!/^([0-9a-fA-F]{2})+$/.test(src.data)) throw new ApiError(400, E.INVALID, 'data must be an even number of hex digits', 'data');
    return Buffer.from(src.data, 'hex');
  }
  const digest = matchingDigest(selected(usage, selector, src), matching);
  if (digest) return digest;
  throw new ApiError(400, E.INVALID, `matching type ${matching} is not one we can compute (0, 1 or 2); give data instead`, 'matching');
}

/** `_port._proto.host` (RFC 6698 §3). */
export function tlsaOwner(port: number, protocol: Protocol, host: Name): Name {
  return parseName(`_${port}._${protocol}`, host);
}

/** Why a TLSA owner is malformed, or undefined (RFC 6698 §3: `_port._proto.host`, decimal port without leading zeros). */
export function tlsaOwnerProblem(owner: Name): string | undefined {
  if (parseTlsaOwner(owner)) return undefined;
  return `TLSA owner ${owner} must be _PORT._PROTO.HOST (RFC 6698 §3): PORT decimal 0-65535 without leading zeros (or *), PROTO tcp, udp or sctp`;
}
