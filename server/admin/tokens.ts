// API tokens: creation (secret shown once), verification by hash in constant time, and the RRset scope model.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store, TokenRow } from '../../zones/store/sqlite.js';
import type { Name } from '../../zones/model/name.js';
import { scopeProblem as rrsetScopeProblem } from '../../zones/scope.js';
import { typeToText, typeFromText } from '../../zones/model/types.js';
import { ApiError, E } from './errors.js';
import { zoneName, ownerName, rrType } from './names.js';

const PREFIX = 'dp_';

/** Who is calling: an admin, or a token scoped to some RRsets of one zone (zones/scope.ts). */
export interface Principal {
  id: number;
  label: string;
  admin: boolean;
  zone?: Name;
  names: Name[];
  subtree: boolean;
  types: number[];
}

export interface TokenSpec {
  admin: boolean;
  zone?: Name;
  names?: Name[];
  subtree?: boolean;
  types?: number[];
  label?: string;
}

/** The public view of a token (never the secret, never the hash). */
export interface TokenInfo {
  id: number;
  admin: boolean;
  zone: string | null;
  names: string[];
  subtree: boolean;
  types: string[];
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Create a token; the returned secret exists nowhere else, so the caller prints it once. */
export function createToken(store: Store, spec: TokenSpec, now: number): { secret: string; info: TokenInfo } {
  const secret = PREFIX + randomBytes(32).toString('base64url');
  const id = store.insertToken({
    hash: hashSecret(secret), admin: spec.admin ? 1 : 0, zone: spec.admin ? null : spec.zone ?? null,
    names: JSON.stringify(spec.admin ? [] : spec.names ?? []), subtree: spec.subtree ? 1 : 0,
    types: JSON.stringify(spec.admin ? [] : (spec.types ?? []).map(typeToText)), label: spec.label ?? '', created_at: now,
  });
  const row = store.tokens().find((t) => t.id === id)!;
  return { secret, info: tokenInfo(row) };
}

export function tokenInfo(row: TokenRow): TokenInfo {
  return {
    id: row.id, admin: row.admin === 1, zone: row.zone, names: JSON.parse(row.names) as string[], subtree: row.subtree === 1,
    types: JSON.parse(row.types) as string[], label: row.label,
    createdAt: new Date(row.created_at * 1000).toISOString(),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at * 1000).toISOString(),
  };
}

/** The principal for a presented secret, or undefined (unknown, malformed or revoked). */
export function verifyToken(store: Store, secret: string): Principal | undefined {
  if (!secret.startsWith(PREFIX) || secret.length > 128) return undefined;
  const hash = hashSecret(secret);
  const row = store.tokenByHash(hash);
  // The lookup is by a hash of a 256-bit secret; the explicit constant-time compare guards
  // against any future lookup that is not an exact index match.
  if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
  if (row.revoked_at !== null) return undefined;
  const info = tokenInfo(row);
  return {
    id: row.id, label: row.label, admin: info.admin, zone: row.zone ?? undefined, names: info.names, subtree: info.subtree,
    types: info.types.map((t) => typeFromText(t)!),
  };
}

/**
 * Why `p` may not touch the RRset (zone, name, type), or undefined when it may. With no
 * name/type, asks only about the zone. The message names what lies outside the scope.
 */
export function scopeProblem(p: Principal, zone: Name, name?: Name, type?: number): string | undefined {
  if (p.admin) return undefined;
  return rrsetScopeProblem({ zone: p.zone ?? '', names: p.names, subtree: p.subtree, types: p.types }, zone, name, type);
}

export function scopeAllows(p: Principal, zone: Name, name: Name, type: number): boolean {
  return scopeProblem(p, zone, name, type) === undefined;
}

/** A token request as the API and the CLI take it. */
export interface TokenRequest { admin?: boolean; zone?: string; names?: string[]; subtree?: boolean; types?: string[]; label?: string }

/** Check a scoped token request: its zone exists, and it names at least one owner and one type. */
export function tokenSpec(b: TokenRequest, zoneExists: (apex: string) => boolean): TokenSpec {
  if (b.admin) {
    if (b.zone || b.names?.length || b.types?.length) throw new ApiError(400, E.INVALID, 'an admin token has no zone, names or types', 'admin');
    return { admin: true, label: b.label };
  }
  if (!b.zone) throw new ApiError(400, E.INVALID, 'a scoped token needs a zone (or admin: true)', 'zone');
  const zone = zoneName(b.zone);
  if (!zoneExists(zone)) throw new ApiError(404, E.NOT_FOUND, `no such zone: ${zone}`, 'zone');
  if (!b.names?.length) throw new ApiError(400, E.INVALID, 'a scoped token needs at least one name', 'names');
  if (!b.types?.length) throw new ApiError(400, E.INVALID, 'a scoped token needs at least one type', 'types');
  return {
    admin: false, zone, subtree: !!b.subtree, label: b.label,
    names: b.names.map((n, i) => ownerName(n, zone, `names[${i}]`)),
    types: b.types.map((t, i) => rrType(t, `types[${i}]`)),
  };
}
