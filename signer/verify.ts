// Independent RRSIG verification (algorithm 13 only) for tests and self-checks; signing never calls it.
import { labelCount, type Name } from '../zones/model/name.js';
import { CLASS_IN } from '../zones/model/types.js';
import { verifyP256, ALG_ECDSAP256SHA256 } from './algorithms.js';
import { keyTag } from './dnskey.js';
import { parseRrsig, rrsigHeader, signedData, signedOwner } from './tbs.js';

/**
 * Cryptographic check of one RRSIG against one DNSKEY, following RFC 4035 §5.3.1–5.3.2:
 * type covered, algorithm and key tag must match, the DNSKEY must be a zone key with
 * protocol 3, the labels field must not exceed the owner's labels (fewer → wildcard: the
 * signed owner is rebuilt as "*.<suffix>"), and the signed data uses the RRSIG's Original TTL.
 * `ttl` is the RRset's TTL as served; it is not signed. A validator would just cap it at the
 * Original TTL (RFC 4035 §5.3.3); we reject ttl > Original TTL, deliberately stricter, because
 * our own server serving such a TTL is a bug worth failing a test over.
 * Validity times are not checked here — see policy.isServable.
 */
export function verifyRrsig(rrsigRdata: Buffer, owner: Name, type: number, ttl: number,
  rdatas: Buffer[], dnskey: Buffer): boolean {
  let sig;
  try { sig = parseRrsig(rrsigRdata); } catch { return false; }
  if (sig.typeCovered !== type || sig.algorithm !== ALG_ECDSAP256SHA256) return false;
  if (dnskey.length < 4 || dnskey[2] !== 3 || dnskey[3] !== sig.algorithm) return false;
  if ((dnskey.readUInt16BE(0) & 0x0100) === 0) return false; // Zone Key flag, RFC 4034 §2.1.1
  if (keyTag(dnskey) !== sig.keyTag) return false;
  if (ttl > sig.originalTtl || sig.labels > labelCount(owner)) return false;
  const signed = signedOwner(owner, sig.labels);
  if (signed === undefined) return false;
  const data = signedData(rrsigHeader(sig), signed, type, CLASS_IN, sig.originalTtl, rdatas);
  return verifyP256(dnskey.subarray(4), data, sig.signature);
}
