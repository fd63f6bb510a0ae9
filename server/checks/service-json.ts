// How a stored service is shown (CLI list, API): names, how it is reached, and its last verdict.
import type { ServiceRow } from '../../zones/store/checks-sqlite.js';
import { parseTlsaOwner } from '../dane/association.js';

export interface ServiceJson {
  name: string;
  zone: string;
  host: string;
  port: number;
  starttls: string;
  /** Addresses given; [] = the host's A/AAAA. */
  connect: string[];
  sni: string | null;
  domain: string | null;
  ownAddressesOnly: boolean;
  lastCheckedAt: string | null;
  lastVerdict: string | null;
}

export function serviceJson(r: ServiceRow): ServiceJson {
  const owner = parseTlsaOwner(r.name)!;
  return {
    name: r.name, zone: r.zone, host: owner.host, port: owner.port!, starttls: r.starttls, connect: JSON.parse(r.connect) as string[],
    sni: r.sni, domain: r.domain, ownAddressesOnly: r.own_addresses_only === 1,
    lastCheckedAt: r.last_at === null ? null : new Date(r.last_at * 1000).toISOString(), lastVerdict: r.last_verdict,
  };
}
