// The DNSSEC step of the query path: add NSEC3 proofs for each lookup, then a signer for every signed RRset.
import type { DnssecService } from '../../signer/service.js';
import type { ZoneSigner } from '../../signer/zone-signer.js';
import type { Nsec3Entry } from '../../signer/nsec3-chain.js';
import type { Zone } from '../../zones/zone.js';
import type { Answered } from './answer.js';
import { denialProof } from './denial.js';
import { rrEntry, type RREntry } from '../wire/response.js';

/**
 * Called only when the client set DO (RFC 3225 §3) and answering touched a signed zone.
 * Proofs go to the authority section after the SOA (RFC 4035 §3.1.3); then every entry,
 * proofs included, gets its signer (addSigners).
 */
export function addProofs(answered: Answered, dnssec: DnssecService, qtype: number, now: number): void {
  const resp = answered.response;
  const steps = answered.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const zs = dnssec.forZone(step.zone);
    if (!zs) continue;
    const proof = denialProof(zs, step.qname, qtype, step.result);
    for (let j = 0; j < proof.length; j++) {
      const e = proofEntry(zs, proof[j], now);
      if (!inSection(resp.authority, e.rrset)) resp.authority.push(e);
    }
  }
}

/** The authority-section entry of one NSEC3 proof record, signed (its RRSIGs outright, or its zone's signer to fetch them). */
export function proofEntry(zs: ZoneSigner, proof: Nsec3Entry, now: number): RREntry {
  const p = zs.proofRRset(proof, now);
  const e = rrEntry(p.rrset.name, p.rrset, zs.zone, undefined, p.sigs);
  if (!p.sigs) e.signer = zs;
  return e;
}

/** Whether the section has this RRset already: by name and type, since an NSEC3 RRset built for one use is a new object each time. */
function inSection(entries: readonly RREntry[], rrset: RREntry['rrset']): boolean {
  for (let i = 0; i < entries.length; i++) {
    const r = entries[i].rrset;
    if (r === rrset || (r.type === rrset.type && r.name === rrset.name)) return true;
  }
  return false;
}

/**
 * Every RRset from a signed zone gets its RRSIGs; glue, referral NS and synthesised CNAMEs
 * stay unsigned. Here each such entry gets its zone's signer; the encoder fetches the RRSIGs
 * only when the RRset's ready wire pieces lack current ones (rr-wire.ts).
 */
export function addSigners(answered: Answered, dnssec: DnssecService): void {
  const resp = answered.response;
  const memo: SignerMemo = { zone: undefined, signer: undefined };
  signSection(resp.answer, dnssec, memo);
  signSection(resp.authority, dnssec, memo);
  signSection(resp.additional, dnssec, memo);
}

/** The last zone asked about and its signer: a reply's entries nearly all come from one zone. */
interface SignerMemo { zone: Zone | undefined; signer: ZoneSigner | undefined }

function signSection(entries: RREntry[], dnssec: DnssecService, memo: SignerMemo): void {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (!e.zone || e.sigs || e.signer) continue;
    if (e.zone !== memo.zone) { memo.zone = e.zone; memo.signer = dnssec.forZone(e.zone); }
    e.signer = memo.signer;
  }
}
