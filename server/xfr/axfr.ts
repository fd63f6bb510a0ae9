// AXFR (RFC 5936): the whole signed zone — SOA, every RRset with its RRSIGs, the NSEC3 chain, SOA — as a lazy sequence.
import { RRType } from '../../zones/model/types.js';
import type { Zone } from '../../zones/zone.js';
import type { ZoneSigner } from '../../signer/zone-signer.js';
import { rrEntry, type RREntry } from '../wire/response.js';

/**
 * Every transfer entry carries its zone (owners are written relative to its apex) and its
 * RRSIGs outright, NO_SIGS when it has none (an unsigned zone, glue, a delegation's NS, the
 * closing SOA): nothing signs them on the way out.
 */
const NO_SIGS: readonly Buffer[] = [];

/**
 * The records of a full transfer, in transfer order (RFC 5936 §2.2: SOA first and last).
 * Signed zones come from ZoneSigner.signedRRsets — the same signatures (cached, or made now
 * and cached) and the same NSEC3 chain that answers use. Lazy: nothing is materialised.
 */
export function* axfrEntries(zone: Zone, signer: ZoneSigner | undefined, now: number): Iterable<RREntry> {
  const apex = zone.apex;
  const soa = zone.soa;
  yield rrEntry(apex, soa, zone, undefined, signer?.sigs(soa, now) ?? NO_SIGS);
  yield* zoneBody(zone, signer, now);
  // The closing SOA alone: its RRSIG was sent with the first one.
  yield rrEntry(apex, soa, zone, undefined, NO_SIGS);
}

/** Everything but the SOA itself (shared with AXFR-style IXFR replies). */
export function* zoneBody(zone: Zone, signer: ZoneSigner | undefined, now: number): Iterable<RREntry> {
  const isSoa = (t: number, n: string) => t === RRType.SOA && n === zone.apex;
  if (signer) {
    for (const { rrset, sigs } of signer.signedRRsets(now)) if (!isSoa(rrset.type, rrset.name)) yield rrEntry(rrset.name, rrset, zone, undefined, sigs);
  } else {
    for (const rrset of zone.allRRsets()) if (!isSoa(rrset.type, rrset.name)) yield rrEntry(rrset.name, rrset, zone, undefined, NO_SIGS);
  }
}
