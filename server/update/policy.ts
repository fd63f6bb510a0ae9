// DNS UPDATE policies: which RRsets of a zone each TSIG key may change — add, list, remove, and the check an UPDATE runs.
import { isInZone, parseName, type Name } from '../../zones/model/name.js';
import { isDnssecDerivedType, typeFromText, typeToText, RRType } from '../../zones/model/types.js';
import type { Store } from '../../zones/store/sqlite.js';
import type { PolicyStore, PolicyRow } from '../../zones/store/policy-sqlite.js';
import type { XfrStore } from '../../zones/store/xfr-sqlite.js';
import { scopeProblem, type RRsetScope } from '../../zones/scope.js';
import { tsigKeyName } from '../xfr/keys.js';

export class PolicyError extends Error {
  /** `field`: the input at fault, for the admin API's errors. */
  constructor(readonly code: 'invalid' | 'no_zone' | 'no_key' | 'missing', message: string, readonly field?: string) { super(message); }
}

/** A policy as the CLI and the API show it. */
export interface PolicyInfo {
  id: number;
  zone: Name;
  key: Name;
  name: Name;
  subtree: boolean;
  /** Type mnemonics; empty: any type but SOA, apex NS and DNSSEC. */
  types: string[];
  createdAt: string;
}

export interface PolicyRequest {
  key: string;
  /** Owner name, absolute or relative to the zone; absent: the whole zone. */
  name?: string;
  subtree?: boolean;
  types?: string[];
}

function info(r: PolicyRow): PolicyInfo {
  return { id: r.id, zone: r.zone, key: r.key_name, name: r.name, subtree: r.subtree === 1, types: JSON.parse(r.types) as string[], createdAt: new Date(r.created_at * 1000).toISOString() };
}

function scopeOf(r: PolicyRow): RRsetScope {
  return { zone: r.zone, names: [r.name], subtree: r.subtree === 1, types: (JSON.parse(r.types) as string[]).map((t) => typeFromText(t)!) };
}

/** Add a policy for `key` in `zoneText`: the zone and the key must exist; DNSSEC types are the signer's. */
export function addPolicy(store: Store, ps: PolicyStore, xs: XfrStore, zoneText: string, req: PolicyRequest, now: number): PolicyInfo {
  let zone: Name;
  try { zone = parseName(zoneText.endsWith('.') ? zoneText : zoneText + '.'); } catch (err) { throw new PolicyError('invalid', `bad zone name: ${(err as Error).message}`, 'zone'); }
  const row = store.zone(zone);
  if (!row) throw new PolicyError('no_zone', `no such zone: ${zone}`, 'zone');
  let key: Name;
  try { key = tsigKeyName(req.key); } catch (err) { throw new PolicyError('invalid', (err as Error).message, 'key'); }
  if (!xs.tsigKey(key)) throw new PolicyError('no_key', `no TSIG key ${key}: add it first (tsig add)`, 'key');
  let name = zone;
  if (req.name !== undefined) {
    try { name = req.name === '@' ? zone : parseName(req.name, zone); } catch (err) { throw new PolicyError('invalid', `bad name ${JSON.stringify(req.name)}: ${(err as Error).message}`, 'name'); }
    if (!isInZone(name, zone)) throw new PolicyError('invalid', `${name} is not inside zone ${zone}`, 'name');
  }
  const types = (req.types ?? []).map((t, i) => {
    const n = typeFromText(t.toUpperCase());
    if (n === undefined) throw new PolicyError('invalid', `unknown type ${JSON.stringify(t)}`, `types[${i}]`);
    if (isDnssecDerivedType(n) || n === RRType.DNSKEY || n === RRType.CDS || n === RRType.CDNSKEY) {
      throw new PolicyError('invalid', `${typeToText(n)} records are made by the signer, not by updates`, `types[${i}]`);
    }
    return typeToText(n);
  });
  // No name: the whole zone, so the apex and everything below it.
  const subtree = req.name === undefined || !!req.subtree;
  const id = ps.add(row.id, key, name, subtree, [...new Set(types)], now);
  return info(ps.policy(id)!);
}

export function listPolicies(ps: PolicyStore, zone?: Name): PolicyInfo[] {
  return ps.policies(zone).map(info);
}

export function removePolicy(ps: PolicyStore, id: number, zone?: Name): PolicyInfo {
  const row = ps.policy(id);
  if (!row || (zone !== undefined && row.zone !== zone)) throw new PolicyError('missing', `no update policy ${id}${zone ? ` in zone ${zone}` : ''}`, 'id');
  ps.remove(id);
  return info(row);
}

/**
 * Why `key` may not change (name, type) in `zone`, or undefined when one of its policies
 * allows it. Read from the store at each UPDATE, so policy changes apply without a restart.
 */
export function updateProblem(ps: PolicyStore, zone: Name, key: Name, name: Name, type: number): string | undefined {
  const rows = ps.forKey(zone, key);
  if (!rows.length) return `key ${key} has no update policy in zone ${zone}`;
  const problems = rows.map((r) => scopeProblem(scopeOf(r), zone, name, type, `key ${key}'s policy ${r.id}`));
  return problems.every((p) => p !== undefined) ? problems[0] : undefined;
}
