// The octets an RRSIG signs (RFC 4034 §3.1.8.1): RRSIG RDATA header || the RRset in canonical form.
import { isWildcard, labelCount, labels, nameToWire, readWireName, type Name } from '../zones/model/name.js';
import { CLASS_IN } from '../zones/model/types.js';

/** The RRSIG RDATA fields that precede the signature (RFC 4034 §3.1). */
export interface RrsigFields {
  typeCovered: number;
  algorithm: number;
  labels: number;
  originalTtl: number;
  /** 32-bit serial-arithmetic timestamps (RFC 4034 §3.1.5); see policy.ts. */
  expiration: number;
  inception: number;
  keyTag: number;
  signerName: Name;
}

/**
 * RRSIG "labels" for an owner (RFC 4034 §3.1.3): labels not counting the root, nor a leading
 * "*" — so a validator can tell a wildcard expansion from the answer name (RFC 4035 §5.3.2).
 */
export function rrsigLabels(owner: Name): number {
  const n = labelCount(owner);
  return isWildcard(owner) ? n - 1 : n;
}

/** RRSIG RDATA without the signature field; signer name as lowercase, uncompressed wire (§3.1.7). */
export function rrsigHeader(f: RrsigFields): Buffer {
  const signer = nameToWire(f.signerName);
  const out = Buffer.allocUnsafe(18 + signer.length);
  out.writeUInt16BE(f.typeCovered, 0);
  out[2] = f.algorithm;
  out[3] = f.labels;
  out.writeUInt32BE(f.originalTtl >>> 0, 4);
  out.writeUInt32BE(f.expiration >>> 0, 8);
  out.writeUInt32BE(f.inception >>> 0, 12);
  out.writeUInt16BE(f.keyTag, 16);
  signer.copy(out, 18);
  return out;
}

/** Inverse of rrsigHeader over a full RRSIG RDATA: the fields plus the signature octets. */
export function parseRrsig(rdata: Buffer): RrsigFields & { signature: Buffer } {
  if (rdata.length < 19) throw new RangeError('RRSIG RDATA too short');
  const { name, next } = readWireName(rdata, 18);
  return {
    typeCovered: rdata.readUInt16BE(0),
    algorithm: rdata[2],
    labels: rdata[3],
    originalTtl: rdata.readUInt32BE(4),
    expiration: rdata.readUInt32BE(8),
    inception: rdata.readUInt32BE(12),
    keyTag: rdata.readUInt16BE(16),
    signerName: name,
    signature: rdata.subarray(next),
  };
}

/**
 * Canonical RR ordering within an RRset (RFC 4034 §6.3): RDATA compared as left-justified
 * unsigned octet sequences (a shorter prefix sorts first), duplicates removed (RFC 2181 §5
 * says an RRset has none, and §6.3 says they MUST NOT be signed twice).
 * Returns a new array; the input is not reordered.
 */
export function canonicalRdataOrder(rdatas: readonly Buffer[]): Buffer[] {
  const sorted = rdatas.slice().sort(Buffer.compare);
  const out: Buffer[] = [];
  for (const r of sorted) if (out.length === 0 || !out[out.length - 1].equals(r)) out.push(r);
  return out;
}

/**
 * Signed data (RFC 4034 §3.1.8.1): header || RR(1) || RR(2) ..., each RR as
 * owner | type | class | Original TTL | RDLENGTH | RDATA. The owner is the lowercase wire name
 * (§6.2); for a wildcard RRset it is the "*.…" name as stored, which is what a validator
 * reconstructs from the labels field. RDATA must already be canonical (embedded names
 * lowercased by the caller, §6.2 item 3).
 */
export function signedData(header: Buffer, owner: Name, type: number, cls: number = CLASS_IN,
  originalTtl: number, canonicalRdatas: readonly Buffer[]): Buffer {
  const ownerWire = nameToWire(owner);
  const rrs = canonicalRdataOrder(canonicalRdatas);
  let len = header.length;
  for (const r of rrs) {
    if (r.length > 0xffff) throw new RangeError('RDATA longer than 65535 octets');
    len += ownerWire.length + 10 + r.length;
  }
  const out = Buffer.allocUnsafe(len);
  let o = header.copy(out, 0);
  for (const r of rrs) {
    o += ownerWire.copy(out, o);
    o = out.writeUInt16BE(type, o);
    o = out.writeUInt16BE(cls, o);
    o = out.writeUInt32BE(originalTtl >>> 0, o);
    o = out.writeUInt16BE(r.length, o);
    o += r.copy(out, o);
  }
  return out;
}

/**
 * The owner a validator uses for the signed data (RFC 4035 §5.3.2): when the RRSIG labels
 * field is smaller than the answer's label count, the answer came from a wildcard, and the
 * signed owner is "*." + the rightmost `rrsigLabelsField` labels. Undefined if labels is too big.
 */
export function signedOwner(answerOwner: Name, rrsigLabelsField: number): Name | undefined {
  const n = labelCount(answerOwner);
  if (rrsigLabelsField > n) return undefined;
  if (rrsigLabelsField === n) return answerOwner;
  const ls = labels(answerOwner);
  const suffix = ls.slice(ls.length - rrsigLabelsField);
  return suffix.length ? '*.' + suffix.join('.') + '.' : '*.';
}
