// Test helper: check every RRset of a DNS reply against the zone's DNSKEYs with the independent verifier, and read its NSEC3s.
import assert from 'node:assert/strict';
import { rawRRs, type RawRR } from './wire.js';
import { RRType } from '../../zones/model/types.js';
import { parseName } from '../../zones/model/name.js';
import { verifyRrsig } from '../../signer/verify.js';
import { nsec3Hash, base32hexDecode } from '../../signer/nsec3.js';
import type { TestServer } from './dns.js';

/** Every RRset in the reply has an RRSIG that verifies with one of the zone's DNSKEYs. Returns the RRs. */
export function verifySigned(s: Pick<TestServer, 'zones'>, apex: string, raw: Buffer): RawRR[] {
  const keys = [...s.zones.get(apex)!.rrset(apex, RRType.DNSKEY)!.rdatas];
  const rrs = rawRRs(raw).filter((r) => r.type !== RRType.OPT);
  const sets = new Map<string, RawRR[]>();
  for (const r of rrs) if (r.type !== RRType.RRSIG) sets.set(`${r.section} ${r.name} ${r.type}`, [...(sets.get(`${r.section} ${r.name} ${r.type}`) ?? []), r]);
  for (const [k, set] of sets) {
    const sigs = rrs.filter((r) => r.type === RRType.RRSIG && r.section === set[0].section && r.name === set[0].name && r.rdata.readUInt16BE(0) === set[0].type);
    assert.ok(sigs.some((sig) => keys.some((key) => verifyRrsig(sig.rdata, set[0].name, set[0].type, set[0].ttl, set.map((r) => r.rdata), key))), `${k} has no valid RRSIG`);
  }
  return rrs;
}

/** NSEC3 owner hashes in a reply (salt-less, 0 iterations, as RFC 9276 zones are). */
export function nsec3Owners(rrs: RawRR[]): Buffer[] {
  return rrs.filter((r) => r.type === RRType.NSEC3).map((r) => base32hexDecode(r.name.split('.')[0]));
}

export function nsec3Of(name: string): Buffer {
  return nsec3Hash(parseName(name), Buffer.alloc(0), 0);
}
