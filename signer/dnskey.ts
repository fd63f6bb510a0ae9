// DNSKEY, DS, CDS and CDNSKEY RDATA for our keys, and the RFC 4034 Appendix B key tag.
import { createHash } from 'node:crypto';
import { nameToWire, type Name } from '../zones/model/name.js';
import { ALG_ECDSAP256SHA256, P256_PUBLIC_KEY_LENGTH } from './algorithms.js';

/** DNSKEY flags (RFC 4034 §2.1.1): Zone Key (bit 7) alone for a ZSK, plus SEP (bit 15) for a KSK. */
export const DNSKEY_FLAGS_ZSK = 256;
export const DNSKEY_FLAGS_KSK = 257;
export type DnskeyFlags = typeof DNSKEY_FLAGS_ZSK | typeof DNSKEY_FLAGS_KSK;

/** DS digest types we produce (RFC 4509 SHA-256 = 2, RFC 6605 SHA-384 = 4). SHA-1 (1) is not offered. */
export type DsDigestType = 2 | 4;

/** DNSKEY RDATA (RFC 4034 §2.1): flags, protocol 3, algorithm 13, x||y public key (RFC 6605 §4). */
export function dnskeyRdata(flags: DnskeyFlags, publicKey64: Buffer): Buffer {
  if (publicKey64.length !== P256_PUBLIC_KEY_LENGTH) throw new RangeError(`P-256 public key must be 64 octets, got ${publicKey64.length}`);
  const out = Buffer.allocUnsafe(4 + P256_PUBLIC_KEY_LENGTH);
  out.writeUInt16BE(flags, 0);
  out[2] = 3; // RFC 4034 §2.1.2: protocol MUST be 3
  out[3] = ALG_ECDSAP256SHA256;
  publicKey64.copy(out, 4);
  return out;
}

/**
 * Key tag (RFC 4034 Appendix B): one's-complement-style 16-bit sum over the DNSKEY RDATA.
 * Algorithm 1 (RSA/MD5) has its own rule (B.1) — kept so foreign DNSKEYs get the right tag.
 */
export function keyTag(rdata: Buffer): number {
  if (rdata.length >= 4 && rdata[3] === 1) return rdata.readUInt16BE(rdata.length - 3); // B.1: modulus octets n-3, n-2
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i] : rdata[i] << 8;
  ac += (ac >>> 16) & 0xffff;
  return ac & 0xffff;
}

/**
 * DS RDATA (RFC 4034 §5.1): key tag, algorithm, digest type, digest over
 * owner-name wire form (canonical, lowercase) || DNSKEY RDATA (§5.1.4).
 */
export function dsRdata(owner: Name, dnskey: Buffer, digestType: DsDigestType = 2): Buffer {
  const hash = digestType === 2 ? 'sha256' : digestType === 4 ? 'sha384' : undefined;
  if (!hash) throw new RangeError(`unsupported DS digest type ${digestType as number}`);
  const digest = createHash(hash).update(nameToWire(owner)).update(dnskey).digest();
  const out = Buffer.allocUnsafe(4 + digest.length);
  out.writeUInt16BE(keyTag(dnskey), 0);
  out[2] = dnskey[3];
  out[3] = digestType;
  digest.copy(out, 4);
  return out;
}

/** CDS RDATA (RFC 7344 §3.1) has exactly the DS format; only the type number differs. */
export const cdsRdata = dsRdata;

/** CDNSKEY RDATA (RFC 7344 §3.2) has exactly the DNSKEY format. */
export const cdnskeyRdata = dnskeyRdata;

/** RFC 8078 §4 "delete DS" signals: CDS 0 0 0 00 and CDNSKEY 0 3 0 AA==. */
export const CDS_DELETE_RDATA: Buffer = Buffer.from([0, 0, 0, 0, 0]);
export const CDNSKEY_DELETE_RDATA: Buffer = Buffer.from([0, 0, 3, 0, 0]);
