// Zone file text of a zone: its source records, or — signed — the zone as served, with RRSIGs and the NSEC3 chain.
import { RRType, type Rec } from '../zones/model/types.js';
import type { RRset } from '../zones/model/rrset.js';
import type { Zone } from '../zones/zone.js';
import { writeZoneText } from '../zones/io/zonefile-write.js';
import { APEX_DERIVED, type ZoneSigner } from './zone-signer.js';

/**
 * Without a signer: the records the store holds (signer-made apex records left out, so an
 * import of the text gives the same zone). With one: everything `signedRRsets` yields — the
 * same RRsets, signatures and chain that answers and AXFR use.
 */
export function zoneFileText(zone: Zone, signer: ZoneSigner | undefined, now: number): string {
  const recs: Rec[] = [];
  const add = (rrset: RRset, sigs: readonly Buffer[]) => {
    for (const rdata of rrset.rdatas) recs.push({ name: rrset.name, type: rrset.type, ttl: rrset.ttl, rdata });
    for (const rdata of sigs) recs.push({ name: rrset.name, type: RRType.RRSIG, ttl: rrset.ttl, rdata });
  };
  if (signer) {
    for (const { rrset, sigs } of signer.signedRRsets(now)) add(rrset, sigs);
  } else {
    for (const rrset of zone.allRRsets()) {
      if (!(rrset.name === zone.apex && APEX_DERIVED.has(rrset.type))) add(rrset, []);
    }
  }
  return writeZoneText(zone.apex, recs);
}
