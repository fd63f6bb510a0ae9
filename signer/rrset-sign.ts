// Sign one RRset with one key: build the RRSIG header, the signed data, and return the full RRSIG RDATA.
import type { Name } from '../zones/model/name.js';
import { CLASS_IN } from '../zones/model/types.js';
import { signP256, ALG_ECDSAP256SHA256 } from './algorithms.js';
import type { SigningKey } from './keystore.js';
import { rrsigHeader, rrsigLabels, signedData } from './tbs.js';

export interface RRsetToSign {
  owner: Name;
  type: number;
  /** Becomes the RRSIG Original TTL (RFC 4034 §3.1.4). */
  ttl: number;
  /** Canonical RDATA (embedded names lowercased); order and duplicates do not matter. */
  rdatas: Buffer[];
}

/** RRSIG RDATA (RFC 4034 §3.1) over `rrset`, class IN, valid from inception to expiration. */
export function signRRset(rrset: RRsetToSign, key: SigningKey,
  validity: { inception: number; expiration: number }, signer: Name): Buffer {
  if (key.algorithm !== ALG_ECDSAP256SHA256) throw new RangeError(`unsupported signing algorithm ${key.algorithm as number}`);
  if (rrset.rdatas.length === 0) throw new RangeError('cannot sign an empty RRset');
  const header = rrsigHeader({
    typeCovered: rrset.type,
    algorithm: key.algorithm,
    labels: rrsigLabels(rrset.owner),
    originalTtl: rrset.ttl,
    expiration: validity.expiration,
    inception: validity.inception,
    keyTag: key.keyTag,
    signerName: signer,
  });
  const data = signedData(header, rrset.owner, rrset.type, CLASS_IN, rrset.ttl, rrset.rdatas);
  return Buffer.concat([header, signP256(key.privateKey, data)]);
}
