// Per-zone secondaries: who may transfer a zone (address prefix + required TSIG key) and whom to NOTIFY.
import { BlockList, isIP } from 'node:net';
import type { Name } from '../../zones/model/name.js';
import type { XfrStore, SecondaryRow } from '../../zones/store/xfr-sqlite.js';
import type { Store, ZoneRow } from '../../zones/store/sqlite.js';
import { CatalogStore } from '../../zones/store/catalog-sqlite.js';
import { tsigKeyName, TsigKeyError } from './keys.js';

export class SecondaryError extends Error {
  /** `field`: the input at fault (address, tsig, zone), for the admin API's errors. */
  constructor(readonly code: 'invalid' | 'no_zone' | 'no_key' | 'missing', message: string, readonly field?: string) { super(message); }
}

export interface SecondarySpec {
  /** An IP address, or a prefix "addr/len" (allowed to transfer, never notified). */
  address: string;
  port: number;
  tsigKey: Name | null;
}

/** Parse "ADDR", "ADDR:PORT", "[v6]:PORT", "v6", or a prefix "ADDR/LEN". Port defaults to 53. */
export function parseSecondaryAddress(text: string): { address: string; port: number } {
  const t = text.trim();
  let m: RegExpExecArray | null;
  let address = t, port = 53;
  if ((m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(t))) { address = m[1]; port = Number(m[2]); }
  else if ((m = /^([^:]+):(\d{1,5})$/.exec(t))) { address = m[1]; port = Number(m[2]); }
  const [ip, len] = address.split('/');
  const fam = isIP(ip);
  const bits = len === undefined ? undefined : Number(len);
  if (!fam || (bits !== undefined && (!/^\d+$/.test(len) || bits > (fam === 4 ? 32 : 128))) || port < 1 || port > 65535) {
    throw new SecondaryError('invalid', `bad secondary address ${JSON.stringify(text)}: expected ADDR[:PORT], [IPv6]:PORT or ADDR/LEN`, 'address');
  }
  return { address: bits === undefined ? ip.toLowerCase() : `${ip.toLowerCase()}/${bits}`, port };
}

function zoneId(store: Store, apex: Name): number {
  const row = store.zone(apex);
  if (!row) throw new SecondaryError('no_zone', `no such zone: ${apex}`, 'zone');
  return row.id;
}

export function addSecondary(store: Store, xs: XfrStore, apex: Name, addr: string, key: string | undefined, now: number): SecondarySpec {
  const { address, port } = parseSecondaryAddress(addr);
  let tsigKey: Name | null = null;
  if (key !== undefined) {
    try { tsigKey = tsigKeyName(key); } catch (e) { throw new SecondaryError('invalid', (e as TsigKeyError).message, 'tsig'); }
    if (!xs.tsigKey(tsigKey)) throw new SecondaryError('no_key', `no TSIG key ${tsigKey} (add it with: daneprime tsig add ${tsigKey})`, 'tsig');
  }
  xs.addSecondary(zoneId(store, apex), address, port, tsigKey, now);
  return { address, port, tsigKey };
}

export function listSecondaries(store: Store, xs: XfrStore, apex: Name): SecondarySpec[] {
  return xs.secondaries(zoneId(store, apex)).map(toSpec);
}

export function removeSecondary(store: Store, xs: XfrStore, apex: Name, addr: string): void {
  const { address, port } = parseSecondaryAddress(addr);
  if (!xs.removeSecondary(zoneId(store, apex), address, port)) throw new SecondaryError('missing', `${addr} is not a secondary of ${apex}`, 'address');
}

function toSpec(r: SecondaryRow): SecondarySpec {
  return { address: r.address, port: r.port, tsigKey: r.tsig_key_name };
}

/** IPv4-mapped IPv6 ("::ffff:192.0.2.1", how dual-stack sockets report v4 peers) → plain IPv4. */
export function plainAddress(remote: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  return m ? m[1] : remote;
}

function matches(entry: string, remote: string): boolean {
  const [ip, len] = entry.split('/');
  const fam = isIP(ip);
  const rfam = isIP(remote);
  if (!fam || fam !== rfam) return false;
  const bl = new BlockList();
  const type = fam === 4 ? 'ipv4' : 'ipv6';
  bl.addSubnet(ip, len === undefined ? (fam === 4 ? 32 : 128) : Number(len), type);
  return bl.check(remote, type);
}

export type AclDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * May `remote`, having proved `keyName` by TSIG (or null), transfer this zone? Some secondary
 * entry must match the address and, when it names a key, the request must be signed with
 * that key. Read from the store on every request: a CLI change applies without restart.
 */
/**
 * A zone's secondaries: its own, and for a member of a catalog zone the catalog's (RFC 9432:
 * a consumer of the catalog transfers every member, and hears of its changes by NOTIFY).
 */
function secondariesOf(store: Store, xs: XfrStore, row: ZoneRow): SecondaryRow[] {
  const own = xs.secondaries(row.id);
  const catalog = CatalogStore.of(store).membership(row.id);
  if (!catalog) return own;
  const seen = new Set(own.map((s) => `${s.address} ${s.port}`));
  return [...own, ...xs.secondaries(catalog.catalog_id).filter((s) => !seen.has(`${s.address} ${s.port}`))];
}

export function transferAllowed(store: Store, xs: XfrStore, apex: Name, remote: string, keyName: Name | null): AclDecision {
  const row = store.zone(apex);
  if (!row) return { allowed: false, reason: 'no such zone' };
  const addr = plainAddress(remote);
  const entries = secondariesOf(store, xs, row).filter((s) => matches(s.address, addr));
  if (!entries.length) return { allowed: false, reason: `${addr} is not a secondary of ${apex}` };
  if (entries.some((s) => s.tsig_key_name === null || s.tsig_key_name === keyName)) return { allowed: true };
  return { allowed: false, reason: keyName ? `key ${keyName} is not the one required for ${addr}` : `TSIG key required for ${addr}` };
}

/** Hosts to NOTIFY for a zone (prefix entries name no single host and are skipped). */
export function notifyTargets(store: Store, xs: XfrStore, apex: Name): SecondarySpec[] {
  const row = store.zone(apex);
  if (!row) return [];
  return secondariesOf(store, xs, row).filter((s) => !s.address.includes('/')).map(toSpec);
}
