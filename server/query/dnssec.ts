// The DNSSEC step of the query path: add NSEC3 proofs for each lookup, then RRSIGs for every signed RRset.
import type { DnssecService } from '../../signer/service.js';
import type { Answered } from './answer.js';
import { denialProof } from './denial.js';
import type { RREntry } from './response.js';

/**
 * Called only when the client set DO (RFC 3225 §3) and answering touched a signed zone.
 * Proofs go to the authority section after the SOA (RFC 4035 §3.1.3). Proofs come first and
 * signatures second so that a reply already made from the same records can be reused between
 * the two (response-cache.ts) without looking up a single signature.
 */
export function addProofs(answered: Answered, dnssec: DnssecService, qtype: number): void {
  const resp = answered.response;
  for (const step of answered.steps) {
    const zs = dnssec.forZone(step.zone);
    if (!zs) continue;
    for (const e of denialProof(zs, step.qname, qtype, step.result)) {
      const rrset = zs.chain.rrsetOf(e);
      if (!inSection(resp.authority, rrset)) resp.authority.push({ owner: rrset.name, rrset, zone: step.zone });
    }
  }
}

function inSection(entries: readonly RREntry[], rrset: RREntry['rrset']): boolean {
  for (const e of entries) if (e.rrset === rrset) return true;
  return false;
}

/** Every RRset from a signed zone gets its RRSIGs; glue, referral NS and synthesised CNAMEs stay unsigned. */
export function addSignatures(answered: Answered, dnssec: DnssecService, now: number): void {
  const resp = answered.response;
  signSection(resp.answer, dnssec, now);
  signSection(resp.authority, dnssec, now);
  signSection(resp.additional, dnssec, now);
}

function signSection(entries: RREntry[], dnssec: DnssecService, now: number): void {
  for (const e of entries) {
    if (!e.zone || e.sigs) continue;
    const zs = dnssec.forZone(e.zone);
    if (zs) e.sigs = zs.sigs(e.rrset, now);
  }
}
