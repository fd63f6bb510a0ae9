// One IXFR journal step: what a secondary deletes and adds to go from one serial to the next (RFC 1995 §4), as kept in SQLite.
import type { Name } from './model/name.js';
import { RRType } from './model/types.js';
import type { RRset } from './model/rrset.js';
import type { Zone, ZoneDelta } from './zone.js';

/** One RR as the journal keeps it. */
export interface JournalRR { name: Name; type: number; ttl: number; rdata: Buffer }

/** A step's content: the old SOA first in `removed`, the new SOA first in `added` (RFC 1995 §4). */
export interface StepContent { removed: JournalRR[]; added: JournalRR[] }

/** An RRset with the RRSIGs it is served with (none when it is not signed). */
export interface SignedRRset { rrset: RRset; sigs: readonly Buffer[] }

/**
 * What signing adds to a change of a signed zone (the signer reports it, ZoneSigner.applyDelta):
 * the replaced RRsets' signatures, the NSEC3 records that went or changed, and those that came.
 */
export interface SignedDelta {
  replaced: SignedRRset[];
  nsec3Retired: SignedRRset[];
  nsec3Fresh: SignedRRset[];
  /** Signatures of an RRset put by the change ([] for one the zone does not sign). */
  sigsOf(rrset: RRset): readonly Buffer[];
  /** The change moved the whole chain, or signatures are not the same in every process: no step is incremental. */
  whole: boolean;
}

function rrsOf(rrset: RRset, sigs: readonly Buffer[], withData = true): JournalRR[] {
  const out: JournalRR[] = [];
  if (withData) for (const rdata of rrset.rdatas) out.push({ name: rrset.name, type: rrset.type, ttl: rrset.ttl, rdata });
  for (const rdata of sigs) out.push({ name: rrset.name, type: RRType.RRSIG, ttl: rrset.ttl, rdata });
  return out;
}

/**
 * The step of one applied change, or undefined when it cannot be told as one (the secondary
 * then gets the whole zone): removed RRsets with the RRSIGs they were served with, the new
 * RRsets with theirs, and the NSEC3 records the chain replaced or added. A signed zone whose
 * delegations moved is told whole: which RRsets carry signatures depends on the cuts.
 */
export function stepContent(zone: Zone, delta: ZoneDelta, signed: SignedDelta | undefined): StepContent | undefined {
  if (signed && (signed.whole || delta.cutsChanged.size > 0)) return undefined;
  const replaced = signed ? signed.replaced : delta.staleRRsets.map((rrset) => ({ rrset, sigs: [] }));
  const put = new Set(delta.putRRsets);
  // Intermediate RRsets (put, then replaced again in the same change) were never served.
  const gone = replaced.filter((x) => !put.has(x.rrset));
  const isSoa = (r: RRset) => r.type === RRType.SOA && r.name === zone.apex;
  const oldSoa = gone.find((x) => isSoa(x.rrset));
  if (!oldSoa) return undefined;
  const removed = [...rrsOf(oldSoa.rrset, []), ...gone.flatMap((x) => rrsOf(x.rrset, x.sigs, !isSoa(x.rrset)))];
  const current = delta.putRRsets.filter((r) => zone.rrset(r.name, r.type) === r);
  const newSoa = zone.soa;
  const sigsOf = (r: RRset) => (signed ? signed.sigsOf(r) : []);
  const added = [...rrsOf(newSoa, []), ...current.flatMap((r) => rrsOf(r, sigsOf(r), !isSoa(r)))];
  if (signed) {
    for (const x of signed.nsec3Retired) removed.push(...rrsOf(x.rrset, x.sigs));
    for (const x of signed.nsec3Fresh) added.push(...rrsOf(x.rrset, x.sigs));
  }
  return { removed, added };
}

export function encodeRRs(rrs: JournalRR[]): string {
  return JSON.stringify(rrs.map((r) => [r.name, r.type, r.ttl, r.rdata.toString('base64')]));
}

export function decodeRRs(text: string): JournalRR[] {
  return (JSON.parse(text) as [string, number, number, string][]).map(([name, type, ttl, b64]) => ({ name, type, ttl, rdata: Buffer.from(b64, 'base64') }));
}
