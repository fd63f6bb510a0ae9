// AXFR (RFC 5936): the whole signed zone — SOA, every RRset with its RRSIGs, the NSEC3 chain, SOA — as a lazy sequence.
import { RRType } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import type { ZoneSnapshot } from '../../zones/snapshot.js';
import type { ZoneSigner, SigningContext } from '../../signer/zone-signer.js';
import { rrEntry, type RREntry } from '../wire/response.js';

/**
 * Every transfer entry carries its zone (owners are written relative to its apex) and its
 * RRSIGs outright, NO_SIGS when it has none (an unsigned zone, glue, a delegation's NS, the
 * closing SOA): nothing signs them on the way out.
 */
const NO_SIGS: readonly Buffer[] = [];

/**
 * The records of a full transfer, in transfer order (RFC 5936 §2.2: SOA first and last), as
 * of `snapshot`: commits that land while it streams are not seen. Signed zones come from
 * ZoneSigner.signedSnapshot — the same signatures (kept, or made now) and the same NSEC3
 * chain that answers use, made with the signing context of the snapshot. Lazy: nothing is
 * materialised.
 */
export function* axfrEntries(snapshot: ZoneSnapshot, signed: SignedSource | undefined, now: number): Iterable<RREntry> {
  const zone = snapshot.zone;
  const soa = snapshot.soa;
  yield rrEntry(zone.apex, soa, zone, undefined, signed ? signed.signer.sigsWith(signed.ctx, soa, now) : NO_SIGS);
  yield* zoneBody(snapshot, signed, now);
  // The closing SOA alone: its RRSIG was sent with the first one.
  yield rrEntry(zone.apex, soa, zone, undefined, NO_SIGS);
}

/** A signed zone's signer and the signing context of the snapshot being sent. */
export interface SignedSource { signer: ZoneSigner; ctx: SigningContext }

/** Everything but the SOA itself (shared with AXFR-style IXFR replies). */
export function* zoneBody(snapshot: ZoneSnapshot, signed: SignedSource | undefined, now: number): Iterable<RREntry> {
  const zone = snapshot.zone;
  const isSoa = (r: RRset) => r.type === RRType.SOA && r.name === zone.apex;
  if (signed) {
    for (const { rrset, sigs } of signed.signer.signedSnapshot(snapshot, signed.ctx, now)) if (!isSoa(rrset)) yield rrEntry(rrset.name, rrset, zone, undefined, sigs);
  } else {
    for (const rrset of snapshot.rrsets()) if (!isSoa(rrset)) yield rrEntry(rrset.name, rrset, zone, undefined, NO_SIGS);
  }
}
