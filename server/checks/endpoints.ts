// A service's endpoints: the addresses it was given, or its host's A/AAAA (our zones first, else the system resolver).
import net from 'node:net';
import { Resolver } from 'node:dns/promises';
import type { Store } from '../../zones/store/sqlite.js';
import type { ServiceRow } from '../../zones/store/checks-sqlite.js';
import { parseTlsaOwner } from '../dane/association.js';
import { ownAddresses } from './zone-data.js';

export interface Endpoint { address: string; port: number }

export const formatEndpoint = (e: Endpoint): string => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

/** `ADDR:PORT` or `[IPv6]:PORT`, the address a literal IP; undefined when it does not parse. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([0-9.]+):(\d{1,5})$/.exec(text);
  if (!m || !net.isIP(m[1])) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { address: m[1].toLowerCase(), port };
}

export interface Endpoints { endpoints: Endpoint[]; problem?: string }

/** Bounded: the system resolver gets 5 s per lookup. */
const RESOLVER_TIMEOUT_MS = 5000;

export async function serviceEndpoints(store: Store, svc: ServiceRow): Promise<Endpoints> {
  const given = (JSON.parse(svc.connect) as string[]).map(parseEndpoint).filter((e): e is Endpoint => !!e);
  if (given.length) return { endpoints: given };
  const owner = parseTlsaOwner(svc.name)!;
  const port = owner.port!;
  const own = ownAddresses(store, owner.host);
  if (own !== undefined) {
    return own.length ? { endpoints: own.map((address) => ({ address, port })) } : { endpoints: [], problem: `${owner.host} has no A or AAAA records in our zones` };
  }
  // A scoped token's service reaches only what our own zones publish for the host.
  if (svc.own_addresses_only) return { endpoints: [], problem: `${owner.host} is not in a zone served here` };
  const r = new Resolver({ timeout: RESOLVER_TIMEOUT_MS, tries: 1 });
  const lookup = (f: (h: string) => Promise<string[]>) => f(owner.host.replace(/\.$/, '')).catch(() => [] as string[]);
  const addrs = [...await lookup((h) => r.resolve4(h)), ...await lookup((h) => r.resolve6(h))];
  return addrs.length ? { endpoints: addrs.map((address) => ({ address, port })) } : { endpoints: [], problem: `${owner.host} has no A or AAAA records (system resolver)` };
}
