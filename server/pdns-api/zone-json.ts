// Zones and RRsets in the JSON shapes PowerDNS 4.7 returns: a list entry, a zone with its RRsets, the server object.
import type { Name } from '../../zones/model/name.js';
import { typeToText } from '../../zones/model/types.js';
import type { RRset } from '../../zones/model/rrset.js';
import { isDerivedRecord } from '../../zones/commit.js';
import { parseSettings, type Nsec3Settings } from '../../zones/settings.js';
import type { Zone } from '../../zones/zone.js';
import { serialOf } from '../admin/edit.js';
import type { PdnsApiDeps } from './deps.js';
import { rdataToContent } from './content.js';
import { zoneId } from './names.js';

export const SERVER_ID = 'localhost';
export const SERVER_URL = `/api/v1/servers/${SERVER_ID}`;
/** The PowerDNS release whose API this one follows; clients check it is 4.x (octoDNS, external-dns). */
export const PDNS_VERSION = '4.7.3';

export function serverJson() {
  return {
    autoprimaries_url: `${SERVER_URL}/autoprimaries{/autoprimary}`,
    config_url: `${SERVER_URL}/config{/config_setting}`,
    daemon_type: 'authoritative',
    id: SERVER_ID,
    type: 'Server',
    url: SERVER_URL,
    version: PDNS_VERSION,
    zones_url: `${SERVER_URL}/zones{/zone}`,
  };
}

export const zoneUrl = (apex: Name) => `${SERVER_URL}/zones/${zoneId(apex)}`;

/** NSEC3PARAM as PowerDNS shows it: "1 FLAGS ITERATIONS SALT" (flags 1: opt-out). */
export function nsec3paramText(n: Nsec3Settings): string {
  return `1 ${n.optOut ? 1 : 0} ${n.iterations} ${n.salt || '-'}`;
}

export interface RRsetJson {
  comments: never[];
  name: string;
  records: { content: string; disabled: false }[];
  ttl: number;
  type: string;
}

export function rrsetJson(r: RRset): RRsetJson {
  return { comments: [], name: r.name, records: r.rdatas.map((d) => ({ content: rdataToContent(r.type, d), disabled: false })), ttl: r.ttl, type: typeToText(r.type) };
}

/**
 * Whether an RRset is shown. The signer's own records of a signed zone (DNSKEY, CDS, CDNSKEY,
 * NSEC3PARAM at the apex; RRSIG and NSEC3 are never held as RRsets) are not: PowerDNS keeps
 * its keys apart from the records too (its cryptokeys), and shows only what can be edited.
 */
export function shown(r: RRset, apex: Name, signed: boolean): boolean {
  return !(signed && isDerivedRecord(r, apex));
}

/** The zone as a list entry (GET …/zones). */
export function zoneSummary(deps: PdnsApiDeps, zone: Zone, withDnssec = true) {
  const serial = serialOf(zone);
  const id = zoneId(zone.apex);
  // Every version is sent to the secondaries by the commit pipeline, so the notified serial is the current one.
  return {
    account: '', catalog: '',
    ...(withDnssec ? { dnssec: !!deps.dnssec?.forApex(zone.apex), edited_serial: serial } : {}),
    id, kind: 'Master', last_check: 0, masters: [] as string[], name: zone.apex, notified_serial: serial, serial, url: zoneUrl(zone.apex),
  };
}

/** The zone with its settings and, unless `rrsets` is false, its RRsets (those `include` lets through). */
export function zoneDetail(deps: PdnsApiDeps, zone: Zone, rrsets: Iterable<RRset> | false) {
  const row = deps.store.zone(zone.apex);
  const settings = parseSettings(row?.settings ?? '{}');
  const signed = !!deps.dnssec?.forApex(zone.apex);
  const s = zoneSummary(deps, zone);
  return {
    account: s.account, api_rectify: false, catalog: s.catalog, dnssec: signed, edited_serial: s.edited_serial, id: s.id, kind: s.kind,
    last_check: 0, master_tsig_key_ids: [] as string[], masters: s.masters, name: s.name, notified_serial: s.notified_serial,
    nsec3narrow: false, nsec3param: settings.signed ? nsec3paramText(settings.nsec3) : '',
    ...(rrsets === false ? {} : { rrsets: [...rrsets].filter((r) => shown(r, zone.apex, settings.signed)).map(rrsetJson) }),
    serial: s.serial, slave_tsig_key_ids: [] as string[], soa_edit: '', soa_edit_api: 'DEFAULT', url: s.url,
  };
}
