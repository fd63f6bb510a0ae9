// What the status page shows of a zone beyond its info: the soonest RRSIG expiry, CDS/CDNSKEY state, the parent's DS, the secondaries.
import type { Name } from '../../zones/model/name.js';
import { RRType } from '../../zones/model/types.js';
import { rdataToText } from '../../zones/model/rdata/index.js';
import { signatureValidity, serialDiff } from '../../signer/policy.js';
import { CDS_DELETE_RDATA } from '../../signer/dnskey.js';
import type { ApiDeps } from './deps.js';
import { servedZone, dsRecords } from './zone-info.js';
import { parentDs } from './parent-ds.js';

const iso = (t: number): string => new Date(t * 1000).toISOString();

/**
 * The earliest expiration of any RRSIG the zone serves: every signature is dated from the
 * zone's signing epoch (signer/zone-signer.ts), with 14 days of lifetime plus a per-RRset
 * jitter of 0 to 1 day, so none expires before epoch + 14 days. Null when the zone is not signed.
 */
export function soonestRrsigExpiry(deps: ApiDeps, apex: Name): string | null {
  const signer = deps.dnssec?.forApex(apex);
  if (!signer) return null;
  const epoch = signer.context.epoch;
  // The field is 32-bit (RFC 1982 arithmetic, RFC 4034 §3.1.5): back to a full time by distance.
  return iso(epoch + serialDiff(signatureValidity(epoch).expiration, epoch));
}

export type CdsState = 'published' | 'delete' | 'none' | 'unsigned';

/** The CDS/CDNSKEY RRsets at the apex (RFC 7344) and whether they ask the parent for the DS we publish. */
export function cdsState(deps: ApiDeps, apex: Name) {
  const { zone, row } = servedZone(deps, apex);
  const signed = !!deps.dnssec?.forApex(apex);
  const cds = zone.rrset(apex, RRType.CDS)?.rdatas ?? [];
  const cdnskey = zone.rrset(apex, RRType.CDNSKEY)?.rdatas ?? [];
  const ds = signed ? dsRecords(deps, apex, row) : [];
  const state: CdsState = !signed ? 'unsigned' : !cds.length && !cdnskey.length ? 'none'
    : cds.some((r) => r.equals(CDS_DELETE_RDATA)) ? 'delete' : 'published';
  const cdsText = cds.map((r) => rdataToText(RRType.CDS, r));
  const norm = (s: string) => s.replace(/\s+/g, ' ').toLowerCase();
  const wanted = new Set(ds.map(norm));
  return {
    state, cds: cdsText, cdnskey: cdnskey.map((r) => rdataToText(RRType.CDNSKEY, r)),
    matchesDs: state === 'published' && cdsText.length === wanted.size && cdsText.every((c) => wanted.has(norm(c))),
  };
}

/** The zone view's DNSSEC part: DS to publish, what the parent serves, CDS/CDNSKEY, RRSIG expiry. */
export async function zoneDnssecStatus(deps: ApiDeps, apex: Name) {
  const { row } = servedZone(deps, apex);
  const signed = !!deps.dnssec?.forApex(apex);
  const ds = signed ? dsRecords(deps, apex, row) : [];
  return {
    name: apex,
    ds,
    parentDs: await parentDs(apex, ds, deps.dsResolver),
    cds: cdsState(deps, apex),
    soonestRrsigExpiry: soonestRrsigExpiry(deps, apex),
  };
}
